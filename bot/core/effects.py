"""Outbound effects: what the engine wants done, as data (message keys, never rendered text)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeGuard, get_args

from bot.core.model import Synthesis, UserId
from bot.core.ports import OutMessage
from bot.core.wording import Template


@dataclass(frozen=True, slots=True)
class UserText:
    """Text written by a person, relayed by the bot: always rendered inert."""

    text: str


@dataclass(frozen=True, slots=True)
class When:
    """A moment, shown in the recipient's own timezone and language."""

    at: datetime


@dataclass(frozen=True, slots=True)
class PromptList:
    """Prompts of a round, shown as their questions in the reader's language."""

    keys: tuple[str, ...]
    round: str = ""  # the round they belong to (its words may be the facilitators' own)


@dataclass(frozen=True, slots=True)
class UserTexts:
    """Text a person wrote in several languages (the help the facilitator configured): the
    reader's own is shown, else the first there is, always rendered inert."""

    texts: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ChannelLink:
    """A channel or space of the platform, shown as a link to it where the platform can."""

    channel: str


@dataclass(frozen=True, slots=True)
class Localized:
    """Words of the bot's own vocabulary (command, round and step names) shown in the
    reader's language: one text per locale, the first one when the reader's is missing."""

    texts: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Phrase:
    """A catalog text shown as part of another (a command's usage inside the help)."""

    key: str


@dataclass(frozen=True, slots=True)
class Lines:
    """Catalog lines, each filled with its own parameters, one under the other (the help's
    list of commands)."""

    lines: tuple[tuple[str, Params], ...]


ParamValue = (
    str
    | int
    | float
    | UserText
    | When
    | PromptList
    | UserTexts
    | ChannelLink
    | Localized
    | Phrase
    | Lines
)
Params = Mapping[str, ParamValue]
PARAM_TYPES: tuple[type, ...] = get_args(ParamValue)


def is_param(value: object) -> TypeGuard[ParamValue]:
    """Whether a value may travel as a message parameter as it is (else it is shown as text)."""
    return isinstance(value, PARAM_TYPES)


@dataclass(frozen=True, slots=True)
class Button:
    """A button: `action` routes it back (`tst:<intervention>:<action>:<value>`)."""

    action: str
    label_key: str
    value: str = ""
    style: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    """A message to render at delivery in the recipient's locale."""

    key: str
    params: Params = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()
    # The round whose prompts this message carries (adapters show an "Answer" form for it).
    form_round: str | None = None
    synthesis: Synthesis | None = None
    board: bool = False  # append the current board (obstacles, causes, proposals)
    # A published item people may flag ("synthesis:<round>", "board"): where the message is
    # posted is recorded, so the facilitator can withdraw it later.
    item: str = ""


@dataclass(frozen=True, slots=True)
class ToUser:
    user: UserId


@dataclass(frozen=True, slots=True)
class ToChannel:
    """The intervention's group channel."""


@dataclass(frozen=True, slots=True)
class ToSpace:
    subgroup: int


Audience = ToUser | ToChannel | ToSpace


@dataclass(frozen=True, slots=True)
class Send:
    to: Audience
    message: Message
    # Not before this instant (a check-in held until 9:00 in the reader's own timezone).
    at: datetime | None = None
    # A safety-line message: goes out even during a pause, and its outbox row is deleted
    # once the platform took it (the database keeps no copy of what was said, or by whom).
    relay: bool = False
    # Goes out even during a pause (the announcement itself, what facilitators read).
    through_pause: bool = False


@dataclass(frozen=True, slots=True)
class Reply:
    """An ephemeral answer to the person who issued the event (not queued: shown at once)."""

    message: Message


@dataclass(frozen=True, slots=True)
class OpenSpace:
    subgroup: int
    members: tuple[UserId, ...]


@dataclass(frozen=True, slots=True)
class CloseSpace:
    subgroup: int


@dataclass(frozen=True, slots=True)
class Schedule:
    """A timer: at `due_at` the dispatcher feeds `TimerDue(kind, payload)` back to the runner."""

    key: str
    due_at: datetime
    kind: str
    payload: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Cancel:
    key: str


@dataclass(frozen=True, slots=True)
class ComputeGroups:
    """Ask for a grouping proposal; slow, so it runs in the dispatcher, not in the ack window."""

    size_min: int
    size_max: int
    attributes: tuple[str, ...]
    seed: int


@dataclass(frozen=True, slots=True)
class Audit:
    """One line of the audit log participants can read: a decision, never content."""

    actor: UserId
    action: str
    target: str = ""


@dataclass(frozen=True, slots=True)
class SaveTemplate:
    """Keep an intervention's words and settings as a template of its workspace (a template
    of the same name is replaced)."""

    template: Template


@dataclass(frozen=True, slots=True)
class DeleteTemplate:
    """Delete a template of the intervention's workspace, by its (folded) name."""

    name: str


@dataclass(frozen=True, slots=True)
class Forget:
    """Erase a person's answers from the store (and their membership when `erase_member`)."""

    user: UserId
    erase_member: bool
    # What they wrote in conflict spaces (gone from the state): erased from waiting messages.
    texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExportData:
    """Send a person everything held about them (`mydata`)."""

    user: UserId


@dataclass(frozen=True, slots=True)
class SendLink:
    """DM a person a signed, single-use link to a web page of theirs (bot/web): `page` is
    "dashboard" (a facilitator's) or "mydata" (everything held about them)."""

    user: UserId
    page: str


@dataclass(frozen=True, slots=True)
class SendReport:
    """Build the intervention report from the store and send it to a facilitator."""

    user: UserId
    markdown: bool = False  # Markdown files instead of HTML and CSV


@dataclass(frozen=True, slots=True)
class Hold:
    """The facilitator paused: every message and timer of the intervention waiting in the
    outbox is held (nothing lost), except the safety line and what goes through a pause."""


@dataclass(frozen=True, slots=True)
class Release:
    """The pause ends: held rows wait again, each moved on by the pause's length."""

    paused_at: datetime


@dataclass(frozen=True, slots=True)
class Withdraw:
    """Take a published item down: the bot edits its own messages posted as `posted` into
    `replacement`; with `cancel_waiting`, copies not yet posted are not posted at all."""

    posted: str
    replacement: Message
    cancel_waiting: bool = False


Effect = (
    Send
    | Reply
    | OpenSpace
    | CloseSpace
    | Schedule
    | Cancel
    | ComputeGroups
    | Audit
    | Forget
    | ExportData
    | SendReport
    | SendLink
    | Hold
    | Release
    | Withdraw
    | SaveTemplate
    | DeleteTemplate
)


@dataclass(frozen=True, slots=True)
class Handled:
    """What the platform adapter shows the actor at once (ephemeral), and what happened."""

    replies: tuple[OutMessage, ...] = ()
    duplicate: bool = False
    refused: bool = False
    intervention: str | None = None
    effects: tuple[Effect, ...] = field(default=(), repr=False)
