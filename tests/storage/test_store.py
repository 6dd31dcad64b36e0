"""The SQL store on SQLite and PostgreSQL: round trips, dedupe, anonymity in storage, outbox."""

from __future__ import annotations

from datetime import timedelta

from engine_helpers import FLOW, T0, Session
from sqlalchemy import select, text

from bot.core.model import UserId
from bot.erasure import erase
from bot.storage import orm
from bot.storage.outbox import SqlOutbox
from bot.storage.store import ConcurrentUpdate, SqlStore

PEOPLE = ("ana", "ben", "cleo")


def session_with_answers() -> Session:
    s = Session()
    s.group_with(*PEOPLE)
    s.cmd("round open trust.intake")
    s.answer("ana", "trust.intake", {"trust.hope": "anonymous hope"}, visibility="group_anonymous")
    s.answer("ben", "trust.intake", {"trust.hope": "named hope"}, visibility="facilitator")
    s.cmd("contract draft Objective")
    s.cmd("board add obstacle No channel")
    return s


async def test_an_intervention_survives_a_round_trip(store: SqlStore) -> None:
    s = session_with_answers()
    assert s.state is not None
    async with store.unit() as uow:
        stored = await uow.save(None, s.state, 0)
    async with store.unit() as uow:
        loaded = await uow.load(s.state.id)
    assert loaded == stored
    # The same answers, under ids of the store's own (never the engine's event-derived ones).
    assert sorted((r.author, r.value) for r in loaded.responses.values()) == sorted(
        (r.author, r.value) for r in s.state.responses.values()
    )
    assert not set(loaded.responses) & set(s.state.responses)


async def test_saving_only_writes_what_changed_and_detects_a_concurrent_writer(
    store: SqlStore,
) -> None:
    s = session_with_answers()
    first = s.state
    assert first is not None
    async with store.unit() as uow:
        await uow.save(None, first, 0)
    s.cmd("round close trust.intake")
    assert s.state is not None
    async with store.unit() as uow:
        await uow.save(first, s.state, 1)
    try:
        async with store.unit() as uow:
            await uow.save(first, s.state, 1)  # stale version: someone else saved first
    except ConcurrentUpdate:
        pass
    else:
        raise AssertionError("a stale save must be refused")
    async with store.unit() as uow:
        loaded = await uow.load(first.id)
    assert loaded is not None and loaded.rounds["trust.intake"].status == "closed"
    assert not loaded.responses  # answers of closed rounds stay in the store, not in the state
    async with store.unit() as uow:
        count = await uow.session.scalar(select(text("count(*)")).select_from(orm.ResponseRow))
    assert count == 2


async def test_an_anonymous_answer_is_stored_without_its_author(store: SqlStore) -> None:
    s = session_with_answers()
    assert s.state is not None
    async with store.unit() as uow:
        await uow.save(None, s.state, 0)
    async with store.unit() as uow:
        rows = {r.value: r for r in await uow.session.scalars(select(orm.ResponseRow))}
    assert rows["anonymous hope"].attributed_to is None
    assert rows["named hope"].attributed_to == "ben"
    # The only link lives in its own table.
    async with store.unit() as uow:
        links = (await uow.session.execute(select(orm.ResponseAuthorRow))).scalars().all()
    assert {link.author for link in links} == {"ana", "ben"}


async def test_forget_erases_answers_through_the_author_link(store: SqlStore) -> None:
    s = session_with_answers()
    assert s.state is not None
    async with store.unit() as uow:
        stored = await uow.save(None, s.state, 0)
    async with store.unit() as uow:
        erased = await erase(uow, stored, FLOW, UserId("ana"), erase_member=True)
    assert erased.answers == 1
    async with store.unit() as uow:
        values = list(await uow.session.scalars(select(orm.ResponseRow.value)))
        members = list(await uow.session.scalars(select(orm.ParticipantRow.user)))
    assert values == ["named hope"] and "ana" not in members


async def test_an_event_is_processed_once(store: SqlStore) -> None:
    async with store.unit() as uow:
        assert await uow.first_time("slack", "Ev1", T0)
    async with store.unit() as uow:
        assert not await uow.first_time("slack", "Ev1", T0)
        assert await uow.first_time("discord", "Ev1", T0)


async def test_outbox_lease_expires_to_another_worker_and_fences_the_first(
    store: SqlStore,
) -> None:
    outbox = SqlOutbox(store)
    async with store.unit() as uow:
        for i in range(3):
            await uow.enqueue("i1", "send", {"n": i}, T0)
        await uow.enqueue("i1", "timer", {"n": 9}, T0 + timedelta(days=1), key="i1:t")
    lease = timedelta(seconds=30)
    claimed = await outbox.claim("w1", T0, lease, 10)
    assert [c.payload["n"] for c in claimed] == [0, 1, 2]
    assert await outbox.claim("w2", T0, lease, 10) == []
    later = T0 + timedelta(seconds=31)
    reclaimed = await outbox.claim("w2", later, lease, 10)
    assert len(reclaimed) == 3
    assert not await outbox.done(claimed[0].id, "w1", later, "x")  # w1 lost its lease
    assert await outbox.done(reclaimed[0].id, "w2", later, "x")
    assert await outbox.counts("i1") == {"done": 1, "pending": 3}
    for item in reclaimed[1:]:
        assert await outbox.done(item.id, "w2", later, "x")
    assert await outbox.next_due() == T0 + timedelta(days=1)


async def test_outbox_rows_keep_the_order_they_were_queued_in_keyed_or_not(
    store: SqlStore,
) -> None:
    async with store.unit() as uow:
        await uow.enqueue("i1", "send", {"n": 0}, T0)
        await uow.enqueue("i1", "timer", {"n": 1}, T0, key="i1:a")
        await uow.enqueue("i1", "send", {"n": 2}, T0)
        await uow.enqueue("i1", "send", {"n": 3}, T0)
        await uow.enqueue("i1", "timer", {"n": 4}, T0, key="i1:b")
        await uow.enqueue("i1", "send", {"n": 5}, T0)
    claimed = await SqlOutbox(store).claim("w1", T0, timedelta(seconds=30), 10)
    assert [c.payload["n"] for c in claimed] == [0, 1, 2, 3, 4, 5]


async def test_outbox_rows_of_a_unit_that_fails_are_not_written(store: SqlStore) -> None:
    try:
        async with store.unit() as uow:
            await uow.enqueue("i1", "send", {"n": 0}, T0)
            raise RuntimeError("the event failed half way")
    except RuntimeError:
        pass
    assert await SqlOutbox(store).counts("i1") == {}
