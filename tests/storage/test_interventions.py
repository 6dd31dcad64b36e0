"""The aggregate in its tables, on SQLite and PostgreSQL: everything it holds comes back."""

from __future__ import annotations

from dataclasses import replace

from full_aggregate import ANA, BEN, LATER, full_aggregate

from bot.core.model import ActionItem, BoardItem, LineThread, SafetyRequest
from bot.storage.kept import KeptAggregates, as_stored
from bot.storage.store import SqlStore


async def load_from_rows(store: SqlStore, iid: str) -> object:
    store.kept = KeptAggregates()  # not the copy this process kept: the rows
    async with store.unit() as uow:
        return await uow.load(iid)  # type: ignore[arg-type]


async def test_every_field_and_collection_survives_a_round_trip(store: SqlStore) -> None:
    async with store.unit() as uow:
        saved = await uow.save(None, full_aggregate(), 0)
    assert await load_from_rows(store, saved.id) == as_stored(saved)


async def test_a_change_to_every_collection_at_once_is_stored(store: SqlStore) -> None:
    async with store.unit() as uow:
        first = await uow.save(None, full_aggregate(), 0)
    ana, ben = first.participants[ANA], first.participants[BEN]
    changed = replace(
        first,
        title="Équipe renommée",
        participants={
            **first.participants,
            ANA: replace(ana, locale="fr"),
            BEN: replace(ben, role="facilitator"),
        },
        rounds={k: replace(r, reminded=not r.reminded) for k, r in first.rounds.items()},
        responses={rid: replace(r, value="Modifié") for rid, r in first.responses.items()},
        board=(*first.board, BoardItem(3, "cause", "Trop de réunions")),
        actions=(replace(first.actions[0], status="done"), ActionItem(2, "Suivre", BEN, LATER)),
        lines=(replace(first.lines[0], received=4), LineThread(2, "cd" * 32)),
        requests=(*first.requests, SafetyRequest(2, "timeout", "open", "contract")),
    )
    async with store.unit() as uow:
        saved = await uow.save(first, changed, 1)
    assert await load_from_rows(store, saved.id) == as_stored(saved)


async def test_entries_that_leave_the_aggregate_leave_their_tables(store: SqlStore) -> None:
    async with store.unit() as uow:
        first = await uow.save(None, full_aggregate(), 0)
    fewer = replace(
        first,
        participants={u: p for u, p in first.participants.items() if u != ANA},
        subgroups=first.subgroups[:1],
        scheduled=(),
    )
    async with store.unit() as uow:
        await uow.save(first, fewer, 1)
    loaded = await load_from_rows(store, first.id)
    assert loaded == as_stored(fewer)
