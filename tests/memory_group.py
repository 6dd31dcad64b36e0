"""A group on the memory platform, driven through the real runner and dispatcher in one
language: commands, consent and the passing of time (shared by the delivery-notice tests)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.adapters.memory import MemoryChat
from bot.app import App
from bot.core.events import ChoiceMade, CommandIssued, EventMeta
from bot.core.model import InterventionId, Locale, UserId
from bot.core.ports import ManualClock


@dataclass
class MemoryGroup:
    app: App
    chat: MemoryChat
    clock: ManualClock
    locale: Locale
    n: int = 0
    iid: str = ""

    def meta(self, user: str, channel: str | None = "C1") -> EventMeta:
        self.n += 1
        return EventMeta(
            "memory", f"ev{self.n}", "W", UserId(user), user.title(), channel, self.locale
        )

    async def cmd(self, text: str, user: str = "fac") -> list[str]:
        handled = await self.app.runner.handle(CommandIssued(self.meta(user), text))
        self.iid = handled.intervention or self.iid
        await self.app.dispatcher.drain()
        return [r.plain() for r in handled.replies]

    async def consent(self, user: str) -> None:
        await self.app.runner.handle(
            ChoiceMade(self.meta(user, None), InterventionId(self.iid), "consent", "accept")
        )
        await self.app.dispatcher.drain()

    async def wait(self, seconds: float) -> None:
        self.clock.advance(seconds=seconds)
        await self.app.dispatcher.drain()
