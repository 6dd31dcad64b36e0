"""The outbox seen by dispatchers: claim due rows under a lease, then mark, retry or bury them."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, Integer, String, bindparam, case, func, or_, select, text, update
from sqlalchemy.dialects import postgresql

from bot.storage import orm

if TYPE_CHECKING:  # bot/storage/store.py imports this module: the type only
    from bot.storage.store import SqlStore


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    intervention_id: str
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    attempts: int


def due_filter(now: datetime) -> Any:
    """Rows a dispatcher may claim at `now`: waiting, due, and not leased to a live holder."""
    return (
        orm.OutboxRow.status == "pending",
        orm.OutboxRow.due_at <= now,
        or_(orm.OutboxRow.lease_until.is_(None), orm.OutboxRow.lease_until < now),
    )


MARK_LINGER = 0.002  # seconds
# Every mark of a group in one statement on PostgreSQL: the rows still held come back.
MARK_MANY = text(
    """UPDATE outbox SET status = 'done', lease_until = NULL, delivered_at = v.at,
    external_ref = v.ref
    FROM unnest(:ids, :ats, :refs) AS v(id, at, ref)
    WHERE outbox.id = v.id AND outbox.claimed_by = :worker
    RETURNING outbox.id"""
).bindparams(
    bindparam("ids", type_=postgresql.ARRAY(Integer)),
    bindparam("ats", type_=postgresql.ARRAY(DateTime(timezone=True))),
    bindparam("refs", type_=postgresql.ARRAY(String)),
)
MARK_ONE = (
    update(orm.OutboxRow)
    .where(orm.OutboxRow.id == bindparam("i"))
    .values(
        status="done",
        lease_until=None,
        delivered_at=bindparam("at", type_=orm.UtcDateTime()),
        external_ref=bindparam("ref"),
    )
)


@dataclass(frozen=True, slots=True)
class _Mark:
    item_id: int
    worker: str
    at: datetime
    ref: str | None
    held: asyncio.Future[bool]


class SqlOutbox:
    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self._marks: list[_Mark] = []
        self._writer: asyncio.Task[None] | None = None

    async def claim(
        self, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[OutboxItem]:
        """Claim due rows, in one statement. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several
        processes share the work; the lease makes a row expire back to others if its holder
        dies. (One round trip per batch: the dispatcher's throughput is mostly round trips.)"""
        row = orm.OutboxRow
        chosen = (
            select(row.id)
            .where(*due_filter(now))
            .order_by(row.due_at, row.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        take = (
            update(row)
            .where(row.id.in_(chosen.scalar_subquery()), *due_filter(now)[2:])
            .values(claimed_by=worker, lease_until=now + lease, attempts=row.attempts + 1)
            .returning(row.id, row.intervention_id, row.kind, row.payload, row.due_at, row.attempts)
        )
        async with self.store.sessions() as s, s.begin():
            conn = await s.connection()  # Core: the ORM's bookkeeping is not needed here
            rows = (await conn.execute(take)).all()
        items = [OutboxItem(r[0], r[1], r[2], dict(r[3]), r[4], r[5]) for r in rows]
        return sorted(items, key=lambda item: (item.due_at, item.id))  # RETURNING has no order

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
        """Mark a row delivered, once committed; False when `worker` no longer holds it.

        Group commit: marks asked for while another transaction of marks is being written go
        together in the next one. Each mark still waits only for its own commit (never for a
        batch to fill), and deliveries running side by side cost a few transactions, not one
        each (on SQLite, one commit each was most of a fan-out's time)."""
        loop = asyncio.get_running_loop()
        mark = _Mark(item_id, worker, now, ref, loop.create_future())
        self._marks.append(mark)
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write_marks())
        # Shielded: a caller that stops waiting does not undo a delivery's mark.
        return await asyncio.shield(mark.held)

    async def _write_marks(self) -> None:
        while self._marks:
            # Deliveries finishing within a moment of each other share one commit (a batch of
            # quick deliveries costs a few statements, not one each); a moment is far below a
            # platform call's own time, so no delivery waits noticeably for its mark.
            await asyncio.sleep(MARK_LINGER)
            marks, self._marks = self._marks, []
            try:
                held = await self._done_many(marks)
            except BaseException as error:
                for mark in marks:
                    if not mark.held.done():
                        mark.held.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                continue
            for mark, ok in zip(marks, held, strict=True):
                if not mark.held.done():
                    mark.held.set_result(ok)

    async def _done_many(self, marks: Sequence[_Mark]) -> list[bool]:
        """Mark the rows each worker still holds, and learn which those were: fencing stays row
        by row (a lost lease fails its own mark, not the others)."""
        held: set[int] = set()
        async with self.store.sessions() as s, s.begin():
            conn = await s.connection()  # Core: the ORM's bookkeeping is not needed here
            for worker in {m.worker for m in marks}:
                mine = [m for m in marks if m.worker == worker]
                if conn.dialect.name == "postgresql":
                    # One round trip whatever the number of marks (asyncpg binds the arrays).
                    done = await conn.execute(
                        MARK_MANY,
                        {
                            "ids": [m.item_id for m in mine],
                            "ats": [m.at for m in mine],
                            "refs": [m.ref for m in mine],
                            "worker": worker,
                        },
                    )
                    held.update(done.scalars())
                    continue
                row = orm.OutboxRow
                ids = [m.item_id for m in mine]
                held_now = set(
                    await conn.scalars(
                        select(row.id).where(row.id.in_(ids), row.claimed_by == worker)
                    )
                )
                values = [
                    {"i": m.item_id, "at": m.at, "ref": m.ref}
                    for m in mine
                    if m.item_id in held_now
                ]
                if values:
                    await conn.execute(MARK_ONE, values)  # executemany
                held |= held_now
        return [m.item_id in held for m in marks]

    async def done_blank(self, item_id: int, worker: str, now: datetime) -> bool:
        """A safety-line row the platform took: marked done with neither its words nor its
        address nor the platform's message id, so the database keeps no trace of what was
        said or to whom. (Not deleted: a deleted row's id could be given to the next row,
        whose delivery key, a Discord nonce, would then repeat.)"""
        return await self._finish(
            item_id, worker, status="done", payload={}, delivered_at=now, external_ref=None
        )

    async def release(self, item_ids: Sequence[int], worker: str, due_at: datetime) -> int:
        """Give claimed rows back untried, due at `due_at`: they wait behind an earlier delivery
        to the same place that must be retried. Their claim does not count as an attempt."""
        if not item_ids:
            return 0
        async with self.store.sessions() as s, s.begin():
            done = await s.execute(
                update(orm.OutboxRow)
                .where(orm.OutboxRow.id.in_(item_ids), orm.OutboxRow.claimed_by == worker)
                .values(
                    status=_waiting(),
                    due_at=due_at,
                    claimed_by=None,
                    lease_until=None,
                    attempts=orm.OutboxRow.attempts - 1,
                )
            )
            return int(done.rowcount)  # type: ignore[attr-defined]

    async def retry(self, item_id: int, worker: str, due_at: datetime, error: str) -> bool:
        return await self._finish(
            item_id,
            worker,
            status=_waiting(),
            due_at=due_at,
            last_error=error[:2000],
            claimed_by=None,
        )

    async def dead(
        self, item_id: int, worker: str, error: str, payload: dict[str, object] | None = None
    ) -> bool:
        """Given up. `payload` replaces what the row carried (a safety-line message keeps
        only its address: nobody reads a dead letter's words later)."""
        values: dict[str, object] = {"status": "dead", "last_error": error[:2000]}
        if payload is not None:
            values["payload"] = payload
        return await self._finish(item_id, worker, **values)

    async def waiting(
        self, intervention_id: str, cause: str, besides: int, since: datetime
    ) -> bool:
        """Whether another row of this intervention waits to be retried for `cause`, or died
        of it after `since` (the facilitators were told when that one first failed)."""
        row = orm.OutboxRow
        # A row held by a pause still waits: the facilitators were told of it all the same.
        recent = row.status.in_(("pending", "held")) | (
            (row.status == "dead") & (row.due_at >= since)
        )
        async with self.store.sessions() as s:
            found = await s.scalar(
                select(row.id)
                .where(
                    row.intervention_id == intervention_id,
                    row.last_error == cause,
                    row.id != besides,
                    recent,
                )
                .limit(1)
            )
            return found is not None

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


def _waiting() -> object:
    """A row given back waits again, unless a pause held it meanwhile: then it stays held."""
    return case((orm.OutboxRow.status == "held", "held"), else_="pending")
