"""`save` of a large intervention: bulk writes against one statement per changed row.

Run `python -m bench.store_save [--people 1000] [--repeat 3] [--postgres URL]` (under a
minute on SQLite). Each case saves the same change twice, each time in a fresh database: once
through `UnitOfWork.save` (one executemany per kind of change, bot/storage/sync.py), once
through `naive_write` below, the way the store wrote before (one INSERT or UPDATE per changed
row, two per new answer), kept here as the baseline measured in the same run. Both databases
are then loaded and must hold the same aggregate. Prints the median seconds and the ratio;
nothing is asserted about time.

Cases: a new intervention with N participants; N participants changing at once; N answers
written in one save; one participant changing among N (the everyday event: both paths write
one row, the ratio should stay near 1).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.model import (
    Intervention,
    Participant,
    Response,
    ResponseId,
    RoundState,
    UserId,
)
from bot.storage import orm
from bot.storage.anonymity import reseal
from bot.storage.answers import with_fresh_ids
from bot.storage.mapper import COLLECTIONS, Collection, head_row, response_row
from bot.storage.migrate import upgrade
from bot.storage.store import SqlStore, make_engine
from tests.delivery_load import throwaway_postgres
from tests.engine_helpers import T0, Session


@dataclass(frozen=True)
class Case:
    name: str
    before: Intervention | None  # saved first, untimed
    after: Intervention  # what the timed save writes


async def _naive_collection(
    s: AsyncSession, spec: Collection[Any], iid: str, old: Intervention, new: Intervention
) -> None:
    """The store's former `sync_rows`: one statement per changed entry."""
    table, before, after = spec.table, spec.entries(old), spec.entries(new)
    columns = table.__table__.columns
    for key, entry in after.items():
        if key in before and before[key] == entry:
            continue
        values = spec.to_row(entry)
        if key in before:
            where = (columns["intervention_id"] == iid, columns[spec.key] == values[spec.key])
            await s.execute(update(table).where(*where).values(**values))
        else:
            await s.execute(insert(table).values(intervention_id=iid, **values))
    if spec.delete_missing:
        for key in before:
            if key not in after:
                where = (columns["intervention_id"] == iid, columns[spec.key] == key)
                await s.execute(delete(table).where(*where))


async def naive_write(
    s: AsyncSession, before: Intervention | None, after: Intervention, version: int
) -> None:
    """The former `save`, statement for statement (head row, collections, answers, reseal)."""
    if before is None:
        s.add(orm.InterventionRow(id=after.id, version=1, **head_row(after)))
        await s.flush()
    else:
        await s.execute(
            update(orm.InterventionRow)
            .where(orm.InterventionRow.id == after.id)
            .values(version=version + 1, **head_row(after))
        )
    old = before or Intervention(after.id, "", "", "", "", "draft", "fr", "", after.created_at)
    for spec in COLLECTIONS:
        await _naive_collection(s, spec, after.id, old, after)
    for rid, answer in after.responses.items():
        if old.responses.get(rid) == answer:
            continue
        values = response_row(answer)
        if rid in old.responses:
            await s.execute(
                update(orm.ResponseRow).where(orm.ResponseRow.id == rid).values(**values)
            )
        else:
            await s.execute(insert(orm.ResponseRow).values(intervention_id=after.id, **values))
            await s.execute(
                insert(orm.ResponseAuthorRow).values(
                    response_id=rid, intervention_id=after.id, author=answer.author
                )
            )
    closing = [
        k
        for k, r in after.rounds.items()
        if r.status == "closed" and k in old.rounds and old.rounds[k].status == "open"
    ]
    await reseal(s, after.id, closing, full=after.anonymity == "full")


def cases(people: int) -> list[Case]:
    s = Session()
    s.group_with("ana", "ben", "cleo")
    assert s.state is not None
    small = s.state
    crowd = {
        UserId(f"u{i}"): Participant(
            UserId(f"u{i}"), f"Person {i}", consent="accepted", joined_at=T0
        )
        for i in range(people)
    }
    big = replace(small, participants={**small.participants, **crowd})
    moved = {u: replace(p, locale="fr", timezone="Europe/Paris") for u, p in crowd.items()}
    everyone_changed = replace(big, participants={**big.participants, **moved})
    one = UserId("u0")
    one_changed = replace(big, participants={**big.participants, one: moved[one]})
    opened = replace(
        big, rounds={"trust.intake": RoundState("trust.intake", "open", T0, frozenset(crowd))}
    )
    answers = {
        ResponseId(f"r{i}"): Response(
            ResponseId(f"r{i}"),
            "trust.intake",
            "trust.hope",
            u,
            f"hope {i}",
            "group_anonymous",
            False,
        )
        for i, u in enumerate(crowd)
    }
    answered = replace(opened, responses=answers)
    return [
        Case(f"new intervention, {people} people", None, big),
        Case(f"{people} participants change", big, everyone_changed),
        Case(f"{people} answers in one save", opened, answered),
        Case(f"1 participant changes among {people}", big, one_changed),
    ]


Write = Callable[[SqlStore, Intervention | None, Intervention], Any]


async def _bulk(store: SqlStore, before: Intervention | None, after: Intervention) -> Any:
    async with store.unit() as uow:
        return await uow.save(before, after, 1)


async def _naive(store: SqlStore, before: Intervention | None, after: Intervention) -> Any:
    async with store.unit() as uow:
        stored = with_fresh_ids(before, after)
        await naive_write(uow.session, before, stored, 1)
        return stored


async def timed(url: str, case: Case, write: Write) -> tuple[float, Intervention]:
    await asyncio.to_thread(upgrade, url)
    store = SqlStore(make_engine(url))
    try:
        before = None
        if case.before is not None:
            async with store.unit() as uow:
                before = await uow.save(None, case.before, 0)
        start = time.perf_counter()
        await write(store, before, case.after)
        seconds = time.perf_counter() - start
        store.kept = type(store.kept)()  # read the rows back, not the copy kept
        async with store.unit() as uow:
            loaded = await uow.load(case.after.id)
        assert loaded is not None
        return seconds, _without_answer_ids(loaded)
    finally:
        await store.close()


def _without_answer_ids(state: Intervention) -> Intervention:
    """Answer ids are random on every save: the aggregates are compared without them."""
    answers = sorted(state.responses.values(), key=lambda r: (r.author, r.prompt_key))
    unnamed = {ResponseId(str(i)): replace(r, id=ResponseId("")) for i, r in enumerate(answers)}
    return replace(state, responses=unnamed)


@contextmanager
def fresh_database(postgres: str | None) -> Iterator[str]:
    if postgres:
        with throwaway_postgres(postgres) as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite+aiosqlite:///{folder}/bench.db"


def measure(case: Case, write: Write, repeat: int, postgres: str | None) -> tuple[float, Any]:
    runs: list[float] = []
    loaded: Any = None
    for _ in range(repeat):
        with fresh_database(postgres) as url:
            seconds, loaded = asyncio.run(timed(url, case, write))
        runs.append(seconds)
    return statistics.median(runs), loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; median of {args.repeat}")
    print(f"{'case':<40} {'one per row':>12} {'bulk':>10} {'ratio':>8}")
    for case in cases(args.people):
        naive, naive_state = measure(case, _naive, args.repeat, args.postgres)
        bulk, bulk_state = measure(case, _bulk, args.repeat, args.postgres)
        if naive_state != bulk_state:
            raise SystemExit(f"{case.name}: the two paths stored different aggregates")
        print(f"{case.name:<40} {naive:>11.3f}s {bulk:>9.3f}s {naive / bulk:>7.1f}x")


if __name__ == "__main__":
    main()
