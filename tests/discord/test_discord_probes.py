"""Discord's 429s in /metrics (discord.py waits most of them out itself, out of the port's
sight) and the gateway's state in /healthz."""

from __future__ import annotations

import pytest
from discord_world import World
from probe_client import healthz, scrape

from bot.health import Probes, ProbeServer

ROUND = "trust.barometer"


async def test_every_429_and_its_wait_is_counted_and_healthz_follows_the_gateway(
    started: World,
) -> None:
    w = started
    server = ProbeServer(Probes(w.app, [w.service]).routes())
    base = f"http://127.0.0.1:{await server.start('127.0.0.1', 0)}"
    try:
        w.fake.rate_limit(r"POST /channels/\d+/messages", retry_after=0.05, times=3)
        await w.slash(w.fac, "round open", ROUND)
        await w.fake.wait_for(
            lambda: all(
                any(b.endswith(f":answer:{ROUND}") for b in w.buttons(u)) for u in w.people.values()
            )
        )
        await w.app.dispatcher.drain()
        metrics = await scrape(base)
        connected = await healthz(base)
        await w.service.stop()
        disconnected = await healthz(base)
    finally:
        await server.stop()

    assert sum(c.status == 429 for c in w.fake.calls) == 3
    assert metrics.value("tst_rate_limited_total", platform="discord") == 3
    seconds = metrics.value("tst_rate_limit_wait_seconds_total", platform="discord")
    assert seconds == pytest.approx(0.15)
    # discord.py waited them out: every prompt went through on its first delivery attempt.
    assert metrics.value("tst_deliveries_total", platform="discord", outcome="retry") is None
    assert connected == (200, {"status": "ok", "database": True, "platforms": {"discord": True}})
    # The gateway down is reported, but the process stays healthy: it reconnects by itself.
    assert disconnected == (
        200,
        {"status": "ok", "database": True, "platforms": {"discord": False}},
    )
