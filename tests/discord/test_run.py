"""`tst run` with a [slack] and a [discord] section: both platforms served by one process, one
database, one wake-up clock; no test code drives the dispatcher."""

from __future__ import annotations

import asyncio
from datetime import time
from pathlib import Path

from fakes.discord_gateway import TOKEN, FakeDiscord
from fakes.slack_api import FakeSlack, SlackDriver
from waiting import free_port

from bot.config import (
    DatabaseSettings,
    DeliverySettings,
    DiscordSettings,
    InterventionDefaults,
    Settings,
    SlackSettings,
)
from bot.serve import serve

SECRET = "run-secret"


async def test_tst_run_serves_discord_beside_slack(fake: FakeDiscord, tmp_path: Path) -> None:
    slack = await FakeSlack().start()
    slack.add_user("UFAC", "Fac")
    slack.add_user("UANA", "Ana")
    fac, ana = fake.add_user("fac"), fake.add_user("ana")
    port = free_port()
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"),
        # Wall-clock test: no quiet hours, or the prompts would wait for the morning.
        defaults=InterventionDefaults(day_start=time(0), day_end=time(0), working_days="all"),
        delivery=DeliverySettings(tick_seconds=0.2),
        slack=SlackSettings(
            bot_token="xoxb-test", signing_secret=SECRET, port=port, api_base_url=slack.base_url
        ),
        discord=DiscordSettings(
            token=TOKEN,
            guild_ids=[fake.guild_id],
            api_base_url=fake.api_base,
            gateway_url=fake.ws_url,
        ),
    )
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, stop))
    driver = SlackDriver(slack, f"http://127.0.0.1:{port}/slack/events", SECRET)
    try:
        async with asyncio.timeout(30):
            # Discord is up once /tst was synced to the guild; Slack once it answers.
            await fake.wait_for(lambda: fake.commands, timeout=30)
            while True:
                try:
                    await driver.slash("start Équipe Slack", "UFAC")
                    break
                except OSError:
                    await asyncio.sleep(0.05)
        await driver.slash("invite <@UANA>", "UFAC")
        await fake.slash(fac, ["start"], "Équipe Discord")
        await fake.wait_for(lambda: fake.channel_messages(), timeout=10)
        await fake.slash(fac, ["invite"], f"<@{ana}>")
        # The wake-up clock delivers on both platforms; nothing here calls the dispatcher.
        await fake.wait_for(lambda: fake.dms_to(ana), timeout=10)
        async with asyncio.timeout(10):
            while not slack.messages_in(slack.dm_of("UANA")):
                await asyncio.sleep(0.05)
        assert "Équipe Discord" in fake.channel_messages()[0]["content"]
    finally:
        stop.set()
        await asyncio.wait_for(server, 20)
        await driver.close()
        await slack.stop()
    assert all(s.ws is None or s.ws.closed for s in fake.sessions)
