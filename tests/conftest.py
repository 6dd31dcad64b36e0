"""Shared fixtures: database URLs (SQLite always, PostgreSQL when TSTBOT_TEST_POSTGRES is set)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.storage.store import SqlStore, make_engine

PG_ENV = "TSTBOT_TEST_POSTGRES"


def database_params() -> list[object]:
    params: list[object] = ["sqlite"]
    params.append(
        pytest.param("postgres", marks=pytest.mark.postgres)
        if os.environ.get(PG_ENV)
        else pytest.param("postgres", marks=pytest.mark.skip(reason=f"{PG_ENV} not set"))
    )
    return params


@pytest.fixture(params=database_params())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database. On PostgreSQL each test gets its own schema-free database
    namespace by using a unique search path would be overkill: we use a unique database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    yield from _postgres_database(os.environ[PG_ENV])


def _postgres_database(base: str) -> Iterator[str]:
    """Create a throwaway database on the server; CI fails (not skips) if it is unreachable."""
    import asyncio

    import asyncpg

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


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    import asyncio

    from bot.storage.migrate import upgrade

    await asyncio.to_thread(upgrade, database_url)
    s = SqlStore(make_engine(database_url))
    yield s
    await s.close()
