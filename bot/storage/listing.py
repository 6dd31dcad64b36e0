"""`tst list`: the interventions a database holds, newest first, without any participant data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.storage import orm
from bot.storage.database import make_engine


@dataclass(frozen=True)
class Listed:
    id: str
    title: str
    platform: str
    channel: str
    step: str
    state: str


async def interventions(url: str, include_closed: bool = False) -> list[Listed]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            query = select(orm.InterventionRow).order_by(orm.InterventionRow.created_at.desc())
            if not include_closed:
                query = query.where(orm.InterventionRow.closed_at.is_(None))
            rows = (await connection.execute(query)).all()
    finally:
        await engine.dispose()
    return [Listed(r.id, r.title, r.platform, r.channel, r.step or "-", r.status) for r in rows]
