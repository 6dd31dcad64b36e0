"""The port for the edge: what a platform adapter asks of the bot, in plain core values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.core.effects import Handled
from bot.core.events import AnswerSubmitted, Event, EventMeta
from bot.core.model import Locale
from bot.core.ports import AnswerForm, NoteForm, OutButton, OutMessage


@dataclass(frozen=True, slots=True)
class Line:
    """A catalog line not yet in anyone's language: its key and parameters (a problem an
    adapter found reading a payload, say, which the bot words for the person)."""

    key: str
    params: Mapping[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FormErrors:
    """What is wrong with a submitted answer form, in its author's language: the adapter's
    own reading problems under the ids it gave them, and the engine's validator's word on
    each prompt (by prompt key). Empty when all is well."""

    unreadable: Mapping[str, str] = field(default_factory=dict)
    by_prompt: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Offer:
    """A plain line and the buttons under it."""

    text: str
    buttons: tuple[OutButton, ...]


@dataclass(frozen=True, slots=True)
class Home:
    """A person's home in one intervention (Slack's App Home tab), in their language: what
    waits for them, where things stand, the open rounds they may answer again, the safety
    levers and what the bot keeps of them. Every part is decided by the engine's queries."""

    title: str
    waiting: tuple[OutMessage, ...]
    standing: tuple[OutMessage, ...]
    reopen: tuple[Offer, ...]  # an open round already answered: its form opens again
    levers: Offer | None  # a private word, a time-out: always within reach
    mine: OutMessage


class EdgePort(Protocol):
    """Everything a platform adapter needs of the bot, and nothing more: the composition
    root (bot/wiring) hands one to each adapter, which then knows no App, store or flow."""

    async def handle(self, event: Event) -> Handled:
        """The engine's answer to one input: what to show its author at once."""
        ...

    def line(self, locale: Locale | None, key: str, **params: str | int) -> str:
        """A catalog line for someone whose intervention is not read (yet): in `locale`,
        else the configured one, with the configured timezone and form of address."""
        ...

    async def answer_form(self, intervention: str, round_key: str, user: str) -> AnswerForm | None:
        """The form behind "Answer", in its reader's language; None when they may not
        answer that round now."""
        ...

    async def form_errors(
        self, answers: AnswerSubmitted, told: Locale | None, unreadable: Mapping[str, Line]
    ) -> FormErrors:
        """The validator's word on a form before it closes, and the adapter's `unreadable`
        lines, both in the author's language (`told`: what their platform says of it)."""
        ...

    async def safety_form(
        self, intervention: str, button: str, value: str, user: str, told: Locale | None
    ) -> NoteForm | None:
        """The safety form behind a button; None when this person cannot fill it."""
        ...

    async def direct_answer(
        self,
        platform: str,
        workspace: str | None,
        user: str,
        message_id: str,
        told: Locale | None = None,
    ) -> tuple[OutMessage, ...]:
        """What the bot answers someone who wrote to it (nothing for a repeated delivery)."""
        ...

    async def home(self, meta: EventMeta) -> Home | str:
        """The person's home, or the one line shown when they are in no intervention."""
        ...

    async def first_time(self, platform: str, delivery: str) -> bool:
        """Whether a platform's delivery id is seen for the first time (a retried event is
        not); what the runner itself dedupes goes through `handle` instead."""
        ...

    def round_keys(self) -> Sequence[str]:
        """Every round's key, for a platform that completes what people type."""
        ...

    async def members(self, platform: str, workspace: str, channel: str) -> Mapping[str, str]:
        """The active people of this channel's intervention: user id -> display name."""
        ...
