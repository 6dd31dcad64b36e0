"""Retention: answers of interventions closed past `retention_days` go, and old event ids.

`tst run` does it once a day by itself: an outbox row of kind "retention" is due daily and the
dispatcher, woken by the same clock as for any delivery (bot/scheduler.py), runs the purge and
plans the next one. Several processes on PostgreSQL never purge at once: the outbox claim gives
the row to one of them, and the purge itself holds an advisory lock, so a `tst db purge` typed
meanwhile waits for nothing and does nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import orm
from bot.storage.store import SqlStore

log = logging.getLogger(__name__)

RETENTION_KIND = "retention"
RETENTION_KEY = "retention:daily"
# The daily row belongs to no intervention.
NO_INTERVENTION = ""
# How long a handled event's id is kept to refuse a second handling. Every replay comes much
# sooner: Slack retries an event within the hour, a Discord interaction lives 15 minutes, a web
# link at most 60 and a web session at most 24 hours (both are refused once expired anyway), an
# outbox row's re-delivery follows its lease or its last backoff by minutes.
EVENT_IDS_KEPT = timedelta(days=7)
# pg_try_advisory_xact_lock key: "tstpurge" as a 64-bit number, unlikely to meet another's.
PURGE_LOCK = int.from_bytes(b"tstpurge", "big") & 0x7FFF_FFFF_FFFF_FFFF


@dataclass(frozen=True, slots=True)
class Expired:
    """An intervention whose raw answers are past their retention period."""

    id: str
    title: str
    closed_at: datetime


class Retention:
    """The purge, what it would remove (dry run), and its daily outbox row."""

    def __init__(self, store: SqlStore, days: int, every: timedelta = timedelta(days=1)) -> None:
        self.store = store
        self.days = days
        self.every = every

    async def expired(self, now: datetime) -> list[Expired]:
        """What a purge at `now` would remove, oldest first (`tst db purge --dry-run`)."""
        async with self.store.sessions() as s:
            return await _expired(s, now - timedelta(days=self.days))

    async def purge(self, now: datetime) -> int | None:
        """Delete the answers, author links, outbox rows, private-line threads, posted-item
        places and the facilitators' private notes of expired interventions (their syntheses,
        contract, board, safety requests and audit log stay). Returns how many interventions
        were purged, or None when another process is purging right now."""
        async with self.store.unit() as uow:
            s = uow.session
            postgres = self.store.engine.dialect.name == "postgresql"
            if postgres and not await s.scalar(select(func.pg_try_advisory_xact_lock(PURGE_LOCK))):
                return None
            ids = [e.id for e in await _expired(s, now - timedelta(days=self.days))]
            if not ids:
                return 0
            await s.execute(
                delete(orm.ResponseAuthorRow).where(orm.ResponseAuthorRow.intervention_id.in_(ids))
            )
            await s.execute(delete(orm.ResponseRow).where(orm.ResponseRow.intervention_id.in_(ids)))
            await s.execute(delete(orm.OutboxRow).where(orm.OutboxRow.intervention_id.in_(ids)))
            # The safety line's threads (counts, and pads emptied at close) and where items
            # were posted go with the raw answers; requests stay, as counts for the report.
            await s.execute(
                delete(orm.LineThreadRow).where(orm.LineThreadRow.intervention_id.in_(ids))
            )
            await s.execute(
                delete(orm.PublishedRow).where(orm.PublishedRow.intervention_id.in_(ids))
            )
            # The facilitators' private notes go with the raw answers.
            await s.execute(
                update(orm.InterventionRow)
                .where(orm.InterventionRow.id.in_(ids))
                .values(notes=None)
            )
            await uow.outdate(ids)
            for iid in ids:
                await uow.audit(iid, now, "system", "retention.purge", f"{self.days}d")
        await self.store.scrub_files()
        return len(ids)

    async def plan(self, now: datetime) -> None:
        """Make sure the daily purge is planned: due now if it never ran (or its row was lost),
        left as it is when it is already waiting."""
        try:
            async with self.store.unit() as uow:
                s = uow.session
                row = orm.OutboxRow
                status = await s.scalar(select(row.status).where(row.key == RETENTION_KEY))
                if status is None:
                    await s.execute(
                        insert(row).values(
                            intervention_id=NO_INTERVENTION,
                            kind=RETENTION_KIND,
                            key=RETENTION_KEY,
                            payload={},
                            due_at=now,
                            status="pending",
                            attempts=0,
                        )
                    )
                elif status != "pending":
                    await s.execute(
                        update(row)
                        .where(row.key == RETENTION_KEY)
                        .values(
                            status="pending",
                            due_at=now,
                            attempts=0,
                            claimed_by=None,
                            lease_until=None,
                            last_error=None,
                        )
                    )
        except IntegrityError:
            pass  # another process planned it at the same moment: one row is enough

    async def forget_events(self, now: datetime) -> int:
        """Drop the ids of events handled longer ago than EVENT_IDS_KEPT: the table of handled
        events would otherwise grow by every click and command for as long as the bot runs."""
        row = orm.ProcessedEventRow
        async with self.store.unit() as uow:
            done = await uow.session.execute(delete(row).where(row.at < now - EVENT_IDS_KEPT))
            return int(done.rowcount)  # type: ignore[attr-defined]

    async def run(self, now: datetime) -> int | None:
        """The daily job: purge, forget old event ids, say how many, plan the next run."""
        purged = await self.purge(now)
        forgotten = await self.forget_events(now)
        log.info(
            "retention: forgot %d handled event id(s) older than %d days",
            forgotten,
            EVENT_IDS_KEPT.days,
        )
        if purged is None:
            log.info("retention: another process is purging; next run in %s", self.every)
        else:
            log.info(
                "retention: purged the answers of %d intervention(s) closed more than %d days ago",
                purged,
                self.days,
            )
        async with self.store.unit() as uow:
            await uow.enqueue(NO_INTERVENTION, RETENTION_KIND, {}, now + self.every, RETENTION_KEY)
        return purged


async def _expired(s: AsyncSession, cutoff: datetime) -> list[Expired]:
    i = orm.InterventionRow
    has_rows = or_(
        exists().where(orm.ResponseRow.intervention_id == i.id),
        exists().where(orm.OutboxRow.intervention_id == i.id),
    )
    found = await s.execute(
        select(i.id, i.title, i.closed_at)
        .where(i.status == "closed", i.closed_at < cutoff, has_rows)
        .order_by(i.closed_at, i.id)
    )
    return [Expired(row.id, row.title, row.closed_at) for row in found.all()]
