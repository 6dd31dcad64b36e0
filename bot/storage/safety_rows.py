"""Pause and withdrawal rows: outbox rows a pause holds, and where flaggable items were posted.

The safety line's threads and requests belong to the aggregate (mapper.py). Nothing here
stores a person or what they said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import orm

HELD = "held"
WAITING = ("pending", HELD)
# What a pause holds: messages and timers (prompts, reminders, publications, planned
# commands). Safety-line rows ("relay") and a person's own requests (exports) go on.
HOLDABLE = ("send", "timer")


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
