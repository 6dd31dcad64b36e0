"""Dead letters reach the facilitator as a count in `/tst status`, in French and English, and
never as names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from memory_group import MemoryGroup as Group

from bot.adapters.memory import MemoryChat
from bot.app import build
from bot.config import DatabaseSettings, Settings
from bot.core.model import UserId
from bot.core.ports import ManualClock
from bot.i18n.typography import typeset
from bot.storage.store import SqlStore

MONDAY_9AM_PARIS = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["fr", "en"])
async def group(request: pytest.FixtureRequest, store: SqlStore) -> AsyncIterator[Group]:
    chat = MemoryChat()
    url = store.engine.url.render_as_string(hide_password=False)
    settings = Settings(database=DatabaseSettings(url=url))
    clock = ManualClock(MONDAY_9AM_PARIS)
    app = build(settings, {"memory": chat}, clock, "w1")
    g = Group(app, chat, clock, request.param)
    await g.cmd("start Équipe")
    yield g
    await app.store.close()


UNDELIVERED = {
    "fr": typeset("Messages qui n'ont pas pu être remis : {n}, dont :", "fr"),
    "en": "Messages that could not be delivered: {n}, of which:",
}
BY_CAUSE = {
    ("fr", "dm_closed"): typeset("– messages privés fermés : {n}", "fr"),
    ("en", "dm_closed"): "– direct messages closed: {n}",
    ("fr", "not_in_channel"): typeset("– le bot n'est pas membre du canal : {n}", "fr"),
    ("en", "not_in_channel"): "– the bot is not a member of the channel: {n}",
}


async def test_status_shows_nothing_about_delivery_while_everything_arrives(group: Group) -> None:
    await group.cmd("invite <@ana> <@ben>")
    replies = "\n".join(await group.cmd("status"))
    assert UNDELIVERED[group.locale][:20] not in replies


async def test_the_facilitator_sees_how_many_messages_went_undelivered_never_who(
    group: Group,
) -> None:
    group.chat.unreachable.update({UserId("cleo"), UserId("dan")})
    await group.cmd("invite <@ana> <@ben> <@cleo> <@dan>")  # two invitations bounce
    await group.consent("ana")
    await group.consent("ben")
    group.chat.unreachable.add(UserId("ben"))  # Ben closes his DMs
    await group.cmd("round open intake")  # so his prompt bounces too

    replies = await group.cmd("status")
    assert UNDELIVERED[group.locale].format(n=3) in replies
    assert BY_CAUSE[group.locale, "dm_closed"].format(n=3) in replies
    for name in ("Cleo", "Dan", "Ben", "cleo", "dan", "ben"):
        assert all(name not in line for line in replies), name


async def test_participants_are_not_shown_the_count(group: Group) -> None:
    group.chat.unreachable.add(UserId("cleo"))
    await group.cmd("invite <@ana> <@cleo>")
    await group.consent("ana")
    replies = "\n".join(await group.cmd("status", user="ana"))
    assert UNDELIVERED[group.locale][:20] not in replies
