"""What the bot answers a DM, on the memory platform: what waits for the person in each of
their running interventions (the frame to accept, the rounds not yet answered), or what the
bot is. Read from the state with `queries.waiting_for`; the same message is answered once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.config import DatabaseSettings, Settings
from bot.core.events import AnswerSubmitted, ChoiceMade, CommandIssued, EventMeta
from bot.core.model import InterventionId, Locale, UserId
from bot.core.ports import ManualClock, OutMessage
from bot.direct import answer_direct
from bot.storage.store import SqlStore

MONDAY_9AM_PARIS = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ABOUT = {"fr": "Je suis tst", "en": "I am tst"}


@dataclass
class Bot:
    app: App
    n: int = 0

    def meta(self, user: str, channel: str | None) -> EventMeta:
        self.n += 1
        return EventMeta("memory", f"ev{self.n}", "W", UserId(user), user.title(), channel, "fr")

    async def cmd(self, text: str, channel: str = "C1", user: str = "fac") -> str:
        handled = await self.app.runner.handle(CommandIssued(self.meta(user, channel), text))
        await self.app.dispatcher.drain()
        return handled.intervention or ""

    async def consent(self, iid: str, user: str) -> None:
        meta = self.meta(user, None)
        await self.app.runner.handle(ChoiceMade(meta, InterventionId(iid), "consent", "accept"))

    async def dm(self, user: str, locale: str | None = None) -> list[OutMessage]:
        self.n += 1
        locale_: Locale | None = "en" if locale == "en" else "fr" if locale else None
        return list(await answer_direct(self.app, "memory", "W", user, f"m{self.n}", locale_))


@pytest.fixture
async def bot(store: SqlStore) -> AsyncIterator[Bot]:
    url = store.engine.url.render_as_string(hide_password=False)
    settings = Settings(database=DatabaseSettings(url=url))
    app = build(settings, {"memory": MemoryChat()}, ManualClock(MONDAY_9AM_PARIS), "w1")
    yield Bot(app)
    await app.store.close()


def buttons(message: OutMessage) -> list[str]:
    return [b.action_id.split(":", 2)[2] for b in message.buttons]


@pytest.mark.parametrize("locale", ["fr", "en"])
async def test_nothing_waiting_says_what_the_bot_is_in_the_platforms_language(
    bot: Bot, locale: str
) -> None:
    answered = await bot.dm("noa", locale)
    assert len(answered) == 1 and answered[0].plain().startswith(ABOUT[locale])


async def test_the_frame_then_the_rounds_of_every_running_intervention(bot: Bot) -> None:
    first = await bot.cmd("start Équipe A", "C1")
    await bot.cmd("start Équipe B", "C2")
    for channel in ("C1", "C2"):
        await bot.cmd("invite <@ana>", channel)
    await bot.consent(first, "ana")
    await bot.cmd("round open intake", "C1")

    answered = await bot.dm("ana")
    assert [buttons(m) for m in answered[1:]] == [
        # The prompt's own buttons, then the safety line's levers that sit under every prompt.
        ["answer:trust.intake", "skip:trust.intake", "notnow:trust.intake", "talk:", "timeout:"],
        ["consent:accept", "consent:decline"],  # still to accept in Équipe B
    ]
    assert "(2)" in answered[0].plain()


async def test_an_answered_round_and_a_closed_intervention_wait_no_more(bot: Bot) -> None:
    iid = await bot.cmd("start Équipe")
    await bot.cmd("invite <@ana>")
    await bot.consent(iid, "ana")
    await bot.cmd("round open intake")
    meta = bot.meta("ana", None)
    await bot.app.runner.handle(
        AnswerSubmitted(meta, InterventionId(iid), "trust.intake", {"trust.hope": "calme"})
    )
    assert (await bot.dm("ana"))[0].plain().startswith(ABOUT["fr"])
    await bot.cmd("round open barometer")
    await bot.cmd("close")
    assert (await bot.dm("ana"))[0].plain().startswith(ABOUT["fr"])


async def test_the_same_message_is_answered_once(bot: Bot) -> None:
    first = await answer_direct(bot.app, "memory", "W", "ana", "same")
    again = await answer_direct(bot.app, "memory", "W", "ana", "same")
    assert len(first) == 1 and again == ()
