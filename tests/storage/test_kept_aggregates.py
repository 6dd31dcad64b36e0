"""The store keeps the intervention each unit committed and hands it to the next event while
its version has not moved: never a copy that a rollback, an erasure, a purge or another
process's save has made stale."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from engine_helpers import FLOW, T0, Session
from sqlalchemy import event, select, update

from bot.core.model import Intervention, UserId
from bot.erasure import erase
from bot.storage import orm
from bot.storage.retention import Retention
from bot.storage.store import SqlStore, make_engine

PEOPLE = ("ana", "ben", "cleo")


@contextmanager
def participant_reads(store: SqlStore) -> Iterator[list[str]]:
    """The SELECTs that read participant rows while the block runs."""
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM participants" in statement:
            seen.append(statement)

    event.listen(store.engine.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", note)


@pytest.fixture
def unverified(store: SqlStore) -> Iterator[SqlStore]:
    """The store as it runs in production: kept copies are handed out without a fresh load."""
    store.verify_kept = False
    yield store
    store.verify_kept = True


def with_round() -> Session:
    s = Session()
    s.group_with(*PEOPLE)
    s.cmd("round open trust.intake")
    s.answer("ana", "trust.intake", {"trust.hope": "hope"}, visibility="group_anonymous")
    return s


async def saved(store: SqlStore) -> tuple[Session, Intervention]:
    """An intervention with an open round, as its first unit committed it."""
    s = with_round()
    assert s.state is not None
    async with store.unit() as uow:
        first = await uow.save(None, s.state, 0)
    s.state = first  # the engine goes on from the answers' stored ids, as the runner does
    return s, first


async def test_the_next_event_reuses_what_the_last_one_committed(unverified: SqlStore) -> None:
    store = unverified
    _s, first = await saved(store)
    with participant_reads(store) as reads:
        async with store.unit() as uow:
            loaded = await uow.load(first.id, lock=True)
    assert loaded == first
    assert reads == []


async def test_a_save_that_rolled_back_leaves_nothing_kept(unverified: SqlStore) -> None:
    store = unverified
    s, first = await saved(store)
    s.answer("ben", "trust.intake", {"trust.hope": "never stored"}, visibility="facilitator")
    assert s.state is not None
    with pytest.raises(RuntimeError):
        async with store.unit() as uow:
            await uow.save(first, s.state, 1)
            raise RuntimeError("the unit fails after saving")
    async with store.unit() as uow:
        loaded = await uow.load(first.id)
    assert loaded == first


async def test_a_save_by_another_process_is_read_from_the_rows(
    unverified: SqlStore, database_url: str
) -> None:
    store = unverified
    other = SqlStore(make_engine(database_url))
    try:
        s, first = await saved(store)
        s.answer("ben", "trust.intake", {"trust.hope": "from elsewhere"}, visibility="facilitator")
        assert s.state is not None
        async with other.unit() as uow:
            second = await uow.save(first, s.state, 1)
        async with store.unit() as uow:
            loaded = await uow.load(first.id)
        assert loaded == second
    finally:
        await other.close()


async def test_a_dispatcher_reads_the_kept_copy_until_another_process_saves(
    unverified: SqlStore, database_url: str
) -> None:
    store = unverified
    other = SqlStore(make_engine(database_url))
    try:
        s, first = await saved(store)
        with participant_reads(store) as reads:
            assert await store.current(first.id) == first
        assert reads == []  # one version check, no roster read
        s.answer("ben", "trust.intake", {"trust.hope": "from elsewhere"}, visibility="facilitator")
        assert s.state is not None
        async with other.unit() as uow:
            second = await uow.save(first, s.state, 1)
        with participant_reads(store) as reads:
            assert await store.current(first.id) == second
        assert reads  # the version moved: read from the rows
        assert await store.current("no-such-intervention") is None
    finally:
        await other.close()


async def test_an_erasure_is_never_undone_by_a_kept_copy(unverified: SqlStore) -> None:
    store = unverified
    s = with_round()
    assert s.state is not None
    async with store.unit() as uow:
        stored = await uow.save(None, s.state, 0)
        await erase(uow, stored, FLOW, UserId("ana"), erase_member=True)
    async with store.unit() as uow:
        loaded = await uow.load(s.state.id)
    assert loaded is not None
    assert "ana" not in loaded.participants and not loaded.responses


async def test_a_purge_in_another_process_outdates_every_kept_copy(
    unverified: SqlStore, database_url: str
) -> None:
    store = unverified
    s, first = await saved(store)
    s.cmd("close")
    assert s.state is not None and s.state.status == "closed"
    async with store.unit() as uow:
        await uow.save(first, s.state, 1)
    other = SqlStore(make_engine(database_url))
    try:
        assert await Retention(other, days=30).purge(T0 + timedelta(days=400)) == 1
    finally:
        await other.close()
    with participant_reads(store) as reads:
        async with store.unit() as uow:
            await uow.load(s.state.id)
    assert reads, "the purge bumped the version: the copy kept before it is not reused"


async def test_the_suite_catches_a_row_changed_behind_the_stores_back(store: SqlStore) -> None:
    """The check every test runs with: a kept copy that differs from the rows is an error."""
    _s, first = await saved(store)
    async with store.unit() as uow:  # a write that does not go through `save` (a bug)
        await uow.session.execute(
            update(orm.ParticipantRow)
            .where(orm.ParticipantRow.user == "ana")
            .values(display_name="changed")
        )
    with pytest.raises(AssertionError, match="differs from the rows"):
        async with store.unit() as uow:
            await uow.load(first.id)
    async with store.unit() as uow:
        names = set(await uow.session.scalars(select(orm.ParticipantRow.display_name)))
    assert "changed" in names
