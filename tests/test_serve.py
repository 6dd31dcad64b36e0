"""`tst run` as a whole: the configured platform, the runner and the wake-up clock together,
with no test code driving the dispatcher (Slack over its protocol-level fake)."""

from __future__ import annotations

import asyncio
from datetime import time
from pathlib import Path

from fakes.slack_api import FakeSlack, SlackDriver
from waiting import free_port, until

from bot.config import (
    DatabaseSettings,
    DeliverySettings,
    InterventionDefaults,
    Settings,
    SlackSettings,
)
from bot.serve import serve

SECRET = "serve-secret"


async def test_tst_run_serves_slack_and_delivers_without_being_driven(tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    for user in ("UFAC", "UANA"):
        fake.add_user(user, user.title())
    port = free_port()
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"),
        # Wall-clock test: no quiet hours, or the prompt would wait for the morning.
        defaults=InterventionDefaults(day_start=time(0), day_end=time(0), working_days="all"),
        delivery=DeliverySettings(tick_seconds=0.5),
        slack=SlackSettings(
            bot_token="xoxb-test", signing_secret=SECRET, port=port, api_base_url=fake.base_url
        ),
    )
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, stop))
    driver = SlackDriver(fake, f"http://127.0.0.1:{port}/slack/events", SECRET)
    try:
        async with asyncio.timeout(20):
            while True:
                try:
                    reply = await driver.slash("start Équipe", "UFAC")
                    break
                except OSError:
                    await asyncio.sleep(0.05)
        assert reply.status == 200
        await driver.slash("invite <@UANA>", "UFAC")
        await until(lambda: any("UANA" in str(c.params) for c in fake.called("conversations.open")))
        await until(lambda: bool(fake.messages_in(fake.dm_of("UANA"))))
    finally:
        stop.set()
        await asyncio.wait_for(server, 20)
        await driver.close()
        await fake.stop()
