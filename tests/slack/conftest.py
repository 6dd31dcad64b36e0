"""Fixtures of the Slack scenarios: one world per test, on a fresh SQLite database copied from
one migrated once per session (migrations are what a fresh database costs most)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from slack_world import SlackWorld, make_world

from bot.storage.store import SqlStore, make_engine


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bot.storage.migrate import upgrade

    path = tmp_path_factory.mktemp("slack-template") / "template.db"
    asyncio.run(asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
async def store(migrated_template: Path, tmp_path: Path) -> AsyncIterator[SqlStore]:
    db = tmp_path / "slack.db"
    shutil.copy(migrated_template, db)
    s = SqlStore(make_engine(f"sqlite+aiosqlite:///{db}"))
    yield s
    await s.close()


@pytest.fixture
async def world(store: SqlStore) -> AsyncIterator[SlackWorld]:
    async for w in make_world(store):
        yield w
