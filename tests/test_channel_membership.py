"""A channel the bot cannot post in: the facilitators are told at once, privately, how to let it
in; what was meant for the channel waits for them (about an hour), then counts as a dead letter
by its cause. Direct messages that bounce never raise that notice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from memory_group import MemoryGroup

from bot.adapters.memory import MemoryChat
from bot.app import build
from bot.config import DatabaseSettings, Settings
from bot.core.model import UserId
from bot.core.ports import ManualClock
from bot.i18n.typography import typeset
from bot.storage.store import SqlStore

MONDAY_9AM_PARIS = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
NOTICE = {
    "fr": typeset(
        "Je ne peux pas écrire dans #C1 : je n'en suis pas membre. Ajoutez-moi à ce canal ;", "fr"
    ),
    "en": "I cannot write in #C1: I am not a member. Add me to that channel;",
}
NOT_IN_CHANNEL = {
    "fr": typeset("– le bot n'est pas membre du canal : {n}", "fr"),
    "en": "– the bot is not a member of the channel: {n}",
}


class Group(MemoryGroup):
    def notices(self, user: str = "fac") -> list[str]:
        return [t for t in self.chat.seen_by(f"@{user}") if t.startswith(NOTICE[self.locale])]


@pytest.fixture(params=["fr", "en"])
async def group(request: pytest.FixtureRequest, store: SqlStore) -> AsyncIterator[Group]:
    """The bot was never added to the channel C1 where the facilitator types /tst start."""
    chat = MemoryChat(outside={"C1"})
    clock = ManualClock(MONDAY_9AM_PARIS)
    url = store.engine.url.render_as_string(hide_password=False)
    app = build(Settings(database=DatabaseSettings(url=url)), {"memory": chat}, clock, "w1")
    yield Group(app, chat, clock, request.param)
    await app.store.close()


async def test_start_in_a_channel_without_the_bot_tells_the_facilitator_at_once(
    group: Group,
) -> None:
    await group.cmd("start Équipe")
    assert group.chat.seen_by("#C1") == []  # the announcement could not be posted
    assert len(group.notices()) == 1  # ...and the facilitator knows why, privately


async def test_the_announcement_waits_and_leaves_once_the_bot_is_added(group: Group) -> None:
    await group.cmd("start Équipe")
    group.chat.outside.clear()  # the facilitator invites the bot
    await group.wait(61)
    assert len(group.chat.seen_by("#C1")) == 1
    assert (await group.app.dispatcher.outbox.counts()).get("dead", 0) == 0
    status = await group.cmd("status")
    assert not any(line.startswith(NOT_IN_CHANNEL[group.locale][:12]) for line in status)


async def test_one_notice_for_many_messages_waiting_for_the_same_channel(group: Group) -> None:
    await group.cmd("start Équipe")
    await group.cmd("step trust")
    await group.cmd("pause")
    await group.wait(61)  # the held posts are tried again, and refused again
    assert len(group.notices()) == 1


async def test_never_added_the_posts_die_after_an_hour_counted_by_cause(group: Group) -> None:
    await group.cmd("start Équipe")
    await group.cmd("step trust")
    for _ in range(20):  # each post waits its hour, one behind the other (channel order)
        await group.wait(900)
    counts = await group.app.dispatcher.outbox.counts()
    assert counts.get("dead") == 2 and counts.get("pending", 0) == 0
    status = await group.cmd("status")
    assert NOT_IN_CHANNEL[group.locale].format(n=2) in status
    assert len(group.notices()) == 1


async def test_every_facilitator_is_told_and_no_participant(group: Group) -> None:
    group.chat.outside.clear()
    await group.cmd("start Équipe")
    await group.cmd("invite <@ana> <@ben>")
    await group.consent("ana")
    group.chat.outside.add("C1")  # the bot is removed from the channel
    await group.cmd("step trust")
    assert len(group.notices("fac")) == 1
    assert group.notices("ana") == [] and group.notices("ben") == []


async def test_closed_dms_die_at_once_and_raise_no_channel_notice(group: Group) -> None:
    group.chat.outside.clear()
    group.chat.unreachable.add(UserId("cleo"))
    await group.cmd("start Équipe")
    await group.cmd("invite <@cleo>")
    assert (await group.app.dispatcher.outbox.counts()).get("dead") == 1
    assert group.notices() == []
