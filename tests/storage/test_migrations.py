"""Migrations: `upgrade head` builds exactly the schema the models describe (alembic check)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text

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


async def test_an_outbox_id_is_never_given_twice_even_after_its_row_is_deleted(
    database_url: str,
) -> None:
    # A row's delivery key (a Discord nonce) derives from its id: a reused id would make
    # Discord drop a new message as a repeat of the erased one.
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), "0016")
    engine = make_engine(database_url)
    insert = text(
        "INSERT INTO outbox (intervention_id, kind, payload, due_at, status, attempts)"
        " VALUES ('i1', 'send', '{}', :due, 'pending', 0)"
    )
    due = {"due": datetime(2026, 12, 4, tzinfo=UTC)}
    async with engine.begin() as conn:
        for _ in range(3):
            await conn.execute(insert, due)
    await engine.dispose()
    await asyncio.to_thread(upgrade, database_url)  # the rows written before 0017 are kept
    engine = make_engine(database_url)
    async with engine.begin() as conn:
        kept = [r[0] for r in await conn.execute(text("SELECT id FROM outbox ORDER BY id"))]
        await conn.execute(text("DELETE FROM outbox WHERE id = :id"), {"id": max(kept)})
        await conn.execute(insert, due)
        after = [r[0] for r in await conn.execute(text("SELECT id FROM outbox ORDER BY id"))]
    await engine.dispose()
    assert len(kept) == 3
    assert after[:2] == kept[:2]
    assert after[2] > max(kept)
