"""The outbox seen by dispatchers: claim due rows under a lease, then mark, retry or bury them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from bot.storage import orm
from bot.storage.store import OutboxItem, SqlStore, due_filter


class SqlOutbox:
    def __init__(self, store: SqlStore) -> None:
        self.store = store

    async def claim(
        self, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[OutboxItem]:
        """Claim due rows. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several processes share
        the work; the guarded UPDATE makes a row expire back to others if its holder dies."""
        async with self.store.sessions() as s, s.begin():
            ids = list(
                await s.scalars(
                    select(orm.OutboxRow.id)
                    .where(*due_filter(now))
                    .order_by(orm.OutboxRow.due_at, orm.OutboxRow.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                return []
            await s.execute(
                update(orm.OutboxRow)
                .where(orm.OutboxRow.id.in_(ids), *due_filter(now)[2:])
                .values(
                    claimed_by=worker, lease_until=now + lease, attempts=orm.OutboxRow.attempts + 1
                )
            )
            rows = await s.scalars(
                select(orm.OutboxRow)
                .where(
                    orm.OutboxRow.id.in_(ids),
                    orm.OutboxRow.claimed_by == worker,
                    orm.OutboxRow.lease_until == now + lease,
                )
                .order_by(orm.OutboxRow.due_at, orm.OutboxRow.id)
            )
            return [
                OutboxItem(r.id, r.intervention_id, r.kind, dict(r.payload), r.due_at, r.attempts)
                for r in rows
            ]

    async def _finish(self, item_id: int, worker: str, **values: object) -> bool:
        async with self.store.sessions() as s, s.begin():
            done = await s.execute(
                update(orm.OutboxRow)
                # Fencing: a worker whose lease expired cannot overwrite the new holder's result.
                .where(orm.OutboxRow.id == item_id, orm.OutboxRow.claimed_by == worker)
                .values(lease_until=None, **values)
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]

    async def done(self, item_id: int, worker: str, now: datetime, ref: str | None) -> bool:
        return await self._finish(
            item_id, worker, status="done", delivered_at=now, external_ref=ref
        )

    async def retry(self, item_id: int, worker: str, due_at: datetime, error: str) -> bool:
        return await self._finish(
            item_id,
            worker,
            status="pending",
            due_at=due_at,
            last_error=error[:2000],
            claimed_by=None,
        )

    async def dead(self, item_id: int, worker: str, error: str) -> bool:
        return await self._finish(item_id, worker, status="dead", last_error=error[:2000])

    async def next_due(self) -> datetime | None:
        async with self.store.sessions() as s:
            value: datetime | None = await s.scalar(
                select(func.min(orm.OutboxRow.due_at)).where(orm.OutboxRow.status == "pending")
            )
            if value is None:
                return None
            return orm.UtcDateTime().process_result_value(value, self.store.engine.dialect)

    async def counts(self, intervention_id: str | None = None) -> dict[str, int]:
        async with self.store.sessions() as s:
            query = select(orm.OutboxRow.status, func.count()).group_by(orm.OutboxRow.status)
            if intervention_id is not None:
                query = query.where(orm.OutboxRow.intervention_id == intervention_id)
            return {status: int(n) for status, n in (await s.execute(query)).all()}
