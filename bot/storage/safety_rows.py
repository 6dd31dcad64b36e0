"""The safety line's rows: threads and requests of the aggregate, where flaggable items were
posted, and the outbox rows a pause holds. Nothing here stores a person or what they said."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.model import Intervention, LineThread, SafetyRequest
from bot.storage import orm
from bot.storage.sync import sync_rows

HELD = "held"
WAITING = ("pending", HELD)
# What a pause holds: messages and timers (prompts, reminders, publications, planned
# commands). Safety-line rows ("relay") and a person's own requests (exports) go on.
HOLDABLE = ("send", "timer")


def _lit(value: object) -> Any:
    return value


async def read(
    s: AsyncSession, iid: str
) -> tuple[tuple[LineThread, ...], tuple[SafetyRequest, ...]]:
    lines = tuple(
        LineThread(t.number, t.pad, t.waiting, t.received, t.answered)
        for t in await s.scalars(
            select(orm.LineThreadRow)
            .where(orm.LineThreadRow.intervention_id == iid)
            .order_by(orm.LineThreadRow.number)
        )
    )
    requests = tuple(
        SafetyRequest(r.id, _lit(r.kind), _lit(r.status), r.target, r.reason)
        for r in await s.scalars(
            select(orm.SafetyRequestRow)
            .where(orm.SafetyRequestRow.intervention_id == iid)
            .order_by(orm.SafetyRequestRow.id)
        )
    )
    return lines, requests


async def save(s: AsyncSession, iid: str, old: Intervention, new: Intervention) -> None:
    await sync_rows(
        s,
        orm.LineThreadRow,
        iid,
        {t.number: t for t in old.lines},
        {t.number: t for t in new.lines},
        lambda t: {
            "number": t.number,
            "pad": t.pad,
            "waiting": t.waiting,
            "received": t.received,
            "answered": t.answered,
        },
        key_cols=("number",),
    )
    await sync_rows(
        s,
        orm.SafetyRequestRow,
        iid,
        {r.id: r for r in old.requests},
        {r.id: r for r in new.requests},
        lambda r: {
            "id": r.id,
            "kind": r.kind,
            "status": r.status,
            "target": r.target[:120],
            "reason": r.reason[:24],
        },
        key_cols=("id",),
    )


# -- pause: held outbox rows ------------------------------------------------------------------


async def hold(s: AsyncSession, iid: str) -> int:
    """Hold every waiting message and timer of the intervention. A row a dispatcher holds
    right now (leased) is held too: if its delivery fails, its retry stays held."""
    row = orm.OutboxRow
    done = await s.execute(
        update(row)
        .where(row.intervention_id == iid, row.status == "pending", row.kind.in_(HOLDABLE))
        .values(status=HELD)
    )
    return int(done.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Held:
    id: int
    kind: str
    payload: dict[str, Any]
    due_at: datetime


async def held(s: AsyncSession, iid: str) -> list[Held]:
    row = orm.OutboxRow
    found = await s.execute(
        select(row.id, row.kind, row.payload, row.due_at)
        .where(row.intervention_id == iid, row.status == HELD)
        .order_by(row.id)
    )
    return [Held(r.id, r.kind, dict(r.payload or {}), r.due_at) for r in found.all()]


async def release(s: AsyncSession, dues: Sequence[tuple[int, datetime]]) -> None:
    """Held rows wait again, each at its new time (rows claimed meanwhile keep their lease)."""
    if dues:
        await s.execute(
            update(orm.OutboxRow),
            [{"id": rid, "status": "pending", "due_at": due} for rid, due in dues],
        )


# -- withdrawal: where flaggable items were posted ---------------------------------------------


async def cancel_posted(s: AsyncSession, iid: str, posted: str) -> int:
    """Copies of an item not posted yet (waiting, or held by a pause) will not be: cancelled,
    and their payload cut to the address (what it said is not kept)."""
    row = orm.OutboxRow
    found = await s.execute(
        select(row.id, row.payload).where(
            row.intervention_id == iid,
            row.status.in_(WAITING),
            row.kind == "send",
            row.payload[("message", "item")].as_string() == posted,
        )
    )
    rows = found.all()
    if rows:
        await s.execute(
            update(row),
            [
                {"id": r.id, "status": "cancelled", "payload": {"to": (r.payload or {}).get("to")}}
                for r in rows
            ],
        )
    return len(rows)


async def record_published(
    s: AsyncSession, iid: str, item: str, channel: str, message_id: str
) -> None:
    s.add(
        orm.PublishedRow(
            intervention_id=iid, item=item[:120], channel=channel, message_id=message_id
        )
    )


async def published(s: AsyncSession, iid: str, item: str) -> list[tuple[str, str]]:
    found = await s.execute(
        select(orm.PublishedRow.channel, orm.PublishedRow.message_id)
        .where(orm.PublishedRow.intervention_id == iid, orm.PublishedRow.item == item)
        .order_by(orm.PublishedRow.id)
    )
    return [(r.channel, r.message_id) for r in found.all()]
