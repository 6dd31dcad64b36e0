"""What an engine handler works with: the event's actor and time, and the effects it collects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NoReturn

from bot.core.effects import (
    Audience,
    Button,
    Effect,
    Message,
    Params,
    ParamValue,
    Reply,
    Send,
    ToUser,
    UserText,
    is_param,
)
from bot.core.events import EventMeta
from bot.core.model import AddressForm, Intervention, Locale, UserId
from bot.core.wording import Template
from bot.flows.spec import Flow
from bot.flows.timing import QuietHours


@dataclass(frozen=True, slots=True)
class Policy:
    """Defaults for new interventions and engine timings, from the configuration."""

    locale: Locale = "fr"
    timezone: str = "Europe/Paris"
    k_anonymity_min: int = 3
    address_form: AddressForm = "vous"
    retention_days: int = 30
    not_now_hours: int = 20
    group_size_min: int = 3
    group_size_max: int = 5
    quiet: QuietHours = field(default_factory=QuietHours)
    web: bool = False  # the web pages are served (`[web] enabled`): links can be sent
    # Rounds for more people than this are announced in the channel (bot/flows/pull.py).
    pull_above: int = 500


@dataclass(frozen=True, slots=True)
class Facts:
    """What the database knows beyond the state, read by the runner for the commands that show
    it (the engine does no I/O): counts only, never names."""

    # Messages that went to the dead letters, by cause (not_in_channel, dm_closed...).
    undelivered: Mapping[str, int] = field(default_factory=dict)
    # For a person the bot cannot reach: how many people its direct messages cannot reach for
    # that cause, and the notices (their `item` tags) already queued, to edit rather than post.
    unreachable: int = 0
    queued: frozenset[str] = frozenset()
    # Fresh randomness from the runner, for what must not be guessable from the database
    # (the private line's one-time pads): the engine itself stays a pure function.
    entropy: bytes = b""
    # The workspace's templates by folded name, read for `start` and `template` only.
    templates: Mapping[str, Template] = field(default_factory=dict)


class Refused(Exception):
    """A handler refuses: state stays as it was and the actor is told why."""

    def __init__(self, key: str, params: Params) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(slots=True)
class Ctx:
    meta: EventMeta
    now: datetime
    flow: Flow
    policy: Policy
    effects: list[Effect] = field(default_factory=list)
    audit_target: str = ""
    facts: Facts = field(default_factory=Facts)

    @property
    def actor(self) -> UserId | None:
        return self.meta.user

    def refuse(self, key: str, **params: object) -> NoReturn:
        raise Refused(key, _params(params))

    def reply(self, key: str, buttons: tuple[Button, ...] = (), **params: object) -> None:
        self.effects.append(Reply(Message(key, _params(params), buttons)))

    def send(
        self,
        to: Audience,
        message: Message,
        at: datetime | None = None,
        *,
        through_pause: bool = False,
    ) -> None:
        self.effects.append(Send(to, message, at, through_pause=through_pause))

    def relay(self, user: UserId, message: Message) -> None:
        """A safety-line message to one person: through any pause, and not kept once sent."""
        self.effects.append(Send(ToUser(user), message, relay=True))

    def to_facilitators(self, state: Intervention, message: Message) -> None:
        # What facilitators read is not the group's process: a pause does not hold it.
        for user in state.facilitators():
            self.send(ToUser(user), message, through_pause=True)

    def add(self, effect: Effect) -> None:
        self.effects.append(effect)

    def speaker(self, state: Intervention) -> UserText:
        """The named person who acts (a facilitator), never an anonymous "facilitation"."""
        who = state.participants.get(self.actor) if self.actor is not None else None
        return UserText(who.display_name if who is not None else "")


def _params(raw: dict[str, object]) -> Params:
    out: dict[str, ParamValue] = {}
    for k, v in raw.items():
        if is_param(v):
            out[k] = v
        else:
            out[k] = str(v)
    return out
