"""The Slack platform service: builds the client, the port and the bolt app; serves HTTP or
Socket Mode."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.app import SlackEdge, build_bolt
from bot.adapters.slack.chat import SlackChat, TokenFor
from bot.adapters.slack.gate import Gate, GatedSocketMode
from bot.adapters.slack.web import make_client
from bot.app import App
from bot.config import SlackSettings
from bot.departure import workspace_removed
from bot.wiring.edge import AppEdge

log = logging.getLogger(__name__)
UNREADABLE = "error.unreadable_input"


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


class SlackService:
    """`port` delivers through the Web API; `start` receives events (HTTP or Socket Mode)."""

    platform = "slack"

    def __init__(
        self,
        settings: SlackSettings,
        *,
        pace_seconds: float = 1.0,
        rate_limit_retries: int = 0,
        rate_limit_wait: float = 60.0,
        rate_window: float = 60.0,
        workers: int = 2,
    ) -> None:
        # Deliveries wait out a 429 of up to one Slack minute in the port, where every lane
        # learns from it (SlackChat's MethodGate), rather than in the SDK, where each lane
        # would find the limit for itself; longer waits go back to the dispatcher. The budget
        # each method learns from its 429s counts calls per `rate_window` (Slack's minute).
        self.settings = settings
        self.workers = workers  # runners working after acks (SlackEdge's work queue)
        token = _secret(settings.bot_token)
        self.client: AsyncWebClient = make_client(
            settings.api_base_url, token, rate_limit_retries, self._saw_rate_limit
        )
        self.token_for: TokenFor = self._fixed_token
        self.port = SlackChat(self.client, self._token, pace_seconds, rate_limit_wait, rate_window)
        self.edge: SlackEdge | None = None
        self._runner: web.AppRunner | None = None
        self._socket: Any = None
        self._routes: list[web.RouteDef] = []
        self.bound_port: int | None = None

    def _saw_rate_limit(self, retry_after: float) -> None:
        self.port.saw_rate_limit(retry_after)

    def mount(self, routes: Sequence[web.RouteDef]) -> bool:
        """In HTTP mode, serve `routes` (health, metrics) next to Slack's on the same port."""
        if self.settings.mode != "http":
            return False
        self._routes = list(routes)
        return True

    async def connected(self) -> bool | None:
        """Socket Mode: is the WebSocket up. HTTP mode: unknowable (Slack calls us)."""
        if self._socket is None:
            return None
        return bool(await self._socket.client.is_connected())

    async def _fixed_token(self, team: str) -> str | None:
        return _secret(self.settings.bot_token)

    async def _token(self, team: str) -> str | None:
        return await self.token_for(team)

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.bound_port}{self.settings.path}"

    async def start(self, app: App) -> None:
        s = self.settings
        options: dict[str, Any] = {}
        if s.client_id and s.client_secret and s.mode == "http":
            from bot.wiring.slack_oauth import oauth_options

            options, self.token_for = await oauth_options(s, app, self.client)
        edge = SlackEdge(
            AppEdge(app),
            self.port,
            self.client,
            self._token,
            partial(workspace_removed, app),
            self.workers,
            installations=options.get("installation_store"),
        )
        self.edge = edge
        self.port.on_rate_limited = app.metrics.rate_limit_hook(self.platform)
        signing = _secret(s.signing_secret) or ""
        if s.mode == "http" and not signing:
            raise ValueError("slack.signing_secret is required in HTTP mode")
        bolt = build_bolt(edge, signing, **options)
        gate = Gate(bolt, signing, lambda team, user: edge.text(team, user, UNREADABLE))
        if s.mode == "socket":
            app_token = _secret(s.app_token)
            if not app_token:
                raise ValueError("slack.app_token is required in Socket Mode")
            self._socket = GatedSocketMode(bolt, app_token, web_client=self.client)
            self._socket.gate = gate
            await self._socket.connect_async()
            log.info("slack: Socket Mode connected")
            return
        web_app = web.Application()
        web_app.add_routes([web.post(s.path, gate.http)])
        if bolt.oauth_flow is not None:  # /slack/install and /slack/oauth_redirect, bolt's own
            from slack_bolt.app.async_server import AsyncSlackAppServer

            flow = bolt.oauth_flow
            served = AsyncSlackAppServer(s.port, s.path, bolt)
            web_app.add_routes(
                [
                    web.get(flow.install_path, served.handle_get_requests),
                    web.get(flow.redirect_uri_path, served.handle_get_requests),
                ]
            )
        web_app.add_routes(self._routes)
        # No access log, as on the probes' own server: a request line here can carry a web
        # link's token (/web/link/…) or an OAuth `code`, and logs must hold no credential.
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, s.host, s.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else s.port
        log.info("slack: listening on %s", self.url)

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.edge is not None:
            await self.edge.close()
        await self.port.close()


def create_service(settings: SlackSettings) -> SlackService:
    return SlackService(settings)
