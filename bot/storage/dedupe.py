"""Platform event ids already handled: a retried delivery never has a second effect."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import orm


async def first_time(s: AsyncSession, platform: str, event_id: str, now: datetime) -> bool:
    """Record the event id; False when it was already processed (a platform retry)."""
    try:
        async with s.begin_nested():
            s.add(orm.ProcessedEventRow(platform=platform, event_id=event_id, at=now))
            await s.flush()
    except IntegrityError:
        return False
    return True
