"""Outbox load shared by the multi-process delivery test and bench/delivery.py.

A throwaway PostgreSQL database, channel messages written straight into the outbox, and the
loop a dispatcher-only process runs. Imports only `bot`, so it loads as `delivery_load` under
pytest and as `tests.delivery_load` from the bench and worker scripts.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from bot.app import App, build
from bot.config import DatabaseSettings, DeliverySettings, Settings
from bot.core.effects import Message, ToChannel, ToUser
from bot.core.model import UserId
from bot.core.ports import ChatPort
from bot.runtime import _audience
from bot.storage.codec import encode
from bot.storage.store import SqlStore

# What the runner writes for a Send: the dispatcher renders it for real.
MESSAGE = encode(Message("help.topic", {"topic": "x"}))
SEND_PAYLOAD = {"to": _audience(ToChannel()), "message": MESSAGE}


@contextmanager
def throwaway_postgres(base: str) -> Iterator[str]:
    """Create a uniquely named database next to `base`, yield its URL, drop it (even if
    connections are left open). Unreachable PostgreSQL raises: CI fails, it never skips."""
    import asyncpg  # type: ignore[import-untyped]

    name = f"tst_{uuid.uuid4().hex[:12]}"
    plain = base.replace("postgresql+asyncpg://", "postgresql://")

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(plain)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def enqueue_sends(
    store: SqlStore, intervention: str, due: Iterable[datetime], users: Sequence[str] = ()
) -> None:
    """One message per due time, in one transaction (the intervention must exist): to the
    group's channel, or with `users` a DM to each in turn, as a round's fan-out writes them."""
    dms = [{"to": _audience(ToUser(UserId(u))), "message": MESSAGE} for u in users]
    async with store.unit() as uow:
        for i, at in enumerate(due):
            payload = dms[i % len(dms)] if dms else SEND_PAYLOAD
            await uow.enqueue(intervention, "send", payload, at)


def dispatcher_app(
    db_url: str, port: ChatPort, name: str, lease_seconds: float = 60.0, batch: int = 100
) -> App:
    """The real app of one dispatcher process, delivering through `port` alone."""
    settings = Settings(
        database=DatabaseSettings(url=db_url),
        delivery=DeliverySettings(lease_seconds=lease_seconds, batch=batch),
    )
    return build(settings, {port.platform: port}, worker=name)


async def deliver_until_idle(app: App, idle_ticks: int, pause: float) -> int:
    """Tick until `idle_ticks` ticks in a row found nothing due; returns the rows handled."""
    total = idle = 0
    while idle < idle_ticks:
        handled = await app.dispatcher.tick()
        total += handled
        idle = 0 if handled else idle + 1
        if not handled and idle < idle_ticks:
            await asyncio.sleep(pause)
    return total
