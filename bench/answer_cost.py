"""Does one answer cost more in a bigger intervention? Answer latency at 100, 1,000 and 10,000.

Run `python -m bench.answer_cost` (a few minutes; add `--postgres` for PostgreSQL too). For each
size an intervention is built through the engine (everyone invited and consented), saved, its
barometer round opened through the runner (the fan-out is written, not delivered), then
`--answers` participants answer one after the other through `Runner.handle`, the path a Slack
or Discord submission takes after its ack. Prints p50 and p99 per size, the ratio of each to
the 100-participant run of the same table, and the process's peak memory after each size.
Nothing is asserted; the target (issue "Scale") is p99 at 10,000 ≤ 2× p99 at 100.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.adapters.memory import MemoryChat
from bot.app import build
from bot.config import DatabaseSettings, Settings
from bot.core.events import AnswerSubmitted, CommandIssued, EventMeta
from bot.core.model import UserId
from bot.storage.migrate import upgrade
from tests.delivery_load import throwaway_postgres
from tests.engine_helpers import FAC, Session

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
SIZES = (100, 1000, 10_000)
ROUND = "trust.barometer"


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def roster(size: int) -> Session:
    session = Session(keep_outcomes=False)  # the driver's history is not the bot's memory
    session.group_with(*(f"u{i:05d}" for i in range(size)), title="Bench")
    return session


async def one_size(url: str, session: Session, answers: int) -> list[float]:
    await asyncio.to_thread(upgrade, url)
    app = build(Settings(database=DatabaseSettings(url=url)), {"memory": MemoryChat()}, Clock())
    state = session.state
    assert state is not None
    try:
        async with app.store.unit() as uow:
            await uow.save(None, state, 0)
        seq = iter(range(10**9))

        def meta(user: str, channel: str | None) -> EventMeta:
            return EventMeta("memory", f"b{next(seq)}", "W1", UserId(user), user, channel, "en")

        opened = await app.runner.handle(CommandIssued(meta(FAC, "C1"), f"round open {ROUND}"))
        assert not opened.refused, "the round did not open"
        people = [u for u in state.participants if u != FAC][:answers]
        took = []
        for user in people:
            event = AnswerSubmitted(meta(user, None), state.id, ROUND, {"barometer.level": 4})
            started = time.perf_counter()
            handled = await app.runner.handle(event)
            took.append(time.perf_counter() - started)
            assert not handled.refused, f"an answer was refused: {handled.replies}"
        return took
    finally:
        await app.store.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def table(name: str, urls: list[str], answers: int) -> None:
    print(f"\n{name}: {answers} answers in a row per size, ms")
    print(
        f"{'people':>7} {'p50':>8} {'p99':>8} {'p50/p50@100':>12} {'p99/p99@100':>12}"
        f" {'peak MB':>8}"
    )
    base: tuple[float, float] | None = None
    for size, url in zip(SIZES, urls, strict=True):
        session = await asyncio.to_thread(roster, size)
        took = await one_size(url, session, answers)
        p50, p99 = pct(took, 0.5), pct(took, 0.99)
        base = base or (p50, p99)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{size:>7,} {p50:>8.1f} {p99:>8.1f} {p50 / base[0]:>11.2f}x {p99 / base[1]:>11.2f}x"
            f" {peak:>8.0f}"
        )
        del session
    print(f"mean of all answers: {statistics.mean(took) * 1000:.1f} ms at {SIZES[-1]:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    parser.add_argument("--database", default=DEFAULT_PG)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = [f"sqlite+aiosqlite:///{Path(tmp) / f'n{n}.db'}" for n in SIZES]
        asyncio.run(table("SQLite", files, args.answers))
    if args.postgres:
        with (
            throwaway_postgres(args.database) as a,
            throwaway_postgres(args.database) as b,
            throwaway_postgres(args.database) as c,
        ):
            asyncio.run(table("PostgreSQL", [a, b, c], args.answers))


if __name__ == "__main__":
    main()
