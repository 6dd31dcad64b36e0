"""HTTP probes: /healthz (database, platform connections) and /metrics (Prometheus text)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

if TYPE_CHECKING:
    from bot.app import App
    from bot.platform import PlatformService

log = logging.getLogger(__name__)


class Probes:
    """The two routes of one app. A probe never waits longer than `timeout` on the database:
    an orchestrator's liveness check must get an answer, even a 503."""

    def __init__(
        self, app: App, services: Sequence[PlatformService] = (), timeout: float = 2.0
    ) -> None:
        self.app = app
        self.services = services
        self.timeout = timeout

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/healthz", self.healthz), web.get("/metrics", self.metrics)]

    async def healthz(self, _request: web.Request) -> web.Response:
        """200 while the database answers, 503 otherwise. A platform that is down does not
        fail the probe: the bot reconnects by itself, and a restart would not help."""
        database = await self._database_ok()
        platforms = {s.platform: await self._connected(s) for s in self.services}
        body = {"status": "ok" if database else "unavailable", "database": database}
        return web.json_response({**body, "platforms": platforms}, status=200 if database else 503)

    async def metrics(self, _request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(self.timeout):
                await self.app.metrics.read_queue(self.app.store, self.app.runner.clock.now())
        except Exception as error:  # the counters are still worth serving
            log.warning("metrics: queue depth unavailable: %s", error)
        return web.Response(
            body=self.app.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    async def _database_ok(self) -> bool:
        try:
            async with asyncio.timeout(self.timeout), self.app.store.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as error:  # refused, timed out, bad credentials: all mean "not now"
            log.warning("healthz: database unreachable: %s", error)
            return False
        return True

    async def _connected(self, service: PlatformService) -> bool | None:
        try:
            return await service.connected()
        except Exception:
            log.exception("healthz: %s connection state unknown", service.platform)
            return None


class ProbeServer:
    """A small aiohttp server for the probes, when no platform serves HTTP itself."""

    def __init__(self, routes: Sequence[web.RouteDef]) -> None:
        self.routes = routes
        self._runner: web.AppRunner | None = None
        self.bound_port: int | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen on host:port (port 0: any free one); returns the port bound."""
        web_app = web.Application()
        web_app.add_routes(self.routes)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        self.bound_port = int(sockets[0].getsockname()[1]) if sockets else port
        log.info("probes: listening on http://%s:%s (/healthz, /metrics)", host, self.bound_port)
        return self.bound_port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
