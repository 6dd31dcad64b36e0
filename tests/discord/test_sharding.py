"""Sharding as configured: `shard_count = 0` lets Discord decide, `shard_count` + `shard_ids`
split the shards between processes, and an empty `gateway_url` means the API's gateway."""

from __future__ import annotations

import asyncio

import discord
from discord_world import World, launch
from fakes.discord_gateway import FakeDiscord

from bot.storage.migrate import upgrade


async def world_of(fake: FakeDiscord, db_url: str, **discord: object) -> World:
    app, service = await launch(fake, db_url, **discord)
    return World(fake, app, service, fac=0)


async def test_shard_count_zero_asks_discord_how_many_shards(world: World) -> None:
    client = world.service.client
    assert isinstance(client, discord.AutoShardedClient)
    assert any(c.path == "/gateway/bot" for c in world.fake.calls)
    assert [i["shard"] for i in world.fake.identifies] == [[0, 1]]
    assert client.shard_count == 1


async def test_one_process_runs_every_configured_shard_and_each_event_reaches_its_owner(
    fake: FakeDiscord, db_url: str
) -> None:
    await asyncio.to_thread(upgrade, db_url)
    w = await world_of(fake, db_url, shard_count=2, shard_ids=[0, 1])
    try:
        assert sorted(i["shard"] for i in fake.identifies) == [[0, 2], [1, 2]]
        owner = (fake.guild_id >> 22) % 2
        guild_sessions = [
            s for s in fake.sessions if any(e["t"] == "GUILD_CREATE" for e in s.buffer)
        ]
        assert [s.shard for s in guild_sessions] == [(owner, 2)]
        fac = fake.add_user("fac")
        replies = await w.slash(fac, "start", "Équipe")
        assert replies
    finally:
        await w.service.stop()
        await w.app.store.close()


async def test_two_processes_split_the_shards_and_serve_one_intervention_together(
    fake: FakeDiscord, db_url: str
) -> None:
    await asyncio.to_thread(upgrade, db_url)
    fac, ana = fake.add_user("fac"), fake.add_user("ana")
    owner = (fake.guild_id >> 22) % 2
    guild_side = await world_of(fake, db_url, shard_count=2, shard_ids=[owner])
    dm_side = await world_of(fake, db_url, shard_count=2, shard_ids=[1 - owner])
    try:
        assert sorted(i["shard"] for i in fake.identifies) == [[0, 2], [1, 2]]
        # The guild's commands reach the process owning its shard...
        await guild_side.slash(fac, "start", "Équipe")
        await guild_side.slash(fac, "invite", f"<@{ana}>")
        accept = next(b for b in guild_side.buttons(ana) if b.endswith(":consent:accept"))
        # ...and DM clicks (no guild) reach shard 0's process, which shares the database.
        assert owner == 1, "this guild id lives on shard 1, so DMs go to the other process"
        await dm_side.click(ana, accept)
        await guild_side.slash(fac, "status")
        sessions = {s.shard[0]: s for s in fake.live_sessions()}
        interactions = {
            shard: [e["d"]["type"] for e in s.buffer if e["t"] == "INTERACTION_CREATE"]
            for shard, s in sessions.items()
        }
        assert interactions == {owner: [2, 2, 2], 1 - owner: [3]}
        async with guild_side.app.store.unit() as uow:
            state = await uow.find("discord", str(fake.guild_id), str(fake.channel_id))
        assert state is not None
        assert state.participants[str(ana)].consent == "accepted"  # type: ignore[index]
    finally:
        for side in (guild_side, dm_side):
            await side.service.stop()
            await side.app.store.close()


async def test_an_empty_gateway_setting_uses_the_apis_gateway_even_after_an_invalid_session(
    fake: FakeDiscord, db_url: str
) -> None:
    await asyncio.to_thread(upgrade, db_url)
    # A shard count given: discord.py would not ask the API itself, and a session Discord
    # invalidates makes it start over at its built-in gateway unless told otherwise.
    w = await world_of(fake, db_url, gateway_url="", shard_count=1)
    try:
        assert any(c.path == "/gateway/bot" for c in fake.calls)
        await fake.send_invalid_session()
        # discord.py waits 5 s before identifying again (Discord's identify rate limit).
        await fake.wait_for(lambda: len(fake.identifies) == 2, timeout=15)
        assert fake.resumes == []
        replies = await w.slash(fake.add_user("fac"), "start", "Équipe")
        assert replies
    finally:
        await w.service.stop()
        await w.app.store.close()
