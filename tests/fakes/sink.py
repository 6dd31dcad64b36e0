"""A receiving fake for delivery tests: an HTTP sink that records each delivery and its key,
and `SinkChat`, a ChatPort that posts every message to it (used by worker processes)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from bot.core.model import ConversationRef, MessageRef, UserRef
from bot.core.ports import OutMessage


@dataclass
class Sink:
    """Counts deliveries per idempotency key and per sending worker."""

    keys: Counter[str] = field(default_factory=Counter)
    by_worker: Counter[str] = field(default_factory=Counter)
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/deliver", self._deliver)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/deliver"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _deliver(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.keys[body["key"]] += 1
        self.by_worker[body["worker"]] += 1
        return web.json_response({"ok": True, "id": body["key"]})


class SinkChat:
    """A ChatPort over HTTP to the sink: what a real platform client does, minus the platform."""

    platform = "memory"

    def __init__(self, url: str, worker: str) -> None:
        self.url = url
        self.worker = worker
        self.session: aiohttp.ClientSession | None = None

    async def _post(self, msg: OutMessage) -> str:
        if self.session is None:
            self.session = aiohttp.ClientSession()
        async with self.session.post(
            self.url, json={"key": msg.idempotency_key, "worker": self.worker}
        ) as response:
            response.raise_for_status()
            return str((await response.json())["id"])

    async def post(self, to: ConversationRef, msg: OutMessage) -> MessageRef:
        return MessageRef(to, await self._post(msg))

    async def send_direct(self, user: UserRef, msg: OutMessage) -> MessageRef:
        return MessageRef(
            ConversationRef(user.platform, user.workspace, user.user), await self._post(msg)
        )

    async def edit(self, ref: MessageRef, msg: OutMessage) -> None:
        await self._post(msg)

    async def open_space(
        self, parent: ConversationRef, name: str, members: Sequence[UserRef]
    ) -> ConversationRef:
        raise NotImplementedError

    async def close_space(self, space: ConversationRef) -> None:
        raise NotImplementedError
