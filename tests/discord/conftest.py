"""A fake Discord, a SQLite database and the real Discord service, wired as `tst run` does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import time
from pathlib import Path

import pytest
from discord_world import World
from fakes.discord_gateway import TOKEN, FakeDiscord

from bot.adapters.discord.service import DiscordService
from bot.app import build
from bot.config import DatabaseSettings, DiscordSettings, InterventionDefaults, Settings
from bot.storage.migrate import upgrade


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    yield server
    await server.stop()


@pytest.fixture
async def world(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[World]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tst.db'}"
    await asyncio.to_thread(upgrade, url)
    fac = fake.add_user("fac")
    people = {name: fake.add_user(name) for name in ("ana", "ben", "cleo")}
    settings = DiscordSettings(
        token=TOKEN,  # type: ignore[arg-type]
        guild_ids=[fake.guild_id],
        api_base_url=fake.api_base,
        gateway_url=fake.ws_url,
    )
    service = DiscordService(settings, guild_ready_timeout=0.05)
    # These tests run on the wall clock: no quiet hours, or prompts would wait for the morning.
    always = InterventionDefaults(day_start=time(0), day_end=time(0), working_days="all")
    app = build(
        Settings(database=DatabaseSettings(url=url), defaults=always),
        {"discord": service.port},
        None,
        "w",
    )
    await service.start(app)
    yield World(fake, app, service, fac, people)
    await service.stop()
    await app.store.close()


@pytest.fixture
async def started(world: World) -> World:
    """An intervention whose three participants accepted the frame, step 1 open."""
    await world.slash(world.fac, "start", "Équipe")
    await world.slash(world.fac, "invite", " ".join(f"<@{u}>" for u in world.people.values()))
    for user in world.people.values():
        if user in world.fake.closed_dms:
            continue
        accept = next(b for b in world.buttons(user) if b.endswith(":consent:accept"))
        await world.click(user, accept)
    await world.slash(world.fac, "step", "trust")
    return world
