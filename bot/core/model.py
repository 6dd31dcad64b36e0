"""Frozen domain values: interventions, participants, rounds, answers, contract, board, groups."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NewType

from bot.core.conflicts import ConflictSpace
from bot.core.syntheses import Curation as Curation
from bot.core.syntheses import PromptSummary as PromptSummary
from bot.core.syntheses import Quote as Quote
from bot.core.syntheses import Synthesis as Synthesis
from bot.core.wording import Note, RoundWords, Wording

UserId = NewType("UserId", str)
InterventionId = NewType("InterventionId", str)
ResponseId = NewType("ResponseId", str)

Locale = Literal["fr", "en"]
LOCALES: tuple[Locale, ...] = ("fr", "en")
AddressForm = Literal["vous", "tu"]
Status = Literal["draft", "active", "paused", "closed"]
Role = Literal["facilitator", "participant"]
ConsentState = Literal["pending", "accepted", "declined", "withdrawn"]
RoundStatus = Literal["open", "closed"]
Visibility = Literal["private", "facilitator", "group_anonymous", "group_attributed"]
# "group": anonymous answers are anonymous to the group (the author link stays for edits and
# erasure); "full": anonymous to the facilitator too (the link is destroyed when the round closes).
Anonymity = Literal["group", "full"]
# How a round reaches people: a direct message each, or one channel announcement with a
# button that shows each person their prompts ("pull"). None on an intervention: by its size.
Delivery = Literal["dm", "pull"]
StepKind = Literal[
    "trust",
    "contract",
    "subgroups",
    "conflict",
    "information",
    "collective_intelligence",
    "solutions",
]
STEP_KINDS: tuple[StepKind, ...] = (
    "trust",
    "contract",
    "subgroups",
    "conflict",
    "information",
    "collective_intelligence",
    "solutions",
)
VISIBILITIES: tuple[Visibility, ...] = (
    "private",
    "facilitator",
    "group_anonymous",
    "group_attributed",
)
# Wider means more people can read the answer; widening needs the author's own act.
VISIBILITY_RANK: Mapping[Visibility, int] = {v: i for i, v in enumerate(VISIBILITIES)}
GROUP_VISIBLE: frozenset[Visibility] = frozenset({"group_anonymous", "group_attributed"})
ATTRIBUTED: frozenset[Visibility] = frozenset({"private", "facilitator", "group_attributed"})

# An answer value: open text, a scale point, a choice, several choices, or dots per option.
AnswerValue = str | int | tuple[str, ...] | Mapping[str, int]


def is_wider(new: Visibility, old: Visibility) -> bool:
    """True when `new` lets more people read the answer than `old`."""
    return VISIBILITY_RANK[new] > VISIBILITY_RANK[old]


@dataclass(frozen=True, slots=True)
class ConversationRef:
    """Where a message goes: a channel, a DM or a sub-group space on one platform."""

    platform: str
    workspace: str
    channel: str


@dataclass(frozen=True, slots=True)
class UserRef:
    """A person on one platform."""

    platform: str
    workspace: str
    user: UserId


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message the platform accepted (used for edits and idempotency records)."""

    conversation: ConversationRef
    message_id: str


@dataclass(frozen=True, slots=True)
class Participant:
    """A member of an intervention, facilitator or participant."""

    user: UserId
    display_name: str
    role: Role = "participant"
    consent: ConsentState = "pending"
    locale: Locale | None = None  # the person's own choice (`/tst lang`)
    timezone: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    joined_at: datetime | None = None
    left_at: datetime | None = None
    # The language their platform reports for them (Discord's interaction locale, Slack's
    # users.info), kept current each time they interact; their own choice comes first.
    platform_locale: Locale | None = None
    # Asked for their prompts by direct message even when rounds are announced in the channel.
    wants_dms: bool = False
    # Weekly check-ins reach only those who asked for them (bot/flows/checkins.py).
    checkins: bool = False

    @property
    def active(self) -> bool:
        return self.left_at is None

    @property
    def is_facilitator(self) -> bool:
        return self.role == "facilitator" and self.active

    @property
    def reachable(self) -> bool:
        """Prompts go only to people who accepted the frame and have not left."""
        return self.active and self.consent == "accepted"

    @property
    def askable(self) -> bool:
        """Asked by the group's rounds: reachable, and not a facilitator."""
        return self.reachable and not self.is_facilitator


@dataclass(frozen=True, slots=True)
class RoundState:
    """One round of one step: opened, answered, closed, maybe published."""

    key: str
    status: RoundStatus
    opened_at: datetime
    recipients: frozenset[UserId]
    closed_at: datetime | None = None
    reminded: bool = False
    published: bool = False
    # Items the round is about (proposal ids for a vote, the contract version for consent).
    items: tuple[int, ...] = ()
    context: str = ""  # what the facilitator wrote when opening (a scenario, a focus)
    # People who said "not now" and wait for the prompt again: a second click changes nothing.
    deferred: frozenset[UserId] = frozenset()
    words: RoundWords = field(
        default_factory=RoundWords
    )  # the facilitators' words it was opened with


@dataclass(frozen=True, slots=True)
class Response:
    """One answer to one prompt. Only the engine and the author-link table know `author`."""

    id: ResponseId
    round_key: str
    prompt_key: str
    author: UserId
    value: AnswerValue | None
    visibility: Visibility
    skipped: bool
    subgroup: int | None = None


@dataclass(frozen=True, slots=True)
class ContractVersion:
    """One version of the common contract."""

    version: int
    text: str
    # objected / consented: what the last consent round on this version said.
    status: Literal["draft", "in_consent", "objected", "consented", "adopted", "superseded"]
    created_at: datetime
    adopted_at: datetime | None = None


BoardKind = Literal["information", "obstacle", "cause", "proposal"]


@dataclass(frozen=True, slots=True)
class BoardItem:
    """An item of the shared board: information, obstacle, cause or proposal (no author kept)."""

    id: int
    kind: BoardKind
    text: str
    links: tuple[int, ...] = ()
    status: str = "open"  # proposals: open, shortlisted, adopted, rework, parked


@dataclass(frozen=True, slots=True)
class ReportBack:
    """What a sub-group proposes to send to the plenary, in its own words. No author is kept:
    each new version is the sub-group's, and `agreed` holds who said yes to this version."""

    version: int
    text: str
    agreed: frozenset[UserId] = frozenset()
    sent: bool = False


@dataclass(frozen=True, slots=True)
class SubGroup:
    """A heterogeneous sub-group and its private space once opened."""

    index: int
    members: tuple[UserId, ...]
    space: str | None = None
    status: Literal["proposed", "open", "closed"] = "proposed"
    report: ReportBack | None = None


@dataclass(frozen=True, slots=True)
class GroupQuality:
    """The solver's quality summary, kept with the proposal so the report can show it."""

    diversity: float
    upper_bound: float
    gap: float
    repeated_pairs: int
    token_cases: int
    constraint_violations: int
    attributes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActionItem:
    """A solution's action: owner, due date, linked proposal."""

    id: int
    text: str
    owner: UserId
    due: datetime
    proposal: int | None = None
    # proposed until its owner accepts it (todo) or declines it: only an accepted action counts.
    status: Literal["proposed", "todo", "done", "blocked", "declined"] = "todo"


@dataclass(frozen=True, slots=True)
class ScheduledAction:
    """A facilitator command planned ahead (`/tst schedule open intake monday 9h`), or a
    weekly check-in (`every` = "mon 09:00", each participant's local time; `due` is then
    the next run)."""

    id: int
    command: str
    due: datetime
    actor: UserId
    every: str = ""


FLAG_REASONS: tuple[str, ...] = ("threat", "contempt", "doxxing", "harassment", "distress", "other")
RequestKind = Literal["timeout", "flag"]
RequestStatus = Literal["open", "handled", "withdrawn"]


@dataclass(frozen=True, slots=True)
class LineThread:
    """A private-line conversation with the facilitators. Nothing here names its writer: the
    way back to them is sealed with `pad` into the facilitators' copy of each message
    (bot/flows/seal.py), so neither the database nor that copy alone says who wrote."""

    number: int
    pad: str  # hex; "" once the intervention closed: the way back is then gone for good
    waiting: bool = True  # the writer's last message has no answer yet
    received: int = 0
    answered: int = 0


@dataclass(frozen=True, slots=True)
class SafetyRequest:
    """A time-out request or a flag on a published item, for a facilitator to decide on.
    Who raised it is never stored: a name, when given, travels only in the alert."""

    id: int
    kind: RequestKind
    status: RequestStatus = "open"
    target: str = ""  # flags: "synthesis:<round>" or "board:<id>"; time-outs: the step
    reason: str = ""  # flags: one of FLAG_REASONS


@dataclass(frozen=True, slots=True)
class Intervention:
    """The aggregate the engine advances: everything one intervention needs to decide."""

    id: InterventionId
    platform: str
    workspace: str
    channel: str
    title: str
    status: Status
    locale: Locale
    timezone: str
    created_at: datetime
    address_form: AddressForm = "vous"
    k_anonymity_min: int = 3
    step: StepKind | None = None
    anonymity: Anonymity = "group"
    participants: Mapping[UserId, Participant] = field(default_factory=dict)
    rounds: Mapping[str, RoundState] = field(default_factory=dict)
    # Answers of open rounds only: closed rounds live on as syntheses and in the store.
    responses: Mapping[ResponseId, Response] = field(default_factory=dict)
    syntheses: Mapping[str, Synthesis] = field(default_factory=dict)
    contract: tuple[ContractVersion, ...] = ()
    board: tuple[BoardItem, ...] = ()
    subgroups: tuple[SubGroup, ...] = ()
    group_quality: GroupQuality | None = None
    actions: tuple[ActionItem, ...] = ()
    scheduled: tuple[ScheduledAction, ...] = ()
    closed_at: datetime | None = None
    paused_at: datetime | None = None
    lines: tuple[LineThread, ...] = ()
    requests: tuple[SafetyRequest, ...] = ()
    # Whom to contact and which external help to point to, per language, as the facilitator
    # wrote it in the contract step: the bot shows it and never says more.
    help: Mapping[str, str] = field(default_factory=dict)
    # People who must not share a sub-group (bot/flows/apart.py): facilitators only see it.
    apart: tuple[tuple[UserId, UserId], ...] = ()
    wording: Wording = field(default_factory=Wording)  # bot/flows/wording.py
    notes: tuple[Note, ...] = ()  # the facilitators' private notes
    # One conflict space per issue (bot/flows/parties.py): facilitators and its members only.
    conflicts: tuple[ConflictSpace, ...] = ()
    # How rounds reach people, as a facilitator set it; None: by size (bot/flows/pull.py).
    delivery: Delivery | None = None

    @property
    def conversation(self) -> ConversationRef:
        return ConversationRef(self.platform, self.workspace, self.channel)

    def facilitators(self) -> tuple[UserId, ...]:
        return tuple(sorted(u for u, p in self.participants.items() if p.is_facilitator))

    def reachable(self) -> tuple[UserId, ...]:
        return tuple(sorted(u for u, p in self.participants.items() if p.reachable))

    def askable(self) -> tuple[UserId, ...]:
        """Whom the group's rounds ask: everyone reachable but the facilitators."""
        return tuple(sorted(u for u, p in self.participants.items() if p.askable))

    def is_facilitator(self, user: UserId | None) -> bool:
        p = self.participants.get(user) if user is not None else None
        return p is not None and p.is_facilitator

    def current_contract(self) -> ContractVersion | None:
        return self.contract[-1] if self.contract else None

    def next_board_id(self) -> int:
        return max((b.id for b in self.board), default=0) + 1

    def board_of(self, kind: BoardKind) -> tuple[BoardItem, ...]:
        return tuple(b for b in self.board if b.kind == kind)

    def line(self, number: int) -> LineThread | None:
        return next((t for t in self.lines if t.number == number), None)

    def request(self, request_id: int) -> SafetyRequest | None:
        return next((r for r in self.requests if r.id == request_id), None)

    def subgroup_of(self, user: UserId) -> SubGroup | None:
        for g in self.subgroups:
            if g.status == "open" and user in g.members:
                return g
        return None
