"""The row <-> model mapping of the Intervention aggregate, each table written once, both ways.

Reading and writing both go through these declarations (bot/storage/sync.py reads and writes a
collection, bot/storage/interventions.py the head row, bot/storage/answers.py the answers), so
a column added to a table is mapped in one place. Rows are read as plain columns: no ORM
object of them stays in the session to go stale after a bulk write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from bot.core.model import (
    ATTRIBUTED,
    ActionItem,
    BoardItem,
    ContractVersion,
    GroupQuality,
    Intervention,
    LineThread,
    Participant,
    ReportBack,
    Response,
    ResponseId,
    RoundState,
    SafetyRequest,
    ScheduledAction,
    SubGroup,
    Synthesis,
    UserId,
)
from bot.core.wording import Note, RoundWords, Wording
from bot.storage import orm
from bot.storage.codec import decode, encode

M = TypeVar("M")
Row = Any  # a result row of plain columns, read by column name


@dataclass(frozen=True)  # no slots: `Collection[X](...)` sets __orig_class__
class Collection(Generic[M]):
    """One keyed collection of the aggregate and the table that holds it, a row per entry."""

    field: str  # the Intervention attribute
    table: type[orm.Base]
    key: str  # the column that tells the entries of one intervention apart
    key_of: Callable[[M], object]
    to_row: Callable[[M], dict[str, Any]]
    from_row: Callable[[Row], M]
    keyed: bool = False  # held in a mapping by key (else a tuple in key order)
    # Entries that vanish from the aggregate are deleted (the others are never removed by a
    # save: only erasure and retention delete them).
    delete_missing: bool = False

    def entries(self, state: Intervention) -> Mapping[object, M]:
        held = getattr(state, self.field)
        if self.keyed:
            return cast(Mapping[object, M], held)
        return {self.key_of(entry): entry for entry in cast(Iterable[M], held)}

    def assemble(self, entries: Iterable[M]) -> Mapping[object, M] | tuple[M, ...]:
        if self.keyed:
            return {self.key_of(entry): entry for entry in entries}
        return tuple(entries)


def _participant_row(p: Participant) -> dict[str, Any]:
    return {
        "user": p.user,
        "display_name": p.display_name[:200],
        "role": p.role,
        "consent": p.consent,
        "locale": p.locale,
        "timezone": p.timezone,
        "attributes": dict(p.attributes),
        "joined_at": p.joined_at,
        "left_at": p.left_at,
        "platform_locale": p.platform_locale,
        "wants_dms": p.wants_dms,
        "checkins": p.checkins,
    }


def _participant(r: Row) -> Participant:
    return Participant(
        UserId(r.user),
        r.display_name,
        r.role,
        r.consent,
        r.locale,
        r.timezone,
        dict(r.attributes),
        r.joined_at,
        r.left_at,
        r.platform_locale,
        bool(r.wants_dms),
        bool(r.checkins),
    )


def _report_row(r: ReportBack | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"version": r.version, "text": r.text, "agreed": sorted(r.agreed), "sent": r.sent}


def _report(d: Mapping[str, Any] | None) -> ReportBack | None:
    if not d:
        return None
    agreed = frozenset(UserId(u) for u in d["agreed"])
    return ReportBack(int(d["version"]), str(d["text"]), agreed, bool(d["sent"]))


def _round_row(r: RoundState) -> dict[str, Any]:
    return {
        "key": r.key,
        "status": r.status,
        "opened_at": r.opened_at,
        "closed_at": r.closed_at,
        "reminded": r.reminded,
        "published": r.published,
        "recipients": sorted(r.recipients),
        "items": list(r.items),
        "context": r.context,
        "deferred": sorted(r.deferred),
        "words": encode(r.words) if r.words != RoundWords() else None,
    }


def _round(r: Row) -> RoundState:
    return RoundState(
        r.key,
        r.status,
        r.opened_at,
        frozenset(UserId(u) for u in r.recipients),
        r.closed_at,
        r.reminded,
        r.published,
        tuple(r.items),
        r.context,
        frozenset(UserId(u) for u in r.deferred),
        cast(RoundWords, decode(r.words)) if r.words else RoundWords(),
    )


COLLECTIONS: tuple[Collection[Any], ...] = (
    Collection[Participant](
        "participants",
        orm.ParticipantRow,
        "user",
        lambda p: p.user,
        _participant_row,
        _participant,
        keyed=True,
        delete_missing=True,
    ),
    Collection[RoundState](
        "rounds", orm.RoundRow, "key", lambda r: r.key, _round_row, _round, keyed=True
    ),
    Collection[Synthesis](
        "syntheses",
        orm.SynthesisRow,
        "round_key",
        lambda y: y.round_key,
        lambda y: {"round_key": y.round_key, "body": encode(y)},
        lambda r: cast(Synthesis, decode(r.body)),
        keyed=True,
    ),
    Collection[ContractVersion](
        "contract",
        orm.ContractRow,
        "version",
        lambda c: c.version,
        lambda c: {
            "version": c.version,
            "text": c.text,
            "status": c.status,
            "created_at": c.created_at,
            "adopted_at": c.adopted_at,
        },
        lambda r: ContractVersion(r.version, r.text, r.status, r.created_at, r.adopted_at),
    ),
    Collection[BoardItem](
        "board",
        orm.BoardRow,
        "id",
        lambda b: b.id,
        lambda b: {
            "id": b.id,
            "kind": b.kind,
            "text": b.text,
            "links": list(b.links),
            "status": b.status,
        },
        lambda r: BoardItem(r.id, r.kind, r.text, tuple(r.links), r.status),
    ),
    Collection[SubGroup](
        "subgroups",
        orm.SubGroupRow,
        "index",
        lambda g: g.index,
        lambda g: {
            "index": g.index,
            "members": list(g.members),
            "space": g.space,
            "status": g.status,
            "report": _report_row(g.report),
        },
        lambda r: SubGroup(
            r.index, tuple(UserId(u) for u in r.members), r.space, r.status, _report(r.report)
        ),
        delete_missing=True,
    ),
    Collection[ActionItem](
        "actions",
        orm.ActionRow,
        "id",
        lambda a: a.id,
        lambda a: {
            "id": a.id,
            "text": a.text,
            "owner": a.owner,
            "due": a.due,
            "proposal": a.proposal,
            "status": a.status,
        },
        lambda r: ActionItem(r.id, r.text, UserId(r.owner), r.due, r.proposal, r.status),
    ),
    Collection[ScheduledAction](
        "scheduled",
        orm.ScheduledRow,
        "id",
        lambda a: a.id,
        lambda a: {
            "id": a.id,
            "command": a.command,
            "due": a.due,
            "actor": a.actor,
            "every": a.every or None,
        },
        lambda r: ScheduledAction(r.id, r.command, r.due, UserId(r.actor), r.every or ""),
        delete_missing=True,
    ),
    # The safety line: counts and pads, kinds and targets, never a person or a word.
    Collection[LineThread](
        "lines",
        orm.LineThreadRow,
        "number",
        lambda t: t.number,
        lambda t: {
            "number": t.number,
            "pad": t.pad,
            "waiting": t.waiting,
            "received": t.received,
            "answered": t.answered,
        },
        lambda r: LineThread(r.number, r.pad, r.waiting, r.received, r.answered),
    ),
    Collection[SafetyRequest](
        "requests",
        orm.SafetyRequestRow,
        "id",
        lambda q: q.id,
        lambda q: {
            "id": q.id,
            "kind": q.kind,
            "status": q.status,
            "target": q.target[:120],
            "reason": q.reason[:24],
        },
        lambda r: SafetyRequest(r.id, r.kind, r.status, r.target, r.reason),
    ),
)


# Head columns stored as the aggregate holds them; `group_quality`, `help`, `apart`,
# `wording`, `notes` and `conflicts` are converted.
_HEAD = (
    "platform",
    "workspace",
    "channel",
    "title",
    "status",
    "locale",
    "timezone",
    "address_form",
    "k_anonymity_min",
    "anonymity",
    "step",
    "created_at",
    "closed_at",
    "paused_at",
    "delivery",
)


def head_row(state: Intervention) -> dict[str, Any]:
    """The `interventions` row of the aggregate, without its id and version."""
    return {
        **{name: getattr(state, name) for name in _HEAD},
        "group_quality": encode(state.group_quality) if state.group_quality else None,
        "help": dict(state.help) or None,
        "apart": [list(p) for p in state.apart] or None,
        "wording": encode(state.wording) if state.wording != Wording() else None,
        "notes": encode(state.notes) or None,
        "conflicts": encode(state.conflicts) if state.conflicts else None,
    }


def head_fields(row: Row) -> dict[str, Any]:
    """The aggregate's own fields from its `interventions` row (the inverse of `head_row`)."""
    return {
        "id": row.id,
        **{name: getattr(row, name) for name in _HEAD},
        "group_quality": cast(GroupQuality, decode(row.group_quality))
        if row.group_quality
        else None,
        "help": dict(row.help or {}),
        "apart": tuple((UserId(a), UserId(b)) for a, b in row.apart or ()),
        "wording": cast(Wording, decode(row.wording)) if row.wording else Wording(),
        "notes": cast(tuple[Note, ...], decode(row.notes or [])),
        "conflicts": decode(row.conflicts) if row.conflicts else (),
    }


def response_row(r: Response) -> dict[str, Any]:
    """An answer's row; its author goes to `response_authors` (bot/storage/answers.py)."""
    return {
        "id": r.id,
        "round_key": r.round_key,
        "prompt_key": r.prompt_key,
        "value": encode(r.value),
        "visibility": r.visibility,
        "skipped": r.skipped,
        "subgroup": r.subgroup,
        # A name is stored with the answer only when its visibility carries one.
        "attributed_to": r.author if r.visibility in ATTRIBUTED else None,
    }


def response(row: Row, author: str) -> Response:
    return Response(
        ResponseId(row.id),
        row.round_key,
        row.prompt_key,
        UserId(author),
        decode(row.value),
        row.visibility,
        row.skipped,
        row.subgroup,
    )
