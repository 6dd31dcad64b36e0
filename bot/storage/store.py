"""SqlStore, the storage facade: units of work over the aggregate's modules, one transaction each.

What lives where: the engine (database.py), the row <-> model mapping (mapper.py), reading and
writing a keyed collection (sync.py), the aggregate (interventions.py), its answers
(answers.py, anonymity.py), copies kept between events (kept.py), the outbox as a unit writes it
(outbox_writes.py) and as dispatchers read it (outbox.py), the audit log (audit.py), event
dedupe (dedupe.py), the safety line's rows (safety_rows.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.model import Intervention, InterventionId
from bot.core.wording import Template
from bot.storage import audit, dedupe, interventions, orm, outbox_writes, templates
from bot.storage.answers import with_fresh_ids
from bot.storage.database import create_all, make_engine, scrub_files
from bot.storage.interventions import ConcurrentUpdate
from bot.storage.kept import KeptAggregates, as_stored
from bot.storage.outbox import OutboxItem, due_filter
from bot.storage.outbox_writes import MESSAGE_KINDS, OutboxWrites

__all__ = [
    "MESSAGE_KINDS",
    "ConcurrentUpdate",
    "KeptAggregates",
    "OutboxItem",
    "SqlStore",
    "UnitOfWork",
    "as_stored",
    "due_filter",
    "make_engine",
]


VERSION = select(orm.InterventionRow.version).where(orm.InterventionRow.id == bindparam("iid"))


class SqlStore:
    """Owns the engine and hands out units of work."""

    # Tests switch this on: every kept copy handed out is compared with a fresh load.
    verify_kept = False

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.kept = KeptAggregates()

    async def create_all(self) -> None:
        """For tests only; the application runs Alembic migrations."""
        await create_all(self.engine)

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[UnitOfWork]:
        async with self.sessions() as session:
            async with session.begin():
                uow = UnitOfWork(session, self.kept, verify=self.verify_kept)
                yield uow
                await uow.write_outbox()
            uow.committed()

    async def current(self, iid: str, version: int | None = None) -> Intervention | None:
        """The intervention as stored now, for a reader that writes nothing (the dispatcher,
        once a batch): the kept copy while its version is the stored one, checked in one
        statement (on PostgreSQL in autocommit: no BEGIN and ROLLBACK round trips), else a
        full load. What `UnitOfWork.load` returns, at a fraction of a unit's cost. A caller
        that has just read the stored `version` (a claim returns it) spares that statement."""
        if not self.verify_kept:
            if version is None:
                async with self.engine.connect() as conn:
                    if conn.dialect.name == "postgresql":
                        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                    version = await conn.scalar(VERSION, {"iid": iid})
                if version is None:
                    return None
            kept = self.kept.get(iid, version)
            if kept is not None:
                return kept
        async with self.unit() as uow:
            return await uow.load(InterventionId(iid))

    async def scrub_files(self) -> None:
        """After an erasure or a purge: nothing erased survives in a file beside the database."""
        await scrub_files(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()


class UnitOfWork:
    """Everything one event does, committed together or not at all."""

    def __init__(self, session: AsyncSession, kept: KeptAggregates, verify: bool) -> None:
        self.session = session
        # The outbox rows this unit queues (bot/storage/outbox_writes.py): `enqueue` a row,
        # replacing a timer of the same key; `cancel` a timer; `write_outbox` the rows queued
        # without a key, in one statement (done before the unit commits).
        outbox = OutboxWrites(session)
        self.enqueue = outbox.enqueue
        self.cancel = outbox.cancel
        self.write_outbox = outbox.flush
        self._kept = kept
        self._verify = verify
        # What this unit read or wrote, for the kept copies once (and only if) it commits.
        self._to_keep: dict[str, tuple[int, Intervention]] = {}
        self._versions: dict[str, int] = {}  # as read by `load` or written by `save` here

    def committed(self) -> None:
        for iid, (version, state) in self._to_keep.items():
            self._kept.put(iid, version, state)

    async def outdate(self, ids: Sequence[str]) -> None:
        """Rows of these interventions changed outside `save` (erasure, purge): a version bump
        makes every copy kept of them, in any process, stale."""
        await interventions.outdate(self.session, ids)
        for iid in ids:
            self._versions.pop(iid, None)
            self._to_keep.pop(iid, None)

    async def first_time(self, platform: str, event_id: str, now: datetime) -> bool:
        """Record the event id; False when it was already processed (a platform retry)."""
        return await dedupe.first_time(self.session, platform, event_id, now)

    async def find(
        self, platform: str, workspace: str, channel: str, *, lock: bool = False
    ) -> Intervention | None:
        """The channel's running intervention first; else its latest closed one."""
        found = await interventions.in_channel(self.session, platform, workspace, channel)
        return await self.load(found, lock=lock) if found is not None else None

    async def find_for_user(
        self, platform: str, workspace: str, user: str, *, lock: bool = False
    ) -> Intervention | None:
        """A command typed in a DM applies to the person's most recent open intervention."""
        found = await interventions.latest_for(self.session, platform, workspace, user)
        return await self.load(found, lock=lock) if found is not None else None

    async def running_for(
        self, platform: str, workspace: str | None, user: str
    ) -> list[InterventionId]:
        """The person's interventions that have not closed, oldest first (a DM to the bot
        is answered with what waits for them in each)."""
        return await interventions.running_for(self.session, platform, workspace, user)

    async def load(self, iid: InterventionId, *, lock: bool = False) -> Intervention | None:
        """The whole aggregate. `lock` holds its row until commit (FOR UPDATE on PostgreSQL;
        SQLite's IMMEDIATE transactions already serialize writers), so events that hit one
        intervention at once queue instead of colliding and retrying until they give up."""
        row = await interventions.head(self.session, iid, lock=lock)
        if row is None:
            return None
        self._versions[iid] = row.version
        kept = self._kept.get(iid, row.version)
        if kept is not None and not self._verify:
            return kept
        state = await interventions.read(self.session, row)
        if kept is not None and kept != state:
            raise AssertionError(f"the copy kept of {iid} v{row.version} differs from the rows")
        self._to_keep[iid] = (row.version, state)
        return state

    async def version_of(self, iid: str) -> int:
        if iid in self._versions:  # read (and locked, if asked) by `load` in this unit
            return self._versions[iid]
        return await interventions.version_of(self.session, iid)

    async def save(
        self, before: Intervention | None, after: Intervention, version: int
    ) -> Intervention:
        """Write what changed; return the aggregate as stored. New answers get random ids
        here, and the answers of a round that closes are re-sealed (`anonymity.reseal`).
        Answers are never deleted here otherwise: only erasure and retention delete them."""
        after = with_fresh_ids(before, after)
        saved = await interventions.write(self.session, before, after, version)
        self._versions[after.id] = saved
        self._to_keep[after.id] = (saved, as_stored(after, before))
        return after

    async def audit(self, iid: str, at: datetime, actor: str, action: str, target: str) -> None:
        audit.record(self.session, iid, at, actor, action, target)

    async def templates(self, platform: str, workspace: str) -> dict[str, Template]:
        """The workspace's templates by folded name."""
        return await templates.read(self.session, platform, workspace)

    async def save_template(
        self, platform: str, workspace: str, key: str, template: Template, now: datetime
    ) -> None:
        await templates.write(self.session, platform, workspace, key, template, now)

    async def delete_template(self, platform: str, workspace: str, key: str) -> None:
        await templates.remove(self.session, platform, workspace, key)

    async def undelivered(self, iid: str) -> dict[str, int]:
        """This intervention's messages in the dead letters, counted by cause."""
        return await outbox_writes.undelivered(self.session, iid)

    async def unreachable(self, iid: str, reason: str) -> set[str]:
        """Who this intervention's direct messages could not reach for `reason`."""
        return await outbox_writes.unreachable(self.session, iid, reason)

    async def queued(self, iid: str, item: str) -> bool:
        """Whether a message tagged `item` (a notice the engine edits later) was ever queued
        for this intervention, delivered or not."""
        return await outbox_writes.queued(self.session, iid, item)
