"""The Discord PlatformService: points discord.py at the configured API, starts the shards."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord.gateway
import discord.http
import yarl

from bot.adapters.discord.chat import DiscordChat
from bot.adapters.discord.client import TstClient
from bot.adapters.discord.handlers import Handlers
from bot.config import DiscordSettings
from bot.wiring.edge import AppEdge

if TYPE_CHECKING:
    from aiohttp import web

    from bot.app import App

log = logging.getLogger(__name__)
READY_TIMEOUT = 60.0
DEFAULT_GATEWAY = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY  # discord.py's own


def point_at(api_base_url: str, gateway_url: str) -> None:
    """discord.py reads its endpoints from two class attributes and offers no option for them
    (checked in 2.7.1); tests/discord/test_contract.py fails if an upgrade moves them."""
    discord.http.Route.BASE = api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


async def gateway_of(http: discord.http.HTTPClient, configured: str) -> str:
    """The configured gateway, or the one the API names. discord.py asks the API only when it
    counts the shards itself, and falls back to its built-in URL whenever it reconnects
    without resuming: pointing it at the API's answer keeps a proxied or compatible server."""
    if configured:
        return configured
    _, url, _ = await http.get_bot_gateway()
    return url


class DiscordService:
    platform = "discord"

    def __init__(self, settings: DiscordSettings, guild_ready_timeout: float = 2.0) -> None:
        self.settings = settings
        self.port = DiscordChat(subgroup_category_id=settings.subgroup_category_id)
        self.handlers = Handlers(self.port)
        self.client: TstClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._guild_ready_timeout = guild_ready_timeout

    def mount(self, routes: Sequence[web.RouteDef]) -> bool:
        return False  # the gateway is outbound: no HTTP server to share

    async def connected(self) -> bool | None:
        """Every shard of this process has a live gateway connection."""
        client = self.client
        if client is None or client.is_closed() or not client.is_ready():
            return False
        return all(not shard.is_closed() for shard in client.shards.values())

    async def start(self, app: App) -> None:
        s = self.settings
        if s.token is None:
            raise SystemExit("discord.token is not set")
        self.handlers.bot = AppEdge(app)
        self.port.on_rate_limited = app.metrics.rate_limit_hook(self.platform)
        client = TstClient(
            self.handlers,
            app.renderer.catalog,
            app.commands.specs,
            list(s.guild_ids),
            s.shard_count,
            list(s.shard_ids),
            self._guild_ready_timeout,
            self.port.rate_limit_trace(),
        )
        self.client = client
        point_at(s.api_base_url, s.gateway_url or str(DEFAULT_GATEWAY))
        await client.login(s.token.get_secret_value())
        point_at(s.api_base_url, await gateway_of(client.http, s.gateway_url))
        self.port.http = client.http
        self._task = asyncio.create_task(client.connect(), name="discord-gateway")
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._task}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        if self._task in done:
            ready.cancel()
            self._task.result()  # surfaces why the gateway stopped
            raise RuntimeError("discord gateway stopped before ready")
        if ready not in done:
            ready.cancel()
            raise TimeoutError("discord gateway not ready in time")
        assert client.user is not None
        self.port.me = str(client.user.id)

    async def stop(self) -> None:
        await self.handlers.close()  # what was acknowledged is answered before disconnecting
        if self.client is not None:
            await self.client.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.port.http = None


def create_service(settings: DiscordSettings) -> DiscordService:
    return DiscordService(settings)
