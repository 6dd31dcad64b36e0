"""The outbox seen by dispatchers: claim due rows under a lease, then mark, retry or bury them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, Integer, String, bindparam, case, func, or_, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import BindParameter

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
    # Its intervention's version when the row was claimed (None: the intervention is gone):
    # a dispatcher's kept copy of that version needs no statement of its own to be trusted.
    version: int | None = None


def due_filter(now: datetime | BindParameter[datetime]) -> Any:
    """Rows a dispatcher may claim at `now`: waiting, due, and not leased to a live holder."""
    return (
        orm.OutboxRow.status == "pending",
        orm.OutboxRow.due_at <= now,
        or_(orm.OutboxRow.lease_until.is_(None), orm.OutboxRow.lease_until < now),
    )


# A mark waits for others while they keep coming, each at most MARK_QUIET after the last, and
# never more than MARK_LINGER in all: far below a platform call's own time.
MARK_QUIET = 0.002  # seconds
MARK_LINGER = 0.02  # seconds
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


def _claim() -> Any:
    """The claim, built once (a claim per batch rebuilt it each time): due rows, oldest first,
    taken under a lease; on PostgreSQL `FOR UPDATE SKIP LOCKED` lets several processes share
    the work."""
    row = orm.OutboxRow
    now = bindparam("now", type_=orm.UtcDateTime())
    chosen = (
        select(row.id)
        .where(*due_filter(now))
        .order_by(row.due_at, row.id)
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(skip_locked=True)
    )
    return (
        update(row)
        .where(row.id.in_(chosen.scalar_subquery()), *due_filter(now)[2:])
        .values(
            claimed_by=bindparam("worker"),
            lease_until=bindparam("until", type_=orm.UtcDateTime()),
            attempts=row.attempts + 1,
        )
        .returning(
            row.id,
            row.intervention_id,
            row.kind,
            row.payload,
            row.due_at,
            row.attempts,
            select(orm.InterventionRow.version)
            .where(orm.InterventionRow.id == row.intervention_id)
            .scalar_subquery(),
        )
    )


CLAIM = _claim()
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
        self._wake: asyncio.Future[None] | None = None  # the writer's wait for more marks
        self._now = False  # flush(): nothing more is coming, write what is asked
        self._unsettled = 0  # rows of the dispatcher's batch without an outcome yet

    async def claim(
        self, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[OutboxItem]:
        """Claim due rows, in one statement. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several
        processes share the work; the lease makes a row expire back to others if its holder
        dies. (One round trip per batch: the dispatcher's throughput is mostly round trips.)"""
        async with self._single() as conn:
            rows = (
                await conn.execute(
                    CLAIM,
                    {"now": now, "until": now + lease, "limit": limit, "worker": worker},
                )
            ).all()
        items = [OutboxItem(r[0], r[1], r[2], dict(r[3]), r[4], r[5], r[6]) for r in rows]
        return sorted(items, key=lambda item: (item.due_at, item.id))  # RETURNING has no order

    @contextlib.asynccontextmanager
    async def _single(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one statement that is its own transaction. On PostgreSQL it runs
        in autocommit (a single statement is atomic there): no BEGIN and COMMIT round trips.
        Core, not a session: the ORM's bookkeeping is not needed here."""
        engine = self.store.engine
        if engine.dialect.name == "postgresql":
            async with engine.connect() as conn:
                yield await conn.execution_options(isolation_level="AUTOCOMMIT")
            return
        async with self.store.sessions() as s, s.begin():
            yield await s.connection()

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

        Group commit: marks asked for one shortly after the other go together in one
        transaction (see `_gather_marks`), and so do those asked for while it is written.
        A mark waits at most MARK_LINGER for others, never for a batch to fill; `flush` cuts
        the wait short. A batch of quick deliveries costs one commit, not one each (on
        SQLite, one commit each was most of a fan-out's time)."""
        # Shielded: a caller that stops waiting does not undo a delivery's mark.
        return await asyncio.shield(self.ask_done(item_id, worker, now, ref))

    def ask_done(
        self, item_id: int, worker: str, now: datetime, ref: str | None
    ) -> asyncio.Future[bool]:
        """`done`, queued at once: the future tells, once committed, whether the mark held."""
        loop = asyncio.get_running_loop()
        mark = _Mark(item_id, worker, now, ref, loop.create_future())
        self._marks.append(mark)
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write_marks())
        return mark.held

    def expect(self, rows: int) -> None:
        """A claimed batch of `rows` begins: each calls `settled` once its outcome is known."""
        self._unsettled = rows

    def settled(self) -> None:
        """One row of the batch has its outcome (its mark, if any, asked for): after the
        last, the marks asked for are written without waiting for more."""
        self._unsettled -= 1
        if self._unsettled <= 0:
            self.flush()

    def flush(self) -> None:
        """Write the marks asked for so far without waiting for more: the caller has nothing
        left in flight (a claimed batch whose deliveries have all settled)."""
        if not self._marks:
            return
        self._now = True
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)

    async def _gather_marks(self) -> list[_Mark]:
        """The marks to write together: deliveries finishing one after the other (a batch of
        quick ones) share one commit instead of each paying its own round trips."""
        loop = asyncio.get_running_loop()
        started, seen = loop.time(), 0
        while len(self._marks) > seen and not self._now and loop.time() - started < MARK_LINGER:
            seen = len(self._marks)
            self._wake = wake = loop.create_future()
            timer = loop.call_later(MARK_QUIET, _wake_up, wake)
            try:
                await wake
            finally:
                timer.cancel()
                self._wake = None
        self._now = False
        marks, self._marks = self._marks, []
        return marks

    async def _write_marks(self) -> None:
        while self._marks:
            marks = await self._gather_marks()
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
        workers = {m.worker for m in marks}
        if len(workers) == 1 and self.store.engine.dialect.name == "postgresql":
            # A dispatcher's own marks: one statement, one round trip, its own transaction.
            async with self._single() as conn:
                held.update(await self._mark_many(conn, marks, workers.pop()))
            return [m.item_id in held for m in marks]
        async with self.store.sessions() as s, s.begin():
            conn = await s.connection()  # Core: the ORM's bookkeeping is not needed here
            for worker in workers:
                mine = [m for m in marks if m.worker == worker]
                if conn.dialect.name == "postgresql":
                    held.update(await self._mark_many(conn, mine, worker))
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

    @staticmethod
    async def _mark_many(conn: AsyncConnection, marks: Sequence[_Mark], worker: str) -> list[int]:
        """PostgreSQL: one round trip whatever the number of marks (asyncpg binds the arrays);
        the ids `worker` still held, now marked."""
        done = await conn.execute(
            MARK_MANY,
            {
                "ids": [m.item_id for m in marks],
                "ats": [m.at for m in marks],
                "refs": [m.ref for m in marks],
                "worker": worker,
            },
        )
        return list(done.scalars())

    async def done_blank(self, item_id: int, worker: str, now: datetime) -> bool:
        """A safety-line row the platform took: marked done with neither its words nor its
        address nor the platform's message id, so the database keeps no trace of what was
        said or to whom. (Not deleted: a deleted row's id could be given to the next row,
        whose delivery key, a Discord nonce, would then repeat.)"""
        return await self._finish(
            item_id, worker, status="done", payload={}, delivered_at=now, external_ref=None
        )

    async def release(
        self, item_ids: Sequence[int], worker: str, due_at: datetime | None = None
    ) -> int:
        """Give claimed rows back untried, due at `due_at` (they wait behind an earlier delivery
        to the same place that must be retried), or due as they were (a batch claimed ahead of
        one that failed). Their claim does not count as an attempt."""
        if not item_ids:
            return 0
        row = orm.OutboxRow
        # Due again later: waiting (or held, if a pause came meanwhile) from then on; as they
        # were: their status and due time untouched.
        later = {} if due_at is None else {"status": _waiting(), "due_at": due_at}
        async with self.store.sessions() as s, s.begin():
            done = await s.execute(
                update(row)
                .where(row.id.in_(item_ids), row.claimed_by == worker)
                .values(claimed_by=None, lease_until=None, attempts=row.attempts - 1, **later)
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


def _wake_up(wake: asyncio.Future[None]) -> None:
    if not wake.done():
        wake.set_result(None)


def _waiting() -> object:
    """A row given back waits again, unless a pause held it meanwhile: then it stays held."""
    return case((orm.OutboxRow.status == "held", "held"), else_="pending")
