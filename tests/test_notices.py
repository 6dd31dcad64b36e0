"""A direct message that cannot reach its person, on the memory platform with the real runner
and dispatcher (bot/notices.py): the dead letter becomes an engine event, the engine's notice
leaves through the outbox, and the button gives the person what waits for them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.config import DatabaseSettings, Settings
from bot.core.events import ChoiceMade, CommandIssued, EventMeta
from bot.core.model import InterventionId, UserId
from bot.core.ports import ManualClock
from bot.storage.store import SqlStore

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@dataclass
class Bot:
    app: App
    chat: MemoryChat
    iid: str = ""
    n: int = 0

    def meta(self, user: str, channel: str | None = "C1") -> EventMeta:
        self.n += 1
        return EventMeta("memory", f"ev{self.n}", "W", UserId(user), user.title(), channel, "en")

    async def cmd(self, text: str, user: str = "fac") -> list[str]:
        handled = await self.app.runner.handle(CommandIssued(self.meta(user), text))
        self.iid = self.iid or handled.intervention or ""
        await self.app.dispatcher.drain()
        return [r.plain() for r in handled.replies]

    async def press(self, user: str, action: str, value: str = "") -> list[str]:
        event = ChoiceMade(self.meta(user), InterventionId(self.iid), action, value)
        handled = await self.app.runner.handle(event)
        await self.app.dispatcher.drain()
        return [r.plain() for r in handled.replies]

    def channel(self) -> list[tuple[str, str]]:
        """What the channel shows: (where, text), edits as `edit:<id>`."""
        return [
            (d.where, d.message.plain())
            for d in self.chat.log
            if d.where == "#C1" or d.where.startswith("edit:")
        ]


@pytest.fixture
async def bot(store: SqlStore) -> AsyncIterator[Bot]:
    url = store.engine.url.render_as_string(hide_password=False)
    chat = MemoryChat()
    app = build(Settings(database=DatabaseSettings(url=url)), {"memory": chat}, ManualClock(T0))
    yield Bot(app, chat)
    await app.store.close()


async def test_closed_dms_are_counted_in_one_channel_notice_edited_as_people_add_up(
    bot: Bot,
) -> None:
    bot.chat.unreachable |= {UserId("ana"), UserId("ben")}
    await bot.cmd("start Team")
    await bot.cmd("invite <@ana> <@ben> <@cleo>")
    notices = [(where, text) for where, text in bot.channel() if "closed for" in text]
    # One notice in the channel, whatever the order the two bounces were told in; what it
    # says last is the count of both.
    assert [where for where, _text in notices].count("#C1") == 1
    assert notices[-1][1].startswith("Direct messages closed for 2 people:")
    assert not any(name in text.lower() for _w, text in notices for name in ("ana", "ben"))
    # Ana takes the frame from the button and accepts it; the round's prompt bounces too,
    # and she is not counted twice.
    (frame,) = await bot.press("ana", "myprompts")
    assert frame.startswith("Welcome")
    await bot.press("ana", "consent", "accept")
    before = len(bot.channel())
    await bot.cmd("round open intake")
    assert len(bot.channel()) == before + 1  # the round's announcement, no new count
    (prompt,) = await bot.press("ana", "myprompts")
    assert "trust.intake" in prompt or "Hopes" in prompt


async def test_the_facilitator_status_counts_who_could_not_be_reached_by_cause(bot: Bot) -> None:
    bot.chat.unreachable.add(UserId("ana"))
    bot.chat.deactivated.add(UserId("ben"))
    await bot.cmd("start Team")
    await bot.cmd("invite <@ana> <@ben> <@cleo>")
    told = bot.chat.seen_by("@fac")
    assert [t for t in told if "deactivated" in t] == [
        "Direct messages can no longer reach 1 person of this intervention: their account "
        "is deactivated or deleted. The bot cannot send them anything more."
    ]
    status = "\n".join(await bot.cmd("status"))
    assert "direct messages closed: 1" in status and ": 1" in status
    assert "ana" not in status.lower() and "ben" not in status.lower()
