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
from bot.platform import PlatformService
from bot.scheduler import Wakeup
from bot.storage.migrate import upgrade

log = logging.getLogger(__name__)


def services_for(settings: Settings) -> list[PlatformService]:
    """The configured platforms, imported only when configured (each pulls its own SDK)."""
    found: list[PlatformService] = []
    for name in ("slack", "discord"):
        section: Any = getattr(settings, name)
        if section is None:
            continue
        module = importlib.import_module(f"bot.adapters.{name}.service")
        found.append(module.create_service(section))
    return found


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
    for service in services:
        await service.start(app)
        log.info("%s started", service.platform)
    wake.start()
    try:
        await stop.wait()
    finally:
        await wake.stop()
        for service in services:
            await service.stop()
        await app.store.close()


async def dispatch_forever(settings: Settings) -> None:
    """A dispatcher-only worker for `--workers N`: it delivers through the same platforms."""
    services = services_for(settings)
    app = build(settings, {s.platform: s.port for s in services})
    wake = Wakeup(app.dispatcher, app.runner.clock, settings.delivery.tick_seconds)
    wake.start()
    try:
        await asyncio.Event().wait()
    finally:
        await wake.stop()
        await app.store.close()
