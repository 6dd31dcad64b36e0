"""A running bot for the browser tests: the real runner, dispatcher and SQLite store on the
memory chat, and the probes' HTTP server with the web pages, on a free local port."""

from __future__ import annotations

import re
from dataclasses import dataclass

from privacy_world import FAC, T0, PrivacyWorld, person
from waiting import free_port

from bot.adapters.memory import MemoryChat
from bot.app import build
from bot.config import DatabaseSettings, InterventionDefaults, Settings, WebSettings
from bot.core.ports import ManualClock
from bot.health import Probes, ProbeServer
from bot.web.server import WebPages

SECRET = "a-test-secret-of-more-than-32-characters"
LINK = re.compile(r"https?://\S+/web/link/[A-Za-z0-9_.\-]+")


@dataclass
class WebWorld:
    """The bot, its chat, its clock and where its pages are served."""

    world: PrivacyWorld
    server: ProbeServer
    base_url: str

    @property
    def chat(self) -> MemoryChat:
        return self.world.chat

    @property
    def clock(self) -> ManualClock:
        return self.world.clock

    def links_to(self, user: str) -> list[str]:
        """Every web link DMed to `user`, oldest first."""
        return [
            m.group(0)
            for d in self.chat.log
            if d.where == f"@{user}"
            for m in LINK.finditer(d.message.plain())
        ]

    async def link(self, command: str, user: str = FAC) -> str:
        """Type a command that sends a link, and return the link the DM carried."""
        before = len(self.links_to(user))
        replies = await self.world.cmd(command, user=user)
        links = self.links_to(user)
        assert len(links) == before + 1, replies
        return links[-1]

    async def stop(self) -> None:
        await self.server.stop()
        await self.world.app.store.close()


async def start_web(url: str, names: tuple[str, ...], locale: str = "en") -> WebWorld:
    """A started intervention whose participants all accepted the frame, and its pages."""
    port = free_port()
    settings = Settings(
        database=DatabaseSettings(url=url),
        defaults=InterventionDefaults(locale=locale),  # type: ignore[arg-type]
        web=WebSettings(enabled=True, public_url=f"http://localhost:{port}", secret=SECRET),  # type: ignore[arg-type]
    )
    chat = MemoryChat()
    clock = ManualClock(T0)
    app = build(settings, {"memory": chat}, clock, "web")
    world = PrivacyWorld(app, chat, clock, {name: person(name) for name in names})
    server = ProbeServer([*Probes(app).routes(), *WebPages(app, settings.web).routes()])
    await server.start("127.0.0.1", port)
    await world.cmd("start Équipe")
    await world.cmd("invite " + " ".join(f"<@{u}>" for u in world.people.values()))
    for user in world.people.values():
        await world.choose(user, "consent", "accept")
    return WebWorld(world, server, f"http://localhost:{port}")
