"""The two endpoints discord.py offers no option for: `point_at` sets the class attributes it
reads them from (checked on 2.7.1). If an upgrade moves them, these tests fail first."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import discord
import discord.gateway
import discord.http
import discord.webhook.async_
import pytest
import yarl
from fakes.discord_gateway import TOKEN, FakeDiscord

from bot.wiring.discord import gateway_of, point_at


@pytest.fixture
async def bare_client() -> AsyncIterator[discord.Client]:
    """A discord.py client with nothing of ours: no subclass, no endpoint option."""
    client = discord.Client(intents=discord.Intents.none(), guild_ready_timeout=0.05)
    yield client
    await client.close()


async def connect(client: discord.Client) -> asyncio.Task[None]:
    await client.login(TOKEN)
    task = asyncio.create_task(client.connect())
    await asyncio.wait_for(client.wait_until_ready(), 5)
    return task


def test_point_at_sets_the_rest_base_the_webhook_routes_share_and_the_gateway() -> None:
    point_at("http://127.0.0.1:9/api/v10/", "ws://127.0.0.1:9/gateway")
    route = discord.http.Route("GET", "/users/@me")
    assert route.url == "http://127.0.0.1:9/api/v10/users/@me"
    # Interaction callbacks and follow-ups are built by the webhook module from the same class.
    assert discord.webhook.async_.Route is discord.http.Route
    callback = discord.webhook.async_.Route("POST", "/interactions/1/t/callback")
    assert callback.url.startswith("http://127.0.0.1:9/api/v10/")
    pointed = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    assert pointed == yarl.URL("ws://127.0.0.1:9/gateway")


async def test_a_plain_client_logs_in_connects_and_answers_through_the_fake_alone(
    fake: FakeDiscord, bare_client: discord.Client
) -> None:
    answered = asyncio.Event()

    @bare_client.event
    async def on_interaction(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("ok", ephemeral=True)
        answered.set()

    point_at(fake.api_base, fake.ws_url)
    task = await connect(bare_client)
    user = fake.add_user("ana")
    iid = await fake.click(user, "anything", dm=False)
    await asyncio.wait_for(answered.wait(), 5)

    assert [c.path for c in fake.calls[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    assert fake.identifies[0]["token"] == TOKEN
    assert fake.acks(iid)[0]["data"]["content"] == "ok"
    assert not task.done()


async def test_a_client_given_its_shard_count_connects_to_the_pointed_gateway(
    fake: FakeDiscord,
) -> None:
    # Given a shard count, discord.py never asks the API: DEFAULT_GATEWAY is all it has.
    client = discord.AutoShardedClient(
        intents=discord.Intents.none(), shard_count=1, guild_ready_timeout=0.05
    )
    point_at(fake.api_base, fake.ws_url)
    try:
        await connect(client)
        assert fake.identifies[0]["shard"] == [0, 1]
        assert not any(c.path == "/gateway/bot" for c in fake.calls)
    finally:
        await client.close()


async def test_an_empty_gateway_setting_asks_the_api_and_a_set_one_does_not(
    fake: FakeDiscord, bare_client: discord.Client
) -> None:
    point_at(fake.api_base, fake.ws_url)
    await bare_client.login(TOKEN)
    assert await gateway_of(bare_client.http, "ws://elsewhere/gateway") == "ws://elsewhere/gateway"
    assert not any(c.path == "/gateway/bot" for c in fake.calls)
    assert await gateway_of(bare_client.http, "") == fake.ws_url
    assert fake.calls[-1].path == "/gateway/bot"
