"""The Intervention aggregate in its tables: find it, read it whole, write what changed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.model import Intervention, InterventionId
from bot.storage import answers, orm
from bot.storage.anonymity import reseal
from bot.storage.mapper import COLLECTIONS, head_fields, head_row
from bot.storage.sync import read_collection, write_collection


class ConcurrentUpdate(Exception):
    """Another process saved this intervention first: the runner retries the event."""


async def in_channel(
    s: AsyncSession, platform: str, workspace: str, channel: str
) -> InterventionId | None:
    """The channel's running intervention; else its latest closed one."""
    row = orm.InterventionRow
    found = await s.scalar(
        select(row.id)
        .where(row.platform == platform, row.workspace == workspace, row.channel == channel)
        .order_by(case((row.status == "closed", 1), else_=0), row.created_at.desc())
        .limit(1)
    )
    return InterventionId(found) if found is not None else None


async def latest_for(
    s: AsyncSession, platform: str, workspace: str, user: str
) -> InterventionId | None:
    """The person's most recent intervention that has not closed (a command typed in a DM
    applies to it)."""
    row, member = orm.InterventionRow, orm.ParticipantRow
    found = await s.scalar(
        select(row.id)
        .join(member, member.intervention_id == row.id)
        .where(
            row.platform == platform,
            row.workspace == workspace,
            row.status != "closed",
            member.user == user,
        )
        .order_by(row.created_at.desc())
        .limit(1)
    )
    return InterventionId(found) if found is not None else None


async def running_for(
    s: AsyncSession, platform: str, workspace: str | None, user: str
) -> list[InterventionId]:
    """The person's interventions that have not closed, oldest first. `workspace` None: in
    any of them (a Discord DM belongs to no guild; a Discord user id is the same in every
    guild)."""
    row, member = orm.InterventionRow, orm.ParticipantRow
    where = [row.platform == platform, row.status != "closed", member.user == user]
    if workspace is not None:
        where.append(row.workspace == workspace)
    found = await s.scalars(
        select(row.id)
        .join(member, member.intervention_id == row.id)
        .where(*where)
        .order_by(row.created_at)
    )
    return [InterventionId(i) for i in found]


async def head(s: AsyncSession, iid: str, *, lock: bool) -> orm.InterventionRow | None:
    """The aggregate's own row; `lock` holds it until commit (FOR UPDATE on PostgreSQL)."""
    return await s.get(orm.InterventionRow, iid, with_for_update=lock)


async def version_of(s: AsyncSession, iid: str) -> int:
    found = await s.scalar(select(orm.InterventionRow.version).where(orm.InterventionRow.id == iid))
    return int(found or 0)


async def read(s: AsyncSession, row: orm.InterventionRow) -> Intervention:
    """The whole aggregate from its rows."""
    iid = row.id
    collections = {spec.field: await read_collection(s, spec, iid) for spec in COLLECTIONS}
    open_rounds = [key for key, rnd in collections["rounds"].items() if rnd.status == "open"]
    return Intervention(
        **head_fields(row),
        **collections,
        responses=await answers.read_open(s, iid, open_rounds),
    )


async def write(
    s: AsyncSession, before: Intervention | None, after: Intervention, version: int
) -> int:
    """Write what changed from `before` (None: a new intervention) to `after`, whose answers
    already carry their stored ids; return the new version. `version` is the one `before`
    was read at: ConcurrentUpdate when another writer moved it meanwhile."""
    if before is None:
        s.add(orm.InterventionRow(id=after.id, version=1, **head_row(after)))
        await s.flush()
        saved = 1
    else:
        done = await s.execute(
            update(orm.InterventionRow)
            .where(orm.InterventionRow.id == after.id, orm.InterventionRow.version == version)
            .values(version=version + 1, **head_row(after))
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(after.id)
        saved = version + 1
    old = before or Intervention(after.id, "", "", "", "", "draft", "fr", "", after.created_at)
    for spec in COLLECTIONS:
        await write_collection(s, spec, after.id, old, after)
    await answers.write(s, after.id, old.responses, after.responses)
    closing = [
        key
        for key, rnd in after.rounds.items()
        if rnd.status == "closed" and key in old.rounds and old.rounds[key].status == "open"
    ]
    await reseal(s, after.id, closing, full=after.anonymity == "full")
    return saved


async def outdate(s: AsyncSession, ids: Sequence[str]) -> None:
    """Rows of these interventions changed outside `write` (erasure, purge): a version bump
    makes every copy kept of them, in any process, stale."""
    await s.execute(
        update(orm.InterventionRow)
        .where(orm.InterventionRow.id.in_(ids))
        .values(version=orm.InterventionRow.version + 1)
    )
