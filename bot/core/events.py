"""Inbound events: everything that can happen to an intervention, as one typed union."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.model import (
    AnswerValue,
    GroupQuality,
    InterventionId,
    Locale,
    UserId,
    Visibility,
)

# Control characters no chat client puts in text (tab, newline and carriage return it does):
# they only come from a forged or broken request, and PostgreSQL refuses NUL in any text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class EventMeta:
    """Who did what, where, and the platform's own id of it (used to process it once)."""

    platform: str
    event_id: str
    workspace: str
    user: UserId | None = None
    user_name: str = ""
    channel: str | None = None
    locale: Locale | None = None
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class CommandIssued:
    """A `/tst ...` command typed by someone (text is what follows `/tst`). A web page's
    form names its `intervention`; a command typed in chat applies where it was typed."""

    meta: EventMeta
    text: str
    intervention: InterventionId | None = None


@dataclass(frozen=True, slots=True)
class AnswerSubmitted:
    """A form sent for one round, as the platform gave it: `answers` holds what was filled in,
    `left_empty` the prompts the form showed that came back empty. What that means (a skip,
    an edit, nothing new) is the engine's to decide, the same for every platform."""

    meta: EventMeta
    intervention: InterventionId
    round_key: str
    answers: Mapping[str, AnswerValue]
    visibility: Visibility | None = None
    left_empty: tuple[str, ...] = ()


# The buttons whose press is a ChoiceMade: what each means is the engine's to say. Every
# other button opens a form ("answer", the safety forms) or turns a page.
CHOICES: frozenset[str] = frozenset(
    {
        "skip",
        "notnow",
        "consent",
        "contributions",
        "timeout",
        "withdraw",
        "handled",
        "pausenow",
        "inbox",
        "myprompts",
        "dms",  # direct messages on or off for rounds announced in the channel (pull mode)
        "accept",  # an action's owner takes it on (bot/flows/actions.py)
        "actdone",  # an action's owner says it is done, from the reminder
        "words",  # a facilitator uses or drops the words previewed (bot/flows/wording.py)
        "words_reset",  # a facilitator asks for the bot's words back (previewed first)
        "notes",  # the facilitator's private notes, from their status (no slash on Discord)
        "notedel",  # one private note deleted, from the list of notes
        "restok",  # "yes, that's it": a party confirms a restatement (bot/flows/restating.py)
        "rbagree",  # a sub-group member agrees to its report-back (bot/flows/reportback.py)
        "checkins",  # a person asks for the weekly check-ins, or no more (bot/flows/checkins.py)
    }
)


@dataclass(frozen=True, slots=True)
class ChoiceMade:
    """A button press that is not an answer form: consent to the frame, "not now", withdraw."""

    meta: EventMeta
    intervention: InterventionId
    action: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class VisibilityChanged:
    """An author changes the visibility of their own answer (widening needs that author)."""

    meta: EventMeta
    intervention: InterventionId
    round_key: str
    visibility: Visibility


@dataclass(frozen=True, slots=True)
class TimerDue:
    """A timer written earlier in the outbox came due (resend after "not now", scheduled close)."""

    meta: EventMeta
    intervention: InterventionId
    kind: str
    payload: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GroupsComputed:
    """The grouping job finished outside the acknowledgement window (or failed: `error`)."""

    meta: EventMeta
    intervention: InterventionId
    groups: tuple[tuple[UserId, ...], ...]
    quality: GroupQuality | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SpaceOpened:
    """A platform created a sub-group's private space."""

    meta: EventMeta
    intervention: InterventionId
    subgroup: int
    space: str


@dataclass(frozen=True, slots=True)
class DeliveryFailed:
    """The platform would not take a message where it was meant to go, for a reason a person
    can fix (the bot is not in the channel, or may not post there). `place` is "channel" (the
    intervention's) or "space" (a sub-group's, `subgroup`); `already_told` says whether an
    earlier message of this intervention waits for the same cause (the facilitators were
    told then). Counts and causes only: the message itself is not carried."""

    meta: EventMeta
    intervention: InterventionId
    cause: str
    place: str
    subgroup: int | None = None
    already_told: bool = False


@dataclass(frozen=True, slots=True)
class PersonUnreachable:
    """A direct message could not reach a person, for good: their DMs are closed to the bot,
    their account is deactivated. `already_counted` says the intervention's direct messages
    failed to reach this person for this cause before (so nothing new is to be said). Causes
    only: who it was is not carried, and how many they are is counted by the runner."""

    meta: EventMeta
    intervention: InterventionId
    cause: str
    already_counted: bool = False


@dataclass(frozen=True, slots=True)
class AppRemoved:
    """The platform took the bot out of the workspace (app uninstalled, bot token revoked):
    nothing can reach its people any more, so the intervention ends there."""

    meta: EventMeta
    intervention: InterventionId


@dataclass(frozen=True, slots=True)
class NoteSubmitted:
    """A private note sent from one of the safety forms: a message on the private line
    (`line`; `value` "" opens a thread, "<n>.<key>" continues the writer's own), a
    facilitator's answer (`linereply`; `value` the sealed way back, "<n>.<token>"), or a flag
    on a published item (`flag`; `value` the item, `reason` one of FLAG_REASONS)."""

    meta: EventMeta
    intervention: InterventionId
    action: str
    value: str
    text: str
    named: bool = False
    reason: str = ""


Event = (
    CommandIssued
    | AnswerSubmitted
    | ChoiceMade
    | VisibilityChanged
    | TimerDue
    | GroupsComputed
    | SpaceOpened
    | DeliveryFailed
    | PersonUnreachable
    | AppRemoved
    | NoteSubmitted
)
