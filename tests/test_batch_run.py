"""A claimed batch run by a few workers: a barrier waits for what its intervention claimed before
it, marks included, and holds back what came after, while other interventions go on; rows behind
a retried one follow it untried; an error fails the batch only once the others are marked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from engine_helpers import Session
from sqlalchemy import select

from bot.batch_run import BatchRun, Delivered
from bot.core.model import InterventionId
from bot.metrics import Metrics
from bot.storage import orm
from bot.storage.outbox import SqlOutbox
from bot.storage.store import OutboxItem, SqlStore

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LATER = T0 + timedelta(minutes=5)


@dataclass
class Outbox:
    store: SqlStore
    groups: tuple[str, str]
    outbox: SqlOutbox = field(init=False)

    def __post_init__(self) -> None:
        self.outbox = SqlOutbox(self.store)

    async def queue(self, group: int, rows: list[tuple[str, dict[str, Any]]]) -> None:
        """Rows of one intervention (0 or 1), due in the order given."""
        async with self.store.unit() as uow:
            for i, (kind, payload) in enumerate(rows):
                await uow.enqueue(self.groups[group], kind, payload, T0 + timedelta(seconds=i))

    async def claim(self) -> list[OutboxItem]:
        items = await self.outbox.claim("w1", LATER, timedelta(seconds=60), 100)
        return sorted(items, key=lambda i: (i.due_at, i.id))

    async def status(self) -> dict[int, tuple[str, str | None, int]]:
        row = orm.OutboxRow
        async with self.store.sessions() as s:
            found = await s.execute(select(row.id, row.status, row.claimed_by, row.attempts))
            return {i: (status, by, attempts) for i, status, by, attempts in found.all()}


@pytest.fixture
async def box(store: SqlStore) -> AsyncIterator[Outbox]:
    ids = []
    for number in (1, 2):
        session = Session()
        session.group_with("ana", "ben")
        assert session.state is not None
        state = replace(session.state, id=InterventionId(f"i{number}"), channel=f"C{number}")
        async with store.unit() as uow:
            await uow.save(None, state, 0)
        ids.append(state.id)
    yield Outbox(store, (ids[0], ids[1]))


def to(user: str) -> dict[str, Any]:
    return {"to": {"user": user}, "note": user}


def note(item: OutboxItem) -> str:
    return f"{item.kind}:{item.payload.get('note', '')}"


async def run(box: Outbox, deliver: Callable[[OutboxItem], Any], width: int = 4) -> BatchRun:
    items = await box.claim()
    batch = BatchRun(items, deliver, box.outbox, "w1", Metrics(), width)
    await asyncio.wait_for(asyncio.shield(batch.marked), 10)
    return batch


async def test_a_barrier_waits_for_the_rows_before_it_marked_and_holds_back_those_after(
    box: Outbox,
) -> None:
    await box.queue(
        0,
        [
            ("send", to("ana")),
            ("send", to("ben")),
            ("timer", {"note": "t"}),
            ("send", to("ana") | {"note": "ana-after"}),
        ],
    )
    await box.queue(1, [("send", to("ana") | {"note": "other"})])
    items = {note(i): i for i in await box.claim()}
    await box.outbox.release([i.id for i in items.values()], "w1")
    started: list[str] = []
    other_delivered = asyncio.Event()
    seen_at_barrier: dict[int, tuple[str, str | None, int]] = {}

    async def deliver(item: OutboxItem) -> Delivered:
        started.append(note(item))
        if item.kind == "timer":
            seen_at_barrier.update(await box.status())
            # The other intervention is not held back by this one's barrier.
            await asyncio.wait_for(other_delivered.wait(), 5)
        if note(item) == "send:other":
            other_delivered.set()
        await asyncio.sleep(0)
        return Delivered("memory", f"ref-{item.id}", LATER)

    await run(box, deliver)
    before = [items["send:ana"].id, items["send:ben"].id]
    assert [seen_at_barrier[i][0] for i in before] == ["done", "done"]
    assert seen_at_barrier[items["send:ana-after"].id][0] == "pending"
    assert started.index("timer:t") < started.index("send:ana-after")
    assert {status for status, _, _ in (await box.status()).values()} == {"done"}


async def test_rows_behind_a_retried_row_follow_it_untried_even_past_a_barrier(
    box: Outbox,
) -> None:
    await box.queue(
        0,
        [
            ("send", to("ana") | {"note": "ana-1"}),
            ("send", to("ana") | {"note": "ana-2"}),
            ("send", to("ben")),
            ("timer", {"note": "t"}),
            ("send", to("ana") | {"note": "ana-3"}),
        ],
    )
    again = LATER + timedelta(seconds=30)
    tried: list[str] = []

    async def deliver(item: OutboxItem) -> Delivered | datetime:
        tried.append(note(item))
        if note(item) == "send:ana-1":
            return again  # the dispatcher recorded the retry; the row is due again then
        return Delivered("memory", None, LATER)

    items = {note(i): i for i in await box.claim()}
    await box.outbox.release([i.id for i in items.values()], "w1")
    await run(box, deliver)
    assert tried == ["send:ana-1", "send:ben", "timer:t"]
    status = await box.status()
    for name in ("send:ana-2", "send:ana-3"):
        # Given back: waiting, held by nobody, their claim not counted as an attempt.
        assert status[items[name].id] == ("pending", None, 0)
    async with box.store.sessions() as s:
        due = dict((await s.execute(select(orm.OutboxRow.id, orm.OutboxRow.due_at))).all())
    assert (
        orm.UtcDateTime().process_result_value(
            due[items["send:ana-3"].id], box.store.engine.dialect
        )
        == again
    )


async def test_no_more_than_width_at_once_and_never_two_to_one_person(box: Outbox) -> None:
    people = ("ana", "ben", "cleo", "dan", "eve")
    await box.queue(0, [("send", to(p) | {"note": f"{p}-{i}"}) for i in (1, 2) for p in people])
    busy: set[str] = set()
    most = 0
    order: list[str] = []

    async def deliver(item: OutboxItem) -> Delivered:
        nonlocal most
        person = item.payload["to"]["user"]
        assert person not in busy
        busy.add(person)
        most = max(most, len(busy))
        await asyncio.sleep(0.005)
        busy.discard(person)
        order.append(item.payload["note"])
        return Delivered("memory", None, LATER)

    await run(box, deliver, width=3)
    assert most == 3
    for p in people:
        assert [n for n in order if n.startswith(p)] == [f"{p}-1", f"{p}-2"]


async def test_a_row_that_fails_fails_the_batch_once_the_others_are_delivered_and_marked(
    box: Outbox,
) -> None:
    await box.queue(0, [("send", to(p)) for p in ("ana", "ben", "cleo")])

    async def deliver(item: OutboxItem) -> Delivered:
        if item.payload["note"] == "ben":
            raise RuntimeError("the database failed to record a retry")
        return Delivered("memory", None, LATER)

    items = await box.claim()
    batch = BatchRun(items, deliver, box.outbox, "w1", Metrics(), 4)
    await asyncio.wait_for(batch.settled, 10)
    with pytest.raises(RuntimeError, match="record a retry"):
        await asyncio.wait_for(batch.marked, 10)
    status = await box.status()
    assert sorted(s for s, _, _ in status.values()) == ["done", "done", "pending"]


async def test_an_empty_batch_is_settled_and_marked_at_once(box: Outbox) -> None:
    batch = BatchRun([], lambda item: asyncio.sleep(0), box.outbox, "w1", Metrics(), 4)
    assert batch.settled.done() and batch.marked.done()
