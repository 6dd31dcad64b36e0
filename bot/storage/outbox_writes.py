"""The outbox as a unit of work writes it (queued rows, timers by key) and its dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import CAUSES
from bot.storage import orm
from bot.storage.safety_rows import WAITING

# Outbox kinds that carry a message to people (timers, spaces and grouping do not).
MESSAGE_KINDS = ("send", "relay", "export", "report")


class OutboxWrites:
    """Rows one unit queues; those without a key wait in memory for one insert at the end."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._queued: list[dict[str, Any]] = []

    async def enqueue(
        self,
        iid: str,
        kind: str,
        payload: dict[str, Any],
        due_at: datetime,
        key: str | None = None,
        status: str = "pending",
    ) -> None:
        """Queue a row; `status` "held" when the intervention is paused (it waits for the
        resumption, bot/storage/safety_rows.py)."""
        row = {
            "intervention_id": iid,
            "kind": kind,
            "key": key,
            "payload": payload,
            "due_at": due_at,
            "status": status,
            "attempts": 0,
        }
        if key is None:
            self._queued.append(row)
        else:
            await self._replace(key, row)

    async def _replace(self, key: str, row: dict[str, Any]) -> None:
        """A timer with the same key replaces the earlier one (re-planning never duplicates)."""
        s, outbox = self.session, orm.OutboxRow
        await self.flush()  # rows keep the order they were queued in
        await s.execute(delete(outbox).where(outbox.key == key, outbox.status.in_(WAITING)))
        await s.flush()
        existing = await s.scalar(select(outbox.id).where(outbox.key == key))
        if existing is None:
            await s.execute(insert(outbox).values(**row))
            return
        await s.execute(
            update(outbox)
            .where(outbox.id == existing)
            .values(
                status=row["status"],
                payload=row["payload"],
                due_at=row["due_at"],
                attempts=0,
                claimed_by=None,
                lease_until=None,
                last_error=None,
            )
        )

    async def flush(self) -> None:
        """Rows queued without a key, in one executemany (done before the unit commits). A
        round opened for 1,000 people queues 1,000: as ORM objects they cost ten times more,
        and the prompts could not leave before that commit."""
        if self._queued:
            rows, self._queued = self._queued, []
            await self.session.execute(insert(orm.OutboxRow), rows)

    async def cancel(self, key: str) -> None:
        outbox = orm.OutboxRow
        await self.session.execute(
            update(outbox)
            .where(outbox.key == key, outbox.status.in_(WAITING))
            .values(status="cancelled")
        )


async def undelivered(s: AsyncSession, iid: str) -> dict[str, int]:
    """How many of this intervention's messages went to the dead letters, by cause (not
    in the channel, DMs closed, account deactivated...): counts, the rows name no one."""
    row = orm.OutboxRow
    found = await s.execute(
        select(row.last_error, func.count())
        .where(row.intervention_id == iid, row.status == "dead", row.kind.in_(MESSAGE_KINDS))
        .group_by(row.last_error)
    )
    counts: dict[str, int] = {}
    for cause, n in found.all():
        known = cause if cause in CAUSES else "refused"  # rows from before causes
        counts[known] = counts.get(known, 0) + int(n)
    return counts


async def unreachable(s: AsyncSession, iid: str, reason: str) -> set[str]:
    """Who this intervention's direct messages could not reach for `reason` (dead letters:
    a platform's "DMs closed"), for the platform to show a count and offer another way;
    shared by every process and kept across restarts."""
    row = orm.OutboxRow
    found = await s.scalars(
        select(row.payload[("to", "user")].as_string())
        .where(
            row.intervention_id == iid,
            row.status == "dead",
            row.last_error == reason,
            row.kind == "send",
        )
        .distinct()
    )
    return {user for user in found if user}


async def queued(s: AsyncSession, iid: str, item: str) -> bool:
    """Whether a message tagged `item` was ever queued for this intervention, delivered or not
    (a notice the engine edits rather than posts again)."""
    row = orm.OutboxRow
    found = await s.scalar(
        select(row.id)
        .where(
            row.intervention_id == iid,
            row.kind == "send",
            row.payload[("message", "item")].as_string() == item,
        )
        .limit(1)
    )
    return found is not None
