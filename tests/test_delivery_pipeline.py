"""Batch after batch: on PostgreSQL the next batch is claimed while one is delivered, and started
while its marks are written, without a place's messages changing order; SQLite waits its turn; a
batch that fails gives the one claimed ahead back as it was; the claim says which copy to trust."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from slow_chat import PEOPLE, Batches, slow_batches
from sqlalchemy import event, select

from bot.delivery import Dispatcher
from bot.storage import orm
from bot.storage.outbox import SqlOutbox
from bot.storage.store import SqlStore

CLAIM = re.compile(r"\s*UPDATE outbox SET attempts=\(outbox.attempts \+")
MARK = re.compile(r"\s*UPDATE outbox SET status")
VERSION = re.compile(r"\s*SELECT interventions.version")


@pytest.fixture
async def batches(store: SqlStore) -> AsyncIterator[Batches]:
    async with slow_batches(store) as world:
        world.chat.quick = True
        dispatcher = world.app.dispatcher
        dispatcher.policy = replace(dispatcher.policy, batch=5)
        yield world


@contextmanager
def statements(batches: Batches, fail_mark: bool = False) -> Iterator[list[str]]:
    """What the dispatcher asks of the database, in order: "claim", "mark", "version"."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        for name, pattern in (("claim", CLAIM), ("mark", MARK), ("version", VERSION)):
            if pattern.match(statement):
                seen.append(name)
                if name == "mark" and fail_mark:
                    raise ConnectionError("the database went away mid-mark")

    engine = batches.app.store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


async def queue_notes(batches: Batches, per_person: int) -> None:
    for i in range(1, per_person + 1):
        for p in PEOPLE:
            await batches.queue({"user": p}, f"{p}-{i}")


async def test_the_next_batch_is_claimed_while_one_is_delivered_on_postgresql_only(
    batches: Batches,
) -> None:
    done_before = (await batches.app.dispatcher.outbox.counts(batches.iid))["done"]
    await queue_notes(batches, 3)  # 12 rows: batches of 5, 5 and 2
    with statements(batches) as seen:
        assert await batches.app.dispatcher.tick() == (12 if batches.postgres else 5)
    order = [s for s in seen if s != "version"]
    if batches.postgres:
        # The second claim goes out before the first batch's marks, the third before the
        # second's; the two rows of the last batch need no claim after them.
        assert order[:3] == ["claim", "claim", "mark"]
        assert order.count("claim") == 3 and order.count("mark") == 3
    else:
        assert order == ["claim", "mark"]  # one writer at a time: a claim, then its marks
        assert await batches.app.dispatcher.drain() == 7
    for p in PEOPLE:
        assert batches.chat.received(f"@{p}") == [f"{p}-{i}" for i in range(1, 4)]
    assert await batches.app.dispatcher.outbox.counts(batches.iid) == {"done": done_before + 12}


async def test_a_stopping_dispatcher_claims_no_batch_ahead(batches: Batches) -> None:
    await queue_notes(batches, 3)
    batches.app.dispatcher.stopping = True
    with statements(batches) as seen:
        assert await batches.app.dispatcher.tick() == 5
    assert [s for s in seen if s != "version"] == ["claim", "mark"]


async def test_a_batch_whose_marks_fail_gives_the_batch_claimed_ahead_back_as_it_was(
    batches: Batches,
) -> None:
    await queue_notes(batches, 3)
    async with batches.app.store.sessions() as s:
        row = orm.OutboxRow
        before = dict((await s.execute(select(row.id, row.due_at))).all())
    with statements(batches, fail_mark=True), pytest.raises(ConnectionError):
        await batches.app.dispatcher.tick()
    async with batches.app.store.sessions() as s:
        rows = (
            await s.execute(
                select(row.id, row.status, row.claimed_by, row.attempts, row.due_at).where(
                    row.status == "pending"
                )
            )
        ).all()
    claimed = [r for r in rows if r.claimed_by is not None]
    free = [r for r in rows if r.claimed_by is None]
    # Delivered, unmarked, they come back when their lease ends (their keys make the second
    # delivery a duplicate the platform drops): on PostgreSQL the second batch had started
    # when the first one's marks failed; the third, claimed ahead, had not.
    delivered = 10 if batches.postgres else 5
    assert len(claimed) == delivered and all(r.attempts == 1 for r in claimed)
    # Everything else waits as it was: unclaimed, no attempt spent, due when it was.
    assert len(free) == 12 - delivered
    assert all(r.attempts == 0 and r.due_at == before[r.id] for r in free)


async def test_a_claim_tells_which_kept_copy_holds_no_statement_per_batch_to_check(
    batches: Batches,
) -> None:
    batches.app.store.verify_kept = False  # as in production: kept copies are trusted
    await queue_notes(batches, 3)
    with statements(batches) as seen:
        await batches.app.dispatcher.drain()
    assert "version" not in seen
    assert seen.count("claim") >= 3


async def test_a_barrier_and_the_batch_after_it_wait_for_the_marks_of_what_came_before(
    batches: Batches, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of 5: a timer, then four messages; five more; a timer, then one more. Marks
    take 50 ms to be written, so a batch that did not wait for them would see them missing."""
    write = SqlOutbox._done_many

    async def slowly(outbox: SqlOutbox, marks: Any) -> list[bool]:
        await asyncio.sleep(0.05)
        return await write(outbox, marks)

    monkeypatch.setattr(SqlOutbox, "_done_many", slowly)
    feed = Dispatcher._feed
    at_timers: list[int] = []

    async def counted(dispatcher: Dispatcher, event: Any, cache: Any) -> None:
        at_timers.append((await dispatcher.outbox.counts(batches.iid))["done"])
        await feed(dispatcher, event, cache)

    monkeypatch.setattr(Dispatcher, "_feed", counted)
    timer = {"kind": "noop", "payload": {}}

    async def queue_timer() -> None:
        async with batches.app.store.unit() as uow:
            await uow.enqueue(batches.iid, "timer", timer, batches.clock.now())

    await queue_timer()
    for i in (1, 2):
        for p in PEOPLE:
            await batches.queue({"user": p}, f"{p}-{i}")
    await batches.queue({"user": "ana"}, "ana-3")
    await queue_timer()
    await batches.queue({"user": "ben"}, "ben-3")
    seen: dict[str, dict[str, int]] = {}

    async def look(note: str) -> None:
        if note in ("ana-2", "ben-3"):  # the first of the second batch, the last of the third
            seen[note] = await batches.app.dispatcher.outbox.counts(batches.iid)

    batches.chat.before_send = look
    done_before = (await batches.app.dispatcher.outbox.counts(batches.iid))["done"]
    await batches.app.dispatcher.drain()
    # The second batch started once the first one, its timer with it, was marked.
    assert seen["ana-2"]["done"] == done_before + 5
    # The second timer started once the batch before it was marked, and ben-3 after it.
    assert at_timers == [done_before, done_before + 10]
    assert seen["ben-3"]["done"] == done_before + 11
