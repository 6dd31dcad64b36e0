"""Shared fixtures: database URLs (SQLite always, PostgreSQL when TSTBOT_TEST_POSTGRES is set)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from delivery_load import throwaway_postgres

from bot.storage.store import SqlStore, make_engine

PG_ENV = "TSTBOT_TEST_POSTGRES"

# Every copy of an intervention the store keeps between events is checked against a fresh
# load wherever it is handed out, across the whole suite.
SqlStore.verify_kept = True


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
    with throwaway_postgres(os.environ[PG_ENV]) as url:
        yield url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    import asyncio

    from bot.storage.migrate import upgrade

    await asyncio.to_thread(upgrade, database_url)
    s = SqlStore(make_engine(database_url))
    yield s
    await s.close()
