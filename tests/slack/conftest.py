"""Fixtures of the Slack scenarios: one world per test, on a fresh database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_world import SlackWorld, make_world

from bot.storage.store import SqlStore


@pytest.fixture
async def world(store: SqlStore) -> AsyncIterator[SlackWorld]:
    async for w in make_world(store):
        yield w
