"""A fake Discord, a SQLite database and the real Discord service, wired as `tst run` does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import discord.gateway
import discord.http
import pytest
from discord_world import World, launch
from fakes.discord_gateway import FakeDiscord

from bot.storage.migrate import upgrade


@pytest.fixture(autouse=True)
def discord_endpoints() -> Iterator[None]:
    """`point_at` sets two class attributes of discord.py: each test gets them back as found,
    so no test connects to the fake a previous test left behind."""
    base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    yield server
    await server.stop()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'tst.db'}"


@pytest.fixture
def names() -> tuple[str, ...]:
    """The participants besides the facilitator; a test module may parametrize it."""
    return ("ana", "ben", "cleo")


@pytest.fixture
def settings() -> dict[str, Any]:
    """[discord] settings beyond the fake's endpoints; a test may parametrize it."""
    return {}


@pytest.fixture
async def world(
    fake: FakeDiscord, db_url: str, names: tuple[str, ...], settings: dict[str, Any]
) -> AsyncIterator[World]:
    await asyncio.to_thread(upgrade, db_url)
    fac = fake.add_user("fac")
    people = {name: fake.add_user(name) for name in names}
    app, service = await launch(fake, db_url, **settings)
    w = World(fake, app, service, fac, people)
    yield w
    await w.service.stop()
    await w.app.store.close()


@pytest.fixture
async def started(world: World) -> World:
    """An intervention whose participants accepted the frame, step 1 open."""
    await world.slash(world.fac, "start", "Équipe")
    await world.slash(world.fac, "invite", " ".join(f"<@{u}>" for u in world.people.values()))
    for user in world.people.values():
        if user in world.fake.closed_dms:
            continue
        accept = next(b for b in world.buttons(user) if b.endswith(":consent:accept"))
        await world.click(user, accept)
    await world.slash(world.fac, "step", "trust")
    return world
