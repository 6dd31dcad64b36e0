"""SqlStore: rows <-> the Intervention aggregate, event dedupe, the outbox, in one transaction."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import case, delete, event, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.core.model import (
    ATTRIBUTED,
    ActionItem,
    BoardItem,
    ContractVersion,
    GroupQuality,
    Intervention,
    InterventionId,
    Participant,
    Response,
    ResponseId,
    RoundState,
    ScheduledAction,
    SubGroup,
    Synthesis,
    UserId,
)
from bot.core.ports import CAUSES
from bot.storage import orm, safety_rows
from bot.storage.anonymity import fresh_ids, reseal
from bot.storage.codec import decode, encode
from bot.storage.sync import sync_rows as _sync

# Outbox kinds that carry a message to people (timers, spaces and grouping do not).
MESSAGE_KINDS = ("send", "relay", "export", "report", "link")


class ConcurrentUpdate(Exception):
    """Another process saved this intervention first: the runner retries the event."""


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    intervention_id: str
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    attempts: int


def _lit(value: object) -> Any:
    """A column holding a Literal-typed value (written only by this store)."""
    return value


def make_engine(url: str) -> AsyncEngine:
    """The database engine. Parameters never reach a log line, whatever the log level: they
    are answers, names and ids (SQLAlchemy would print them beside each statement)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        _own_sqlite_transactions(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)


def _own_sqlite_transactions(engine: AsyncEngine) -> None:
    """Take transaction control away from the sqlite3 module, which otherwise begins
    transactions lazily: a SAVEPOINT then opens one of its own and its RELEASE commits,
    so an event's dedupe row outlived the rollback of a collided attempt and the retry
    was taken for a platform duplicate (SQLAlchemy's documented pysqlite recipe).
    IMMEDIATE takes the write lock up front: SQLite has one writer anyway, and two
    deferred transactions upgrading at once would fail with "database is locked"."""

    @event.listens_for(engine.sync_engine, "connect")
    def _autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        # Deleted rows are overwritten with zeros in the file, not left in free pages: an
        # erased answer, or the insertion order of a round's answers before they were
        # re-sealed at close, cannot be read back from the file.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class KeptAggregates:
    """Interventions as this process last read or committed them, by version.

    Every change to an aggregate goes through `UnitOfWork.save`, which bumps its version (the
    runner's optimistic concurrency relies on that too), so a copy whose version is still the
    stored one is exactly what a fresh load would return. Loading a 1,000-person intervention
    costs tens of milliseconds; an event reuses the copy its predecessor committed instead.
    Copies enter only after their transaction committed, so a rolled-back save never leaves
    a version number that another process could reuse for different content."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._copies: OrderedDict[str, tuple[int, Intervention]] = OrderedDict()

    def get(self, iid: str, version: int) -> Intervention | None:
        kept = self._copies.get(iid)
        if kept is None or kept[0] != version:
            return None
        self._copies.move_to_end(iid)
        return kept[1]

    def put(self, iid: str, version: int, state: Intervention) -> None:
        self._copies[iid] = (version, state)
        self._copies.move_to_end(iid)
        while len(self._copies) > self.size:
            self._copies.popitem(last=False)

    def drop(self, iid: str) -> None:
        self._copies.pop(iid, None)


def as_stored(state: Intervention) -> Intervention:
    """The aggregate as `load` reads it back: the answers of open rounds only."""
    open_keys = {k for k, r in state.rounds.items() if r.status == "open"}
    if all(r.round_key in open_keys for r in state.responses.values()):
        return state
    kept = {rid: r for rid, r in state.responses.items() if r.round_key in open_keys}
    return replace(state, responses=kept)


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
        async with self.engine.begin() as conn:
            await conn.run_sync(orm.Base.metadata.create_all)

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[UnitOfWork]:
        async with self.sessions() as session:
            async with session.begin():
                uow = UnitOfWork(session, self.kept, verify=self.verify_kept)
                yield uow
                await uow.write_outbox()
            uow.committed()

    async def scrub_files(self) -> None:
        """After an erasure or a purge: nothing erased may survive in a file beside the
        database. SQLite's secure_delete already zeroed the deleted rows in the main file;
        in WAL mode the old pages are still in the -wal file until a checkpoint copies the
        zeroed ones over and TRUNCATE empties it. (The default rollback journal is deleted at
        each commit.) PostgreSQL keeps no file this process could clean: see the README."""
        if self.engine.dialect.name != "sqlite":
            return

        def checkpoint(conn: Any) -> None:
            # On the driver's connection: a checkpoint cannot run inside the BEGIN IMMEDIATE
            # every SQLAlchemy transaction opens here.
            cursor = conn.connection.dbapi_connection.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()

        async with self.engine.connect() as conn:
            await conn.run_sync(checkpoint)

    async def close(self) -> None:
        await self.engine.dispose()


class UnitOfWork:
    """Everything one event does, committed together or not at all."""

    def __init__(self, session: AsyncSession, kept: KeptAggregates, verify: bool) -> None:
        self.session = session
        self._outbox: list[dict[str, Any]] = []
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
        await self.session.execute(
            update(orm.InterventionRow)
            .where(orm.InterventionRow.id.in_(ids))
            .values(version=orm.InterventionRow.version + 1)
        )
        for iid in ids:
            self._versions.pop(iid, None)
            self._to_keep.pop(iid, None)

    async def first_time(self, platform: str, event_id: str, now: datetime) -> bool:
        """Record the event id; False when it was already processed (a platform retry)."""
        try:
            async with self.session.begin_nested():
                self.session.add(
                    orm.ProcessedEventRow(platform=platform, event_id=event_id, at=now)
                )
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def find(
        self, platform: str, workspace: str, channel: str, *, lock: bool = False
    ) -> Intervention | None:
        row = await self.session.scalar(
            select(orm.InterventionRow)
            .where(
                orm.InterventionRow.platform == platform,
                orm.InterventionRow.workspace == workspace,
                orm.InterventionRow.channel == channel,
            )
            # The channel's running intervention first; else its latest closed one.
            .order_by(
                case((orm.InterventionRow.status == "closed", 1), else_=0),
                orm.InterventionRow.created_at.desc(),
            )
            .limit(1)
        )
        return await self.load(InterventionId(row.id), lock=lock) if row is not None else None

    async def find_for_user(
        self, platform: str, workspace: str, user: str, *, lock: bool = False
    ) -> Intervention | None:
        """A command typed in a DM applies to the person's most recent open intervention."""
        row = await self.session.scalar(
            select(orm.InterventionRow)
            .join(orm.ParticipantRow, orm.ParticipantRow.intervention_id == orm.InterventionRow.id)
            .where(
                orm.InterventionRow.platform == platform,
                orm.InterventionRow.workspace == workspace,
                orm.InterventionRow.status != "closed",
                orm.ParticipantRow.user == user,
            )
            .order_by(orm.InterventionRow.created_at.desc())
            .limit(1)
        )
        return await self.load(InterventionId(row.id), lock=lock) if row is not None else None

    async def running_for(
        self, platform: str, workspace: str | None, user: str
    ) -> list[InterventionId]:
        """The person's interventions that have not closed, oldest first (a DM to the bot
        is answered with what waits for them in each). `workspace` None: in any of them (a
        Discord DM belongs to no guild; a Discord user id is the same in every guild)."""
        row, member = orm.InterventionRow, orm.ParticipantRow
        where = [row.platform == platform, row.status != "closed", member.user == user]
        if workspace is not None:
            where.append(row.workspace == workspace)
        found = await self.session.scalars(
            select(row.id)
            .join(member, member.intervention_id == row.id)
            .where(*where)
            .order_by(row.created_at)
        )
        return [InterventionId(i) for i in found]

    async def load(self, iid: InterventionId, *, lock: bool = False) -> Intervention | None:
        """The whole aggregate. `lock` holds its row until commit (FOR UPDATE on PostgreSQL;
        SQLite's IMMEDIATE transactions already serialize writers), so events that hit one
        intervention at once queue instead of colliding and retrying until they give up."""
        s = self.session
        row = await s.get(orm.InterventionRow, iid, with_for_update=lock)
        if row is None:
            return None
        self._versions[iid] = row.version
        kept = self._kept.get(iid, row.version)
        if kept is not None and not self._verify:
            return kept
        state = await self._read(row)
        if kept is not None and kept != state:
            raise AssertionError(f"the copy kept of {iid} v{row.version} differs from the rows")
        self._to_keep[iid] = (row.version, state)
        return state

    async def _read(self, row: orm.InterventionRow) -> Intervention:
        """The aggregate from its rows."""
        s = self.session
        iid = row.id
        participants = {
            UserId(p.user): Participant(
                UserId(p.user),
                p.display_name,
                _lit(p.role),
                _lit(p.consent),
                _lit(p.locale),
                p.timezone,
                dict(p.attributes),
                p.joined_at,
                p.left_at,
                _lit(p.platform_locale),
            )
            for p in await s.scalars(
                select(orm.ParticipantRow).where(orm.ParticipantRow.intervention_id == iid)
            )
        }
        rounds = {
            r.key: RoundState(
                r.key,
                _lit(r.status),
                r.opened_at,
                frozenset(UserId(u) for u in r.recipients),
                r.closed_at,
                r.reminded,
                r.published,
                tuple(r.items),
                r.context,
                frozenset(UserId(u) for u in r.deferred),
            )
            for r in await s.scalars(
                select(orm.RoundRow).where(orm.RoundRow.intervention_id == iid)
            )
        }
        open_keys = [k for k, r in rounds.items() if r.status == "open"]
        responses: dict[ResponseId, Response] = {}
        if open_keys:
            # The engine needs authors of open rounds (edits, reminders): this is the one join.
            query = (
                select(orm.ResponseRow, orm.ResponseAuthorRow.author)
                .join(
                    orm.ResponseAuthorRow, orm.ResponseAuthorRow.response_id == orm.ResponseRow.id
                )
                .where(
                    orm.ResponseRow.intervention_id == iid, orm.ResponseRow.round_key.in_(open_keys)
                )
            )
            for resp, author in (await s.execute(query)).all():
                responses[ResponseId(resp.id)] = Response(
                    ResponseId(resp.id),
                    resp.round_key,
                    resp.prompt_key,
                    UserId(author),
                    decode(resp.value),
                    _lit(resp.visibility),
                    resp.skipped,
                    resp.subgroup,
                )
        syntheses = {
            r.round_key: cast(Synthesis, decode(r.body))
            for r in await s.scalars(
                select(orm.SynthesisRow).where(orm.SynthesisRow.intervention_id == iid)
            )
        }
        contract = tuple(
            ContractVersion(c.version, c.text, _lit(c.status), c.created_at, c.adopted_at)
            for c in await s.scalars(
                select(orm.ContractRow)
                .where(orm.ContractRow.intervention_id == iid)
                .order_by(orm.ContractRow.version)
            )
        )
        board = tuple(
            BoardItem(b.id, _lit(b.kind), b.text, tuple(b.links), b.status)
            for b in await s.scalars(
                select(orm.BoardRow)
                .where(orm.BoardRow.intervention_id == iid)
                .order_by(orm.BoardRow.id)
            )
        )
        subgroups = tuple(
            SubGroup(g.index, tuple(UserId(u) for u in g.members), g.space, _lit(g.status))
            for g in await s.scalars(
                select(orm.SubGroupRow)
                .where(orm.SubGroupRow.intervention_id == iid)
                .order_by(orm.SubGroupRow.index)
            )
        )
        actions = tuple(
            ActionItem(a.id, a.text, UserId(a.owner), a.due, a.proposal, _lit(a.status))
            for a in await s.scalars(
                select(orm.ActionRow)
                .where(orm.ActionRow.intervention_id == iid)
                .order_by(orm.ActionRow.id)
            )
        )
        scheduled = tuple(
            ScheduledAction(a.id, a.command, a.due, UserId(a.actor), a.every or "")
            for a in await s.scalars(
                select(orm.ScheduledRow)
                .where(orm.ScheduledRow.intervention_id == iid)
                .order_by(orm.ScheduledRow.id)
            )
        )
        quality = cast(GroupQuality, decode(row.group_quality)) if row.group_quality else None
        lines, requests = await safety_rows.read(s, iid)
        return Intervention(
            id=InterventionId(row.id),
            platform=row.platform,
            workspace=row.workspace,
            channel=row.channel,
            title=row.title,
            status=_lit(row.status),
            locale=_lit(row.locale),
            timezone=row.timezone,
            created_at=row.created_at,
            address_form=_lit(row.address_form),
            k_anonymity_min=row.k_anonymity_min,
            anonymity=_lit(row.anonymity),
            step=_lit(row.step),
            participants=participants,
            rounds=rounds,
            responses=responses,
            syntheses=syntheses,
            contract=contract,
            board=board,
            subgroups=subgroups,
            group_quality=quality,
            actions=actions,
            scheduled=scheduled,
            closed_at=row.closed_at,
            paused_at=row.paused_at,
            lines=lines,
            requests=requests,
            help=dict(row.help or {}),
        )

    async def version_of(self, iid: str) -> int:
        if iid in self._versions:  # read (and locked, if asked) by `load` in this unit
            return self._versions[iid]
        v = await self.session.scalar(
            select(orm.InterventionRow.version).where(orm.InterventionRow.id == iid)
        )
        return int(v or 0)

    async def save(
        self, before: Intervention | None, after: Intervention, version: int
    ) -> Intervention:
        """Write what changed; return the aggregate as stored. New answers get random ids
        here, and the answers of a round that closes are re-sealed (`anonymity.reseal`).
        Answers are never deleted here otherwise: only erasure and retention delete them."""
        s = self.session
        known = before.responses if before is not None else {}
        fresh = fresh_ids([rid for rid in after.responses if rid not in known])
        if fresh:
            after = replace(
                after,
                responses={
                    ResponseId(fresh.get(rid, rid)): replace(r, id=ResponseId(fresh.get(rid, rid)))
                    for rid, r in after.responses.items()
                },
            )
        head = {
            "platform": after.platform,
            "workspace": after.workspace,
            "channel": after.channel,
            "title": after.title,
            "status": after.status,
            "locale": after.locale,
            "timezone": after.timezone,
            "address_form": after.address_form,
            "k_anonymity_min": after.k_anonymity_min,
            "anonymity": after.anonymity,
            "step": after.step,
            "group_quality": encode(after.group_quality) if after.group_quality else None,
            "created_at": after.created_at,
            "closed_at": after.closed_at,
            "paused_at": after.paused_at,
            "help": dict(after.help) or None,
        }
        if before is None:
            s.add(orm.InterventionRow(id=after.id, version=1, **head))
            await s.flush()
        else:
            done = await s.execute(
                update(orm.InterventionRow)
                .where(orm.InterventionRow.id == after.id, orm.InterventionRow.version == version)
                .values(version=version + 1, **head)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise ConcurrentUpdate(after.id)
        self._versions[after.id] = saved = 1 if before is None else version + 1
        self._to_keep[after.id] = (saved, as_stored(after))
        old = before or Intervention(after.id, "", "", "", "", "draft", "fr", "", after.created_at)
        iid = after.id
        await _sync(
            s,
            orm.ParticipantRow,
            iid,
            old.participants,
            after.participants,
            lambda p: {
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
            },
            delete_missing=True,
            key_cols=("user",),
        )
        await _sync(
            s,
            orm.RoundRow,
            iid,
            old.rounds,
            after.rounds,
            lambda r: {
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
            },
            key_cols=("key",),
        )
        await _sync(
            s,
            orm.SynthesisRow,
            iid,
            old.syntheses,
            after.syntheses,
            lambda y: {"round_key": y.round_key, "body": encode(y)},
            key_cols=("round_key",),
        )
        await _sync(
            s,
            orm.ContractRow,
            iid,
            {c.version: c for c in old.contract},
            {c.version: c for c in after.contract},
            lambda c: {
                "version": c.version,
                "text": c.text,
                "status": c.status,
                "created_at": c.created_at,
                "adopted_at": c.adopted_at,
            },
            key_cols=("version",),
        )
        await _sync(
            s,
            orm.BoardRow,
            iid,
            {b.id: b for b in old.board},
            {b.id: b for b in after.board},
            lambda b: {
                "id": b.id,
                "kind": b.kind,
                "text": b.text,
                "links": list(b.links),
                "status": b.status,
            },
            key_cols=("id",),
        )
        await _sync(
            s,
            orm.SubGroupRow,
            iid,
            {g.index: g for g in old.subgroups},
            {g.index: g for g in after.subgroups},
            lambda g: {
                "index": g.index,
                "members": list(g.members),
                "space": g.space,
                "status": g.status,
            },
            delete_missing=True,
            key_cols=("index",),
        )
        await _sync(
            s,
            orm.ActionRow,
            iid,
            {a.id: a for a in old.actions},
            {a.id: a for a in after.actions},
            lambda a: {
                "id": a.id,
                "text": a.text,
                "owner": a.owner,
                "due": a.due,
                "proposal": a.proposal,
                "status": a.status,
            },
            key_cols=("id",),
        )
        await _sync(
            s,
            orm.ScheduledRow,
            iid,
            {a.id: a for a in old.scheduled},
            {a.id: a for a in after.scheduled},
            lambda a: {
                "id": a.id,
                "command": a.command,
                "due": a.due,
                "actor": a.actor,
                "every": a.every or None,
            },
            delete_missing=True,
            key_cols=("id",),
        )
        for rid, resp in after.responses.items():
            if old.responses.get(rid) == resp:
                continue
            values = {
                "round_key": resp.round_key,
                "prompt_key": resp.prompt_key,
                "value": encode(resp.value),
                "visibility": resp.visibility,
                "skipped": resp.skipped,
                "subgroup": resp.subgroup,
                # A name is stored with the answer only when its visibility carries one.
                "attributed_to": resp.author if resp.visibility in ATTRIBUTED else None,
            }
            if rid in old.responses:
                await s.execute(
                    update(orm.ResponseRow).where(orm.ResponseRow.id == rid).values(**values)
                )
            else:
                await s.execute(
                    insert(orm.ResponseRow).values(id=rid, intervention_id=iid, **values)
                )
                await s.execute(
                    insert(orm.ResponseAuthorRow).values(
                        response_id=rid, intervention_id=iid, author=resp.author
                    )
                )
        await safety_rows.save(s, iid, old, after)
        closing = [
            key
            for key, rnd in after.rounds.items()
            if rnd.status == "closed" and key in old.rounds and old.rounds[key].status == "open"
        ]
        await reseal(s, iid, closing, full=after.anonymity == "full")
        return after

    async def audit(self, iid: str, at: datetime, actor: str, action: str, target: str) -> None:
        self.session.add(
            orm.AuditRow(
                intervention_id=iid, at=at, actor=actor, action=action, target=target[:200]
            )
        )

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
        if key is not None:
            await self.write_outbox()  # rows keep the order they were queued in
            # A timer with the same key replaces the earlier one (re-planning never duplicates).
            await self.session.execute(
                delete(orm.OutboxRow).where(
                    orm.OutboxRow.key == key, orm.OutboxRow.status.in_(safety_rows.WAITING)
                )
            )
            await self.session.flush()
            existing = await self.session.scalar(
                select(orm.OutboxRow.id).where(orm.OutboxRow.key == key)
            )
            if existing is not None:
                await self.session.execute(
                    update(orm.OutboxRow)
                    .where(orm.OutboxRow.id == existing)
                    .values(
                        status=status,
                        payload=payload,
                        due_at=due_at,
                        attempts=0,
                        claimed_by=None,
                        lease_until=None,
                        last_error=None,
                    )
                )
                return
            self.session.add(
                orm.OutboxRow(
                    intervention_id=iid,
                    kind=kind,
                    key=key,
                    payload=payload,
                    due_at=due_at,
                    status=status,
                    attempts=0,
                )
            )
            return
        self._outbox.append(
            {
                "intervention_id": iid,
                "kind": kind,
                "key": None,
                "payload": payload,
                "due_at": due_at,
                "status": status,
                "attempts": 0,
            }
        )

    async def write_outbox(self) -> None:
        """Rows queued without a key, in one executemany (done before the unit commits). A
        round opened for 1,000 people queues 1,000: as ORM objects they cost ten times more,
        and the prompts could not leave before that commit."""
        if self._outbox:
            rows, self._outbox = self._outbox, []
            await self.session.execute(insert(orm.OutboxRow), rows)

    async def undelivered(self, iid: str) -> dict[str, int]:
        """How many of this intervention's messages went to the dead letters, by cause (not
        in the channel, DMs closed, account deactivated...): counts, the rows name no one."""
        row = orm.OutboxRow
        found = await self.session.execute(
            select(row.last_error, func.count())
            .where(row.intervention_id == iid, row.status == "dead", row.kind.in_(MESSAGE_KINDS))
            .group_by(row.last_error)
        )
        counts: dict[str, int] = {}
        for cause, n in found.all():
            known = cause if cause in CAUSES else "refused"  # rows from before causes
            counts[known] = counts.get(known, 0) + int(n)
        return counts

    async def unreachable(self, iid: str, reason: str) -> set[str]:
        """Who this intervention's direct messages could not reach for `reason` (dead letters:
        a platform's "DMs closed"), for the platform to show a count and offer another way;
        shared by every process and kept across restarts."""
        row = orm.OutboxRow
        found = await self.session.scalars(
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

    async def cancel(self, key: str) -> None:
        await self.session.execute(
            update(orm.OutboxRow)
            .where(orm.OutboxRow.key == key, orm.OutboxRow.status.in_(safety_rows.WAITING))
            .values(status="cancelled")
        )


def due_filter(now: datetime) -> Any:
    return (
        orm.OutboxRow.status == "pending",
        orm.OutboxRow.due_at <= now,
        or_(orm.OutboxRow.lease_until.is_(None), orm.OutboxRow.lease_until < now),
    )
