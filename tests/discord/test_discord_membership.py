"""Discord, over the fake's sockets: a channel the bot cannot see answers 403 50001 (Missing
Access), one where it may not write 403 50013 (Missing Permissions), as Discord does. The
facilitator is told privately which permissions to give in the channel's settings, and the
waiting announcement leaves once they have."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from discord_world import World, launch
from fakes.discord_gateway import FakeDiscord
from fakes.discord_rest import BOT_ID, SEND_MESSAGES, VIEW_CHANNEL

from bot.core.ports import ManualClock
from bot.storage.migrate import upgrade

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
async def held(fake: FakeDiscord, db_url: str) -> AsyncIterator[tuple[World, ManualClock]]:
    """The bot on a clock the test moves, so the hour a held post waits passes at once."""
    await asyncio.to_thread(upgrade, db_url)
    fac = fake.add_user("fac")
    clock = ManualClock(T0)
    app, service = await launch(fake, db_url, clock)
    yield World(fake, app, service, fac), clock
    await service.stop()
    await app.store.close()


def bot_posts(w: World) -> list[str]:
    return [m["content"] for m in w.fake.channel_messages() if m["author"]["id"] == str(BOT_ID)]


def told(w: World, words: str) -> list[str]:
    return [m["content"] for m in w.fake.dms_to(w.fac) if words in m["content"]]


async def test_a_channel_the_bot_cannot_see_gets_the_facilitator_told_then_the_post(
    held: tuple[World, ManualClock],
) -> None:
    w, clock = held
    channel = w.fake.channel_id
    w.fake.set_overwrite(channel, BOT_ID, deny=VIEW_CHANNEL)
    await w.slash(w.fac, "start", "Équipe")
    assert bot_posts(w) == []
    notice = told(w, "je n'ai pas accès à ce salon")
    assert len(notice) == 1
    assert f"<#{channel}>" in notice[0] and "Voir les salons" in notice[0]

    w.fake.set_overwrite(channel, BOT_ID)  # the facilitator lets the bot in
    clock.advance(seconds=61)
    await w.app.dispatcher.drain()
    assert len(bot_posts(w)) == 1  # the announcement, late but not lost
    assert (await w.app.dispatcher.outbox.counts()).get("dead", 0) == 0


async def test_a_channel_where_the_bot_may_not_write_names_the_missing_permission(
    held: tuple[World, ManualClock],
) -> None:
    w, _clock = held
    w.fake.set_overwrite(w.fake.channel_id, BOT_ID, deny=SEND_MESSAGES)
    await w.slash(w.fac, "start", "Équipe", locale="en-US")
    await w.slash(w.fac, "step", "trust")
    assert bot_posts(w) == []
    # Two posts wait for the same permission: one notice, in the facilitator's language.
    notice = told(w, "a permission is missing")
    assert len(notice) == 1 and "Send Messages" in notice[0]
