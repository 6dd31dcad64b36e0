"""Migrations: `upgrade head` builds exactly the schema the models describe (alembic check)."""

from __future__ import annotations

import asyncio

from alembic import command
from sqlalchemy import inspect

from bot.storage.migrate import alembic_config, upgrade
from bot.storage.store import make_engine


async def test_upgrade_head_then_check_finds_no_drift(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url)
    # `alembic check` raises when the models and the migrated schema differ.
    await asyncio.to_thread(command.check, alembic_config(database_url))
    engine = make_engine(database_url)
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    assert {"interventions", "responses", "response_authors", "outbox", "audit_log"} <= tables
    # Upgrading twice is harmless (the bot upgrades on every start).
    await asyncio.to_thread(upgrade, database_url)
