"""`tst run`: start every configured platform, the dispatcher and its wake-up clock."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
from typing import Any

from bot.app import App, build
from bot.config import Settings
from bot.health import Probes, ProbeServer
from bot.heap import release, settle
from bot.log_guard import guard as guard_logs
from bot.platform import PlatformService
from bot.scheduler import Wakeup
from bot.storage.migrate import upgrade
from bot.web.server import WebPages

log = logging.getLogger(__name__)


def services_for(settings: Settings) -> list[PlatformService]:
    """The configured platforms, imported only when configured (each pulls its own SDK)."""
    found: list[PlatformService] = []
    for name in ("slack", "discord"):
        section: Any = getattr(settings, name)
        if section is None:
            continue
        module = importlib.import_module(f"bot.wiring.{name}")
        found.append(module.create_service(section))
    return found


async def start_probes(
    settings: Settings, app: App, services: list[PlatformService]
) -> ProbeServer | None:
    """/healthz and /metrics: on the first platform that serves HTTP (Slack's HTTP mode, same
    port), else on a small server of their own at `[http]` host:port. Call before `start`."""
    if not settings.http.enabled:
        return None
    routes = Probes(app, services).routes()
    if settings.web.enabled:  # the web pages share the probes' server (bot/web)
        routes += WebPages(app, settings.web).routes()
    for service in services:
        if service.mount(routes):
            return None
    server = ProbeServer(routes)
    await server.start(settings.http.host, settings.http.port)
    return server


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set (or SIGINT/SIGTERM). Several processes may share PostgreSQL."""
    await asyncio.to_thread(upgrade, settings.database.url)
    services = services_for(settings)
    if not services:
        raise SystemExit("no platform configured: add a [slack] or [discord] section")
    app: App = build(settings, {s.platform: s.port for s in services})
    wake = Wakeup(app.dispatcher, app.runner.clock, settings.delivery.tick_seconds)
    app.runner.on_enqueued = wake.poke
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
    probes = await start_probes(settings, app, services)
    for service in services:
        await service.start(app)
        log.info("%s started", service.platform)
    guard_logs()  # again: the platforms' clients have made their own loggers by now
    log.debug("%d start-up objects set aside from garbage collection", settle())
    # The daily purge is an outbox row like any timer: the wake-up clock runs it when due.
    await app.retention.plan(app.runner.clock.now())
    wake.start()
    try:
        await stop.wait()
    finally:
        await wake.stop()
        for service in services:
            await service.stop()
        if probes is not None:
            await probes.stop()
        await app.store.close()
        release()


async def dispatch_forever(settings: Settings) -> None:
    """A dispatcher-only worker for `--workers N`: it delivers through the same platforms."""
    services = services_for(settings)
    app = build(settings, {s.platform: s.port for s in services})
    wake = Wakeup(app.dispatcher, app.runner.clock, settings.delivery.tick_seconds)
    settle()
    wake.start()
    try:
        await asyncio.Event().wait()
    finally:
        await wake.stop()
        await app.store.close()
