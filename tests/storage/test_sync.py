"""Writing a collection: statements do not grow with the number of entries, and only changed
entries are written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from full_aggregate import full_aggregate
from sqlalchemy import event

from bot.core.model import Intervention, Participant, Response, ResponseId, UserId
from bot.core.overlay import FOLD_AT, put
from bot.storage.store import SqlStore


@dataclass
class Statements:
    """What reached the database driver: each statement with the parameter sets it carried."""

    seen: list[tuple[str, int]] = field(default_factory=list)

    def touching(self, verb: str, table: str) -> list[int]:
        """Parameter sets of each statement that `verb`s `table` (INSERT INTO participants...)."""
        return [n for sql, n in self.seen if sql.startswith(verb) and f" {table} " in f"{sql} "]


@contextmanager
def statements(store: SqlStore) -> Iterator[Statements]:
    found = Statements()

    def seen(_conn: Any, _cursor: Any, sql: str, params: Any, _ctx: Any, many: bool) -> None:
        found.seen.append((" ".join(sql.split()), len(params) if many else 1))

    event.listen(store.engine.sync_engine, "before_cursor_execute", seen)
    try:
        yield found
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", seen)


def with_people(state: Intervention, count: int) -> Intervention:
    crowd = {UserId(f"u{i}"): Participant(UserId(f"u{i}"), f"P{i}") for i in range(count)}
    return replace(state, participants={**state.participants, **crowd})


async def count_statements_saving(store: SqlStore, state: Intervention) -> int:
    with statements(store) as seen:
        async with store.unit() as uow:
            await uow.save(None, state, 0)
    return len(seen.seen)


async def test_a_thousand_people_cost_the_statements_of_ten(store: SqlStore) -> None:
    base = full_aggregate()
    few = await count_statements_saving(store, replace(with_people(base, 10), id="few"))
    many = await count_statements_saving(store, replace(with_people(base, 1000), id="many"))
    assert many == few


async def test_one_change_among_many_writes_one_row(store: SqlStore) -> None:
    async with store.unit() as uow:
        first = await uow.save(None, with_people(full_aggregate(), 200), 0)
    one = UserId("u7")
    changed = replace(
        first,
        participants={**first.participants, one: replace(first.participants[one], locale="fr")},
    )
    with statements(store) as seen:
        async with store.unit() as uow:
            await uow.save(first, changed, 1)
    assert seen.touching("UPDATE", "participants") == [1]
    assert not seen.touching("INSERT", "participants")
    assert not seen.touching("UPDATE", "rounds") and not seen.touching("UPDATE", "responses")


async def test_new_answers_and_their_author_links_go_in_one_statement_each(
    store: SqlStore,
) -> None:
    async with store.unit() as uow:
        first = await uow.save(None, full_aggregate(), 0)
    authors = [UserId(f"u{i}") for i in range(50)]
    new = {
        ResponseId(f"n{i}"): Response(
            ResponseId(f"n{i}"),
            "trust.intake",
            "trust.hope",
            u,
            f"idée {i}",
            "group_anonymous",
            False,
        )
        for i, u in enumerate(authors)
    }
    with statements(store) as seen:
        async with store.unit() as uow:
            saved = await uow.save(first, replace(first, responses={**first.responses, **new}), 1)
    assert seen.touching("INSERT", "responses") == [50]
    assert seen.touching("INSERT", "response_authors") == [50]
    assert sorted(r.author for r in saved.responses.values() if r.value != "Du calme") == sorted(
        [*authors, UserId("ben")]
    )


async def test_saving_one_change_in_a_big_group_compares_the_delta_not_the_group(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with store.unit() as uow:
        state = await uow.save(None, with_people(full_aggregate(), 3000), 0)
    compared = 0
    equal = Participant.__eq__

    def counted(self: Participant, other: object) -> bool:
        nonlocal compared
        compared += 1
        return equal(self, other)

    monkeypatch.setattr(Participant, "__eq__", counted)
    # Events one after the other, each saved from the copy the previous one committed, past
    # the point where the copy-on-write delta is folded into a new base.
    for n, i in enumerate(range(0, 3000, 10), start=1):
        user = UserId(f"u{i}")
        after = replace(
            state,
            participants=put(
                state.participants, user, replace(state.participants[user], locale="fr")
            ),
        )
        compared = 0
        with statements(store) as seen:
            async with store.unit() as uow:
                state = await uow.save(state, after, n)
        assert seen.touching("UPDATE", "participants") == [1]
        assert compared <= FOLD_AT + 1
    async with store.unit() as uow:
        stored = await uow.load(state.id)
    assert stored is not None
    crowd = [p for u, p in stored.participants.items() if u.startswith("u")]
    assert sum(p.locale == "fr" for p in crowd) == 300
