"""Reading and writing one keyed collection of the aggregate, one statement per kind of change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.model import Intervention
from bot.core.overlay import changes
from bot.storage.mapper import Collection


async def read_collection(s: AsyncSession, spec: Collection[Any], iid: str) -> Any:
    """The collection as the aggregate holds it (a mapping, or a tuple in key order)."""
    table = spec.table
    columns = table.__table__.columns
    found = await s.execute(
        select(*columns).where(columns["intervention_id"] == iid).order_by(columns[spec.key])
    )
    return spec.assemble(spec.from_row(row) for row in found.all())


async def write_collection(
    s: AsyncSession, spec: Collection[Any], iid: str, old: Intervention, new: Intervention
) -> None:
    """Insert the new entries and update the changed ones, each kind in one executemany (a
    round opened for 1,000 people, or 1,000 people joining, is 2 statements, not 1,000);
    delete the vanished ones when the collection says so."""
    before, after = spec.entries(old), spec.entries(new)
    # Read from the copy-on-write deltas (bot/core/overlay.py) when `new` was made from `old`:
    # one person's change in a 10,000-person intervention compares one entry, not 10,000.
    changed, gone = changes(before, after)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for key, entry in changed.items():
        row = {"intervention_id": iid, **spec.to_row(entry)}
        (updates if key in before else inserts).append(row)
    table = spec.table
    if inserts:
        await s.execute(insert(table), inserts)
    if updates:
        # ORM bulk UPDATE by primary key: (intervention_id, key) is each table's primary key.
        await s.execute(update(table), updates)
    if spec.delete_missing and gone:
        columns = table.__table__.columns
        await s.execute(
            delete(table).where(columns["intervention_id"] == iid, columns[spec.key].in_(gone))
        )
