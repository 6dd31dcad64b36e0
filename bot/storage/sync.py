"""Writing one keyed collection of the aggregate: only the entries that changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession


async def sync_rows(
    s: AsyncSession,
    table: Any,
    iid: str,
    old: Any,
    new: Any,
    row: Any,
    *,
    key_cols: Sequence[str],
    delete_missing: bool = False,
) -> None:
    """Upsert changed entries of one keyed collection (and delete vanished ones if asked)."""
    for key, value in new.items():
        if key in old and old[key] == value:
            continue
        values = row(value)
        if key in old:
            where = [table.intervention_id == iid] + [
                getattr(table, c) == values[c] for c in key_cols
            ]
            await s.execute(update(table).where(*where).values(**values))
        else:
            await s.execute(insert(table).values(intervention_id=iid, **values))
    if delete_missing:
        for key in old:
            if key not in new:
                await s.execute(
                    delete(table).where(
                        table.intervention_id == iid, getattr(table, key_cols[0]) == key
                    )
                )
