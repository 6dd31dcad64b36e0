"""The fake behaves like Discord where the bot depends on it: heartbeats answered, one answer
per interaction within 3 s, message events only for the intents a session asked for."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord_world import World
from fakes.discord_gateway import DIRECT_MESSAGES, GUILDS, TOKEN, FakeDiscord

from bot.wiring.discord import point_at

PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content


@pytest.fixture
async def client(fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    """A plain discord.py client, with the message intents this bot never asks for."""
    intents = discord.Intents.default()
    intents.message_content = True
    bare = discord.Client(intents=intents, guild_ready_timeout=0.05)
    point_at(fake.api_base, fake.ws_url)
    await bare.login(TOKEN)
    task = asyncio.create_task(bare.connect())
    await asyncio.wait_for(bare.wait_until_ready(), 5)
    yield bare
    await bare.close()
    task.cancel()


async def test_heartbeats_are_answered(fake: FakeDiscord, client: discord.Client) -> None:
    # discord.py beats once right after HELLO and measures the answer.
    await fake.wait_for(lambda: fake.heartbeats >= 1)
    await asyncio.sleep(0.05)
    assert 0 <= client.latency < 1


async def callback(fake: FakeDiscord, iid: int) -> tuple[int, dict[str, Any]]:
    token = fake.interactions[iid].token
    url = f"{fake.api_base}/interactions/{iid}/{token}/callback?with_response=1"
    async with aiohttp.ClientSession() as http:
        body = {"type": 4, "data": {"content": "ok"}}
        async with http.post(url, json=body) as response:
            return response.status, await response.json()


async def test_an_interaction_takes_one_answer_within_its_window(
    fake: FakeDiscord, client: discord.Client
) -> None:
    ana = fake.add_user("ana")
    first = await fake.click(ana, "x", dm=False)
    assert (await callback(fake, first))[0] == 200
    status, body = await callback(fake, first)
    assert (status, body["code"]) == (400, 40060)  # already acknowledged

    fake.ack_window = 0.05
    late = await fake.click(ana, "x", dm=False)
    await asyncio.sleep(0.1)
    status, body = await callback(fake, late)
    assert (status, body["code"]) == (404, 10062)  # unknown interaction: the token expired
    assert fake.acks(late) == []


async def test_message_events_reach_only_sessions_that_asked_for_them(
    fake: FakeDiscord, client: discord.Client
) -> None:
    seen: asyncio.Queue[discord.Message] = asyncio.Queue()
    client.event(_collect(seen))
    ana = fake.add_user("ana")
    await fake.user_says(ana, "bonjour")
    message = await asyncio.wait_for(seen.get(), 5)
    assert (message.content, message.author.id) == ("bonjour", ana)
    assert isinstance(message.author, discord.Member) and message.guild is not None


def _collect(seen: asyncio.Queue[discord.Message]) -> Any:
    async def on_message(message: discord.Message) -> None:
        seen.put_nowait(message)

    return on_message


async def test_the_bot_asks_for_no_privileged_intent_and_gets_no_channel_messages(
    started: World,
) -> None:
    w = started
    (identify,) = w.fake.identifies
    # Guilds, and direct messages (people who write to the bot are answered): no more.
    assert identify["intents"] == GUILDS | DIRECT_MESSAGES
    assert not identify["intents"] & PRIVILEGED
    await w.fake.user_says(w.people["ana"], "bonjour")
    in_guild = [
        e
        for s in w.fake.sessions
        for e in s.buffer
        if e["t"] == "MESSAGE_CREATE" and e["d"].get("guild_id")
    ]
    assert in_guild == []  # only its DMs' messages reach the bot
    assert w.fake.channel_messages()[-1]["content"] == "bonjour"


async def test_a_modal_is_submitted_only_as_opened_with_its_own_inputs(started: World) -> None:
    """Discord's client submits the inputs of the modal the bot sent, nothing else: a test
    naming a custom_id the modal does not have fails instead of passing on an empty form."""
    w = started
    await w.slash(w.fac, "round open", "trust.barometer")
    ana = w.people["ana"]
    button = next(b for b in w.buttons(ana) if b.endswith(":answer:trust.barometer"))
    modal = w.fake.acks(await w.click(ana, button))[0]["data"]
    before = len(w.fake.interactions)
    with pytest.raises(ValueError, match="no input"):
        await w.fake.submit_modal(ana, modal, {"trust.barometer": ["4"]})
    with pytest.raises(ValueError, match="never opened"):
        await w.fake.submit_modal(ana, {**modal, "custom_id": "tstm:x:y:0"}, {})
    assert len(w.fake.interactions) == before  # nothing was sent to the bot
