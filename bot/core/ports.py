"""Ports: the localized outgoing message, the chat port every platform implements, the clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol, get_args, runtime_checkable

from bot.core.model import AnswerValue, ConversationRef, Locale, MessageRef, UserRef


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of message text; `relayed` text was written by a person and must be made inert."""

    text: str
    relayed: bool = False
    # A link to this channel id, which each platform writes its own way (`text` elsewhere).
    channel: str = ""


@dataclass(frozen=True, slots=True)
class OutButton:
    action_id: str  # tst:<intervention>:<action>[:<value>], at most 100 characters
    label: str
    style: str = ""  # "primary", "danger" or ""


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of an answer form, already localized."""

    prompt_key: str
    kind: str  # open, scale, choice, multi, consent, dots, rank, restate
    label: str
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    minimum: int = 0
    maximum: int = 0
    budget: int = 0
    max_length: int = 3000
    hint: str = ""
    current: AnswerValue | None = None  # the reader's answer so far, to edit it


@dataclass(frozen=True, slots=True)
class VisibilityOption:
    value: str
    label: str
    explanation: str  # the sentence saying who will read the answer


@dataclass(frozen=True, slots=True)
class AnswerForm:
    """What a platform turns into a modal (Slack view, Discord modal pages) or a transcript form."""

    intervention: str
    round_key: str
    title: str
    fields: tuple[FormField, ...]
    visibility_options: tuple[VisibilityOption, ...]
    default_visibility: str
    submit_label: str
    skip_hint: str  # how to skip from the form itself: leave a question empty
    locale: Locale  # the reader's language, for what the platform adds around the form
    close_label: str  # the button that closes the form unsent
    visibility_label: str  # the question above the visibility choice
    # Said at the top when a platform cannot show every question at once (Slack's 100 blocks).
    partial_notice: str


@dataclass(frozen=True, slots=True)
class NoteForm:
    """A safety form, already localized: a message on the private line (`action` "line"), a
    facilitator's answer to one ("lreply") or a flag ("flag"). `value` rides back unchanged
    with the submission (the thread, or the flagged item); a flag on the board asks which
    item (`items`). Each platform turns it into its modal."""

    intervention: str
    action: str
    value: str
    title: str
    explanation: str
    text_label: str
    text_required: bool
    max_length: int
    submit_label: str
    locale: Locale
    close_label: str
    who_label: str = ""
    who: tuple[tuple[str, str], ...] = ()  # ("anonymous", label), ("named", label)
    reason_label: str = ""
    reasons: tuple[tuple[str, str], ...] = ()
    item_label: str = ""
    items: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message (a report, a chart): each platform uploads it its own way."""

    name: str
    data: bytes
    title: str  # what a screen reader and the file list show
    mime: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class OutMessage:
    """A message already rendered in its recipient's language, platform-neutral."""

    segments: tuple[Segment, ...]
    buttons: tuple[OutButton, ...] = ()
    form: AnswerForm | None = None
    files: tuple[Attachment, ...] = ()
    # Set by the dispatcher to the outbox row ("dlv-<id>"): a retried delivery carries the same
    # key, so a platform that supports it (Discord nonce) or a fake can drop the duplicate.
    idempotency_key: str = ""

    def plain(self) -> str:
        return "".join(s.text for s in self.segments)

    def keyed(self, key: str) -> OutMessage:
        """This message with its delivery key: what `dataclasses.replace` does, without its
        generic field walk (a fan-out keys thousands of messages a second)."""
        return OutMessage(self.segments, self.buttons, self.form, self.files, key)


class ChatPort(Protocol):
    """What the dispatcher needs from a chat platform."""

    platform: str

    async def post(self, to: ConversationRef, msg: OutMessage) -> MessageRef: ...

    async def send_direct(self, user: UserRef, msg: OutMessage) -> MessageRef: ...

    async def edit(self, ref: MessageRef, msg: OutMessage) -> None: ...

    async def open_space(
        self, parent: ConversationRef, name: str, members: Sequence[UserRef]
    ) -> ConversationRef: ...

    async def close_space(self, space: ConversationRef) -> None: ...


@runtime_checkable
class KnowsLanguages(Protocol):
    """A port that can say which language its platform reports for a person (Slack's
    users.info): asked for those whose language the bot does not know yet."""

    async def locale_of(self, user: UserRef) -> Locale | None: ...


# Why a delivery failed, in words an operator and a facilitator can act on. Each port
# translates its platform's errors into one of these; dead letters are counted by them.
Cause = Literal[
    "not_in_channel",  # the bot is not a member of the channel (or cannot see it)
    "missing_permission",  # it is there, but may not post (Discord) or lacks a scope (Slack)
    "dm_closed",  # the person does not accept direct messages from the bot
    "account_inactive",  # the account is deactivated or deleted
    "archived",  # the channel or space is archived
    "gone",  # what the message was for no longer exists (erased person, deleted channel)
    "access_revoked",  # the platform no longer takes the bot's token (app removed, revoked)
    "rate_limited",  # the platform asked to wait (retried)
    "unavailable",  # the platform or the network failed (retried)
    "refused",  # the platform refused the message itself
]
CAUSES: tuple[Cause, ...] = get_args(Cause)
# Causes a person can fix by adding the bot to a channel or granting it a permission: the
# facilitator is told how, and the message waits for them instead of dying at once.
MEMBERSHIP: frozenset[Cause] = frozenset({"not_in_channel", "missing_permission"})


class DeliveryError(Exception):
    """A port could not deliver. `permanent` errors are not retried (user left, DMs closed).
    `reason` is the platform's own word (for the log), `cause` its meaning (see Cause)."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        cause: Cause | None = None,
    ):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        if cause is None:
            cause = (
                "rate_limited"
                if retry_after is not None
                else ("refused" if permanent else "unavailable")
            )
        self.cause: Cause = cause


@dataclass(frozen=True, slots=True)
class Departure:
    """What the bot did when a platform said it was removed from a workspace."""

    closed: int  # interventions closed now (not those a repeated notice already closed)
    stopped: int  # deliveries that were still waiting
    first_today: bool  # the first notice of the day for the workspace
    retention_days: int  # how long the answers stay after closing


# (platform, workspace, the platform's event id) -> what was done: handed to an adapter by
# the composition root, so the adapter reports a removal without deciding what it means.
WorkspaceRemoved = Callable[[str, str, str], Awaitable[Departure]]


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real clock, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock the demo and tests move by hand, so weeks pass in milliseconds."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        from datetime import timedelta

        self._now = self._now + timedelta(**delta)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when
