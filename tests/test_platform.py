"""What a platform asks the bot before it shows a form (bot/platform.py): the answer form opens
for whoever may answer now, as the engine judges it (`queries.allowed_actions`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.config import DatabaseSettings, Settings
from bot.core.events import ChoiceMade, CommandIssued, EventMeta
from bot.core.model import InterventionId, UserId
from bot.core.ports import ManualClock
from bot.platform import answer_form
from bot.storage.store import SqlStore

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
async def app(store: SqlStore) -> AsyncIterator[App]:
    url = store.engine.url.render_as_string(hide_password=False)
    built = build(
        Settings(database=DatabaseSettings(url=url)), {"memory": MemoryChat()}, ManualClock(T0)
    )
    yield built
    await built.store.close()


async def test_the_answer_form_opens_for_a_recipient_and_not_after_they_withdraw(app: App) -> None:
    n = iter(range(100))

    def meta(user: str, channel: str | None = "C1") -> EventMeta:
        return EventMeta("memory", f"e{next(n)}", "W", UserId(user), user, channel, "en")

    started = await app.runner.handle(CommandIssued(meta("fac"), "start Team"))
    iid = InterventionId(started.intervention or "")
    await app.runner.handle(CommandIssued(meta("fac"), "invite <@ana>"))
    await app.runner.handle(ChoiceMade(meta("ana", None), iid, "consent", "accept"))
    await app.runner.handle(CommandIssued(meta("fac"), "round open intake"))
    form = await answer_form(app, iid, "trust.intake", "ana")
    assert form is not None and form.round_key == "trust.intake"
    assert await answer_form(app, iid, "trust.intake", "fac") is None  # not asked
    await app.runner.handle(ChoiceMade(meta("ana", None), iid, "consent", "decline"))
    assert await answer_form(app, iid, "trust.intake", "ana") is None
