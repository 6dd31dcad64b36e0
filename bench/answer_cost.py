"""Does one answer cost more in a bigger intervention? Answer latency at 100, 1,000 and 10,000.

Run `python -m bench.answer_cost` (a few minutes; add `--postgres` for PostgreSQL too). For each
row a first process builds the intervention through the engine (everyone invited and
consented), saves it, opens its barometer round through the runner (the fan-out is written,
not delivered) and, for the "late" rows, records the answers of everyone but the people still
to answer (through the engine, saved in one unit): the answers map at its largest. A second
process, the worker, then starts the bot on that database and has `--answers` more
participants answer one after the other through `Runner.handle`, the path a Slack or Discord
submission takes after its ack, in two turns per row (rows take turns), each turn a fresh
worker. A worker's first answers load the intervention and warm its statements: the very first
one's time is printed on its own, and the first few of each turn are not counted.
Prints p50 and p99 per row, their ratio to the 100-participant row of the same table, and the
worker's peak resident memory (it holds the intervention between events). Nothing is
asserted; the target (issue "Scale") is p99 at 10,000 <= 2x p99 at 100.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import multiprocessing
import resource
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.config import DatabaseSettings, Settings
from bot.core.events import AnswerSubmitted, CommandIssued, EventMeta
from bot.core.model import InterventionId, UserId
from bot.flows.context import Facts
from bot.flows.engine import advance
from bot.storage.migrate import upgrade
from tests.delivery_load import throwaway_postgres
from tests.engine_helpers import FAC, Session

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
WARM = 3  # answers a fresh worker handles before the measured ones (its first loads the state)
ROUND = "trust.barometer"
LEVEL = {"barometer.level": 4}


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _app(url: str) -> App:
    return build(Settings(database=DatabaseSettings(url=url)), {"memory": MemoryChat()}, Clock())


def _meta(n: int, user: str, channel: str | None) -> EventMeta:
    return EventMeta("memory", f"b{n}", "W1", UserId(user), user, channel, "en")


def people(size: int) -> list[str]:
    return [f"u{i:05d}" for i in range(size)]


async def _prepare(url: str, size: int, answered: int) -> str:
    session = Session(keep_outcomes=False)  # the driver's history is not the bot's memory
    session.group_with(*people(size), title="Bench")
    state = session.state
    assert state is not None
    await asyncio.to_thread(upgrade, url)
    app = _app(url)
    try:
        async with app.store.unit() as uow:
            await uow.save(None, state, 0)
        opened = await app.runner.handle(CommandIssued(_meta(0, FAC, "C1"), f"round open {ROUND}"))
        assert not opened.refused, "the round did not open"
        async with app.store.unit() as uow:
            before = await uow.load(state.id, lock=True)
            assert before is not None
            after = before
            for n, user in enumerate(people(size)[:answered], start=1):
                event = AnswerSubmitted(_meta(-n, user, None), state.id, ROUND, LEVEL)
                entropy = hashlib.sha512(f"pre{n}".encode()).digest()
                outcome = advance(
                    after,
                    event,
                    flow=app.runner.flow,
                    now=Clock().now(),
                    policy=app.runner.policy,
                    facts=Facts(entropy=entropy),
                )
                assert not outcome.refused and outcome.state is not None
                after = outcome.state
            if after is not before:
                await uow.save(before, after, await uow.version_of(state.id))
        return state.id
    finally:
        await app.store.close()


def prepare(url: str, size: int, answered: int) -> str:
    return asyncio.run(_prepare(url, size, answered))


async def _work(url: str, iid: str, users: list[str]) -> tuple[list[float], float]:
    app = _app(url)
    took = []
    try:
        for n, user in enumerate(users, start=1):
            event = AnswerSubmitted(_meta(n, user, None), InterventionId(iid), ROUND, LEVEL)
            started = time.perf_counter()
            handled = await app.runner.handle(event)
            took.append(time.perf_counter() - started)
            assert not handled.refused, f"an answer was refused: {handled.replies}"
    finally:
        await app.store.close()
    return took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def work(url: str, iid: str, users: list[str]) -> tuple[list[float], float]:
    """The worker: a bot process of its own, so its peak memory is one worker's."""
    return asyncio.run(_work(url, iid, users))


def in_process(fn: Callable[..., Any], *args: object) -> Any:
    """`fn(*args)` in a fresh interpreter (spawned, not forked: nothing of this one inherited)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(fn, *args).result()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# (people, answered before) per row: the first answers of the round at each size, then the
# last ones, when all but the measured answers are in (the answers map at its largest).
ROWS = ((100, False), (1000, False), (10_000, False), (1000, True), (10_000, True))


def table(name: str, urls: list[str], answers: int) -> None:
    print(f"\n{name}: up to {answers} answers per row in two passes, rows in turn, ms")
    print(
        f"{'people':>7} {'answered':>9} {'n':>4} {'first':>7} {'p50':>6} {'p99':>6}"
        f" {'p50/p50@100':>12} {'p99/p99@100':>12} {'worker peak MB':>15}"
    )
    # The rows take turns, forward then backward, so a change in the machine's load while
    # the bench runs falls on every row alike; each turn is a fresh worker.
    rows = []
    for (size, late), url in zip(ROWS, urls, strict=True):
        turn = min(answers // 2, size // 2 - WARM) + WARM  # answers per turn
        answered = size - 2 * turn if late else 0
        iid: str = in_process(prepare, url, size, answered)
        rows.append((size, answered, url, iid, turn, people(size)[answered:]))
    took: dict[int, list[float]] = {i: [] for i in range(len(rows))}
    first: dict[int, float] = {}
    peak: dict[int, float] = {}
    for second, order in enumerate((range(len(rows)), reversed(range(len(rows))))):
        for i in order:
            _size, _answered, url, iid, turn, waiting = rows[i]
            users = waiting[second * turn : (second + 1) * turn]
            times, top = in_process(work, url, iid, users)
            first.setdefault(i, times[0])
            took[i] += times[WARM:]
            peak[i] = max(peak.get(i, 0.0), top)
    base: tuple[float, float] | None = None
    for i, (size, answered, *_rest) in enumerate(rows):
        p50, p99 = pct(took[i], 0.5), pct(took[i], 0.99)
        base = base or (p50, p99)
        print(
            f"{size:>7,} {answered:>9,} {len(took[i]):>4} {first[i] * 1000:>7.1f} {p50:>6.1f}"
            f" {p99:>6.1f} {p50 / base[0]:>11.2f}x {p99 / base[1]:>11.2f}x {peak[i]:>15.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    parser.add_argument("--database", default=DEFAULT_PG)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = [f"sqlite+aiosqlite:///{Path(tmp) / f'r{n}.db'}" for n in range(len(ROWS))]
        table("SQLite", files, args.answers)
    if args.postgres:
        with ExitStack() as stack:
            urls = [stack.enter_context(throwaway_postgres(args.database)) for _ in ROWS]
            table("PostgreSQL", urls, args.answers)


if __name__ == "__main__":
    main()
