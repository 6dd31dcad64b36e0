"""The engine's pool on PostgreSQL: a connection the server dropped while it rested in the pool
is replaced before use, and one given back a moment ago is used without a check."""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import text

from bot.storage import database
from bot.storage.store import SqlStore


async def drop_connections(database_url: str) -> None:
    """What a PostgreSQL restart or a firewall does to the pool's idle connections."""
    plain = database_url.replace("postgresql+asyncpg://", "postgresql://")
    name = plain.rsplit("/", 1)[1]
    admin = await asyncpg.connect(plain.rsplit("/", 1)[0] + "/postgres")
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
    finally:
        await admin.close()


async def one(store: SqlStore) -> int:
    async with store.engine.connect() as conn:
        return int(await conn.scalar(text("SELECT 1")) or 0)


@pytest.fixture
def postgres(store: SqlStore, database_url: str) -> SqlStore:
    if not database_url.startswith("postgresql"):
        pytest.skip("the ping is PostgreSQL's (SQLite has no server to lose)")
    return store


async def test_a_connection_dropped_while_resting_is_replaced_before_use(
    postgres: SqlStore, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await one(postgres) == 1  # a connection now rests in the pool
    await drop_connections(database_url)
    monkeypatch.setattr(database, "PING_AFTER", 0.0)  # it has rested long enough
    assert await one(postgres) == 1  # checked, found dead, replaced: the caller sees nothing


async def test_a_connection_given_back_a_moment_ago_is_used_without_a_ping(
    postgres: SqlStore,
) -> None:
    assert await one(postgres) == 1
    dialect = postgres.engine.sync_engine.dialect
    real, pings = dialect.do_ping, []

    def counted(conn: object) -> bool:
        pings.append(conn)
        return bool(real(conn))

    dialect.do_ping = counted  # type: ignore[method-assign]
    try:
        assert await one(postgres) == 1
    finally:
        del dialect.do_ping
    assert pings == []  # three round trips on asyncpg, saved on every busy checkout
