"""Where `tst run` serves /healthz and /metrics: on Slack's own port in HTTP mode, on the
`[http]` port when no platform serves HTTP, nowhere when switched off."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import time
from pathlib import Path

import aiohttp
import pytest
from fakes.discord_gateway import TOKEN, FakeDiscord
from fakes.slack_api import FakeSlack, SlackDriver
from probe_client import Scrape, healthz, scrape
from waiting import free_port, until

from bot.config import (
    DatabaseSettings,
    DeliverySettings,
    DiscordSettings,
    HttpSettings,
    InterventionDefaults,
    Settings,
    SlackSettings,
    WebSettings,
)
from bot.serve import serve

SECRET = "probe-secret"
# Wall-clock tests: no quiet hours, or messages would wait for the morning.
ALWAYS = InterventionDefaults(day_start=time(0), day_end=time(0), working_days="all")


async def answering(base_url: str, timeout: float = 20.0) -> tuple[int, dict[str, object]]:
    """/healthz once the server is up (serve() upgrades the database first)."""
    async with asyncio.timeout(timeout):
        while True:
            try:
                return await healthz(base_url)
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)


async def settled(base_url: str, arrived: Callable[[], bool], timeout: float = 15.0) -> Scrape:
    """Scrape until nothing is left to send: a long message arrives in parts, and a part
    rescheduled by a 429 may still be pending when the first one is seen."""
    async with asyncio.timeout(timeout):
        while True:
            metrics = await scrape(base_url)
            if arrived() and metrics.value("tst_outbox_pending", kind="send") == 0:
                return metrics
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[None]:
    stop = asyncio.Event()
    server = asyncio.create_task(serve(settings, stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(server, 20)


async def test_slack_http_mode_serves_the_probes_on_its_own_port(tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    for user in ("UFAC", "UANA"):
        fake.add_user(user, user.title())
    slack_port, http_port = free_port(), free_port()
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"),
        defaults=ALWAYS,
        delivery=DeliverySettings(tick_seconds=0.5),
        http=HttpSettings(port=http_port),
        slack=SlackSettings(
            bot_token="xoxb-test",
            signing_secret=SECRET,
            port=slack_port,
            api_base_url=fake.base_url,
        ),
    )
    base = f"http://127.0.0.1:{slack_port}"
    driver = SlackDriver(fake, f"{base}/slack/events", SECRET)
    try:
        async with running(settings):
            assert await answering(base) == (
                200,
                {"status": "ok", "database": True, "platforms": {"slack": None}},
            )
            await driver.slash("start Équipe", "UFAC")
            # Two 429s: the SDK waits one out in place, and the other too unless it falls on
            # the same call's retry, which goes back to the outbox. Counted once either way.
            fake.fail_next("chat.postMessage", retry_after=1, count=2)
            await driver.slash("invite <@UANA>", "UFAC")
            metrics = await settled(base, lambda: bool(fake.messages_in(fake.dm_of("UANA"))))
            with pytest.raises(aiohttp.ClientConnectionError):
                await healthz(f"http://127.0.0.1:{http_port}")  # no second server
    finally:
        await driver.close()
        await fake.stop()

    assert metrics.value("tst_rate_limited_total", platform="slack") == 2
    assert metrics.value("tst_rate_limit_wait_seconds_total", platform="slack") == 2.0
    assert metrics.value("tst_deliveries_total", platform="slack", outcome="done") >= 2
    assert metrics.value("tst_deliveries_total", platform="slack", outcome="dead") is None


def discord_settings(fake: FakeDiscord, tmp_path: Path, http: HttpSettings) -> Settings:
    return Settings(
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"),
        defaults=ALWAYS,
        http=http,
        discord=DiscordSettings(
            token=TOKEN,
            guild_ids=[fake.guild_id],
            api_base_url=fake.api_base,
            gateway_url=fake.ws_url,
        ),
    )


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord().start()
    yield fake
    await fake.stop()


async def test_without_slack_http_the_probes_have_a_port_of_their_own(
    discord_fake: FakeDiscord, tmp_path: Path
) -> None:
    port = free_port()
    settings = discord_settings(discord_fake, tmp_path, HttpSettings(port=port))
    base = f"http://127.0.0.1:{port}"
    async with running(settings):
        status, body = await answering(base)
        async with asyncio.timeout(20):  # the probes answer before the gateway is connected
            while body["platforms"] != {"discord": True}:
                await asyncio.sleep(0.05)
                status, body = await healthz(base)
        metrics = await scrape(base)
    assert (status, body["database"]) == (200, True)
    assert metrics.value("tst_database_up") == 1
    assert metrics.value("tst_outbox_pending", kind="send") is not None


async def test_probes_switched_off_listen_nowhere(
    discord_fake: FakeDiscord, tmp_path: Path
) -> None:
    port = free_port()
    settings = discord_settings(discord_fake, tmp_path, HttpSettings(enabled=False, port=port))
    async with running(settings):
        await until(lambda: bool(discord_fake.identifies))
        with pytest.raises(aiohttp.ClientConnectionError):
            await healthz(f"http://127.0.0.1:{port}")


async def test_slack_http_port_logs_no_request_line_a_link_or_code_could_be_read_from(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The web pages and Slack's OAuth redirect share Slack's port: a link in a request line
    (`GET /web/link/<token>`) or an OAuth `code` must not reach the logs, at any level."""
    fake = await FakeSlack().start()
    slack_port = free_port()
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"),
        defaults=ALWAYS,
        slack=SlackSettings(
            bot_token="xoxb-test",
            signing_secret=SECRET,
            port=slack_port,
            api_base_url=fake.base_url,
        ),
        web=WebSettings(
            enabled=True,
            public_url=f"http://localhost:{slack_port}",
            secret="web-secret-" + "x" * 32,  # type: ignore[arg-type]
        ),
    )
    base = f"http://127.0.0.1:{slack_port}"
    caplog.set_level(logging.DEBUG)
    try:
        async with running(settings):
            await answering(base)
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{base}/web/link/LINKTOKEN123.forged") as page:
                    assert page.status == 403  # served here, refused as forged
                async with http.get(f"{base}/healthz?code=OAUTHCODE456") as probe:
                    assert probe.status == 200
    finally:
        await fake.stop()

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "LINKTOKEN123" not in logged
    assert "OAUTHCODE456" not in logged
