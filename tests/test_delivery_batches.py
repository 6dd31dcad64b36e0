"""A claimed batch is delivered side by side: never two rows to one place at once, each place's
messages in the order they were queued, each row once, and a retry keeps its place in line."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from slow_chat import PEOPLE, T0, Batches, slow_batches
from sqlalchemy import event, select

from bot.core.effects import Message
from bot.core.events import CommandIssued, EventMeta
from bot.core.model import Intervention, UserId
from bot.core.ports import OutMessage
from bot.i18n.render import Reader, Renderer
from bot.lanes import lane_of
from bot.storage import orm
from bot.storage.store import OutboxItem, SqlStore


@pytest.fixture
async def batches(store: SqlStore) -> AsyncIterator[Batches]:
    async with slow_batches(store) as world:
        yield world


async def test_each_person_gets_their_messages_once_in_order_while_others_go_side_by_side(
    batches: Batches,
) -> None:
    outbox = batches.app.dispatcher.outbox
    done_before = (await outbox.counts(batches.iid))["done"]
    for p in PEOPLE:
        for i in range(1, 5):
            await batches.queue({"user": p}, f"{p}-{i}")
    for i in range(1, 5):
        await batches.queue({"channel": True}, f"channel-{i}")
    assert await batches.app.dispatcher.tick() == 20  # one claimed batch

    for p in PEOPLE:
        assert batches.chat.received(f"@{p}") == [f"{p}-{i}" for i in range(1, 5)]
    assert batches.chat.received("#C1") == [f"channel-{i}" for i in range(1, 5)]
    assert not batches.chat.two_at_one_place
    assert batches.chat.concurrency_seen == 3  # the policy's bound, reached and never passed
    assert await outbox.counts(batches.iid) == {"done": done_before + 20}


async def test_a_retried_message_keeps_its_place_the_ones_behind_it_wait_for_it(
    batches: Batches,
) -> None:
    for i in range(1, 4):
        for p in ("ana", "ben"):
            await batches.queue({"user": p}, f"{p}-{i}")
    batches.chat.failures["ana-1"] = 1

    await batches.app.dispatcher.drain()
    assert batches.chat.received("@ben") == ["ben-1", "ben-2", "ben-3"]
    assert batches.chat.received("@ana") == []  # ana-2 and ana-3 did not overtake ana-1
    assert [a for a in batches.chat.attempts if "ana" in a] == ["ana-1"]

    batches.clock.advance(seconds=31)
    await batches.app.dispatcher.drain()
    assert batches.chat.received("@ana") == ["ana-1", "ana-2", "ana-3"]
    async with batches.app.store.sessions() as s:
        attempts = dict((await s.execute(select(orm.OutboxRow.id, orm.OutboxRow.attempts))).all())
    # Only the row that failed used two attempts: waiting behind it cost the others nothing.
    assert sorted(attempts.values())[-2:] == [1, 2]


async def test_a_person_who_erased_their_data_is_not_reached_from_a_state_kept_before(
    batches: Batches,
) -> None:
    await batches.queue({"user": "ben"}, "ben-1")
    await batches.app.dispatcher.drain()  # a batch that knew ana as a participant
    meta = EventMeta("memory", "erase-ana", "W", UserId("ana"), "ana", None, "fr")
    await batches.app.runner.handle(CommandIssued(meta, "forget"))
    await batches.queue({"user": "ana"}, "ana-1")
    await batches.app.dispatcher.drain()
    assert batches.chat.received("@ana") == []
    assert "ana-1" not in batches.chat.attempts


class CountingRenderer(Renderer):
    def __init__(self, like: Renderer) -> None:
        super().__init__(like.catalog, like.flow)
        self.rendered = 0

    def message(self, state: Intervention, msg: Message, reader: Reader) -> OutMessage:
        self.rendered += 1
        return super().message(state, msg, reader)


async def test_one_message_to_many_is_rendered_once_per_language_each_reading_their_own(
    batches: Batches,
) -> None:
    meta = EventMeta("memory", "ben-lang", "W", UserId("ben"), "ben", None, "fr")
    await batches.app.runner.handle(CommandIssued(meta, "lang en"))
    await batches.app.dispatcher.drain()
    renderer = batches.app.dispatcher.renders.renderer = CountingRenderer(batches.app.renderer)
    for p in PEOPLE:
        await batches.queue({"user": p}, f"{p}-1")
    await batches.app.dispatcher.drain()
    assert renderer.rendered == 4  # the notes differ: one rendering each
    for p in PEOPLE:
        await batches.queue({"user": p}, "all-1")
    await batches.app.dispatcher.drain()
    assert renderer.rendered == 4 + 2  # the same note: once in French, once in English
    assert "No command is called" in batches.chat.inner.seen_by("@ben")[-1]
    for p in ("ana", "cleo", "dan"):
        assert "Aucune commande ne s'appelle" in batches.chat.inner.seen_by(f"@{p}")[-1]


async def test_a_mark_from_a_worker_that_lost_its_lease_is_refused_among_good_ones(
    batches: Batches,
) -> None:
    for p in PEOPLE:
        await batches.queue({"user": p}, f"{p}-1")
    outbox = batches.app.dispatcher.outbox
    now = batches.clock.now()
    mine = await outbox.claim("w1", now, timedelta(seconds=30), 10)
    later = now + timedelta(seconds=31)
    theirs = await outbox.claim("w2", later, timedelta(seconds=30), 1)  # w1's lease expired
    # Marks asked for together go in one transaction; fencing still answers row by row.
    held = await asyncio.gather(*(outbox.done(i.id, "w1", later, "x") for i in mine))
    assert held == [i.id != theirs[0].id for i in mine]
    assert await outbox.done(theirs[0].id, "w2", later, "y")


async def test_the_marks_of_a_batch_of_quick_deliveries_are_written_in_one_statement(
    batches: Batches,
) -> None:
    batches.chat.quick = True
    for p in PEOPLE:
        for i in range(1, 6):
            await batches.queue({"user": p}, f"{p}-{i}")
    marks: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if re.match(r"\s*UPDATE outbox SET status", statement):
            marks.append(statement)

    engine = batches.app.store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert await batches.app.dispatcher.tick() == 20
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(marks) == 1  # not one per row, nor one per few: the batch's marks together
    assert (await batches.app.dispatcher.outbox.counts(batches.iid)).get("pending", 0) == 0
    for p in PEOPLE:
        assert batches.chat.received(f"@{p}") == [f"{p}-{i}" for i in range(1, 6)]


def _item(kind: str, payload: dict[str, Any], iid: str = "i1") -> OutboxItem:
    return OutboxItem(1, iid, kind, payload, T0, 1)


def test_lanes_are_people_spaces_and_the_channel_of_one_intervention() -> None:
    to_ana = _item("send", {"to": {"user": "ana"}})
    assert lane_of(to_ana) == lane_of(_item("export", {"user": "ana"}))
    assert lane_of(to_ana) == lane_of(_item("report", {"user": "ana"}))
    assert lane_of(to_ana) != lane_of(_item("send", {"to": {"user": "ben"}}))
    assert lane_of(to_ana) != lane_of(_item("send", {"to": {"user": "ana"}}, iid="i2"))
    space = _item("send", {"to": {"space": 2}})
    assert lane_of(space) == lane_of(_item("open_space", {"subgroup": 2, "members": []}))
    assert lane_of(space) == lane_of(_item("close_space", {"subgroup": 2}))
    assert lane_of(space) != lane_of(_item("send", {"to": {"space": 3}}))
    assert lane_of(_item("send", {"to": {"channel": True}})) not in {
        lane_of(to_ana),
        lane_of(space),
    }
    assert lane_of(_item("timer", {"kind": "close"})) == lane_of(_item("groups", {"seed": 1}))
