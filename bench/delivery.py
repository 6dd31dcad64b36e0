"""Delivery on PostgreSQL: dispatcher processes against the raw claim-and-mark SQL, and due lag.

Run `python -m bench.delivery` (about 2.5 minutes on 2 cores). In a throwaway database:

- Throughput: N direct messages due at once (a fan-out to 1,000 participants, each getting
  N/1,000 of them in turn), delivered by 1, 2 and 4 OS processes each running the real
  Dispatcher (SqlOutbox claim, lease, render, mark) against a no-op port; next to it the same
  claim SQL and per-row mark from plain asyncpg processes (`raw`), and the same claim with one
  mark per batch (`raw-batch`), and the bot's own statements, one round trip each, a claim
  that takes and returns the rows and one mark per batch, in autocommit (`raw-1rt`), to show
  what the database itself allows. items/s is counted
  from the go signal to the last `delivered_at`; startup and connecting are not timed.
- Due lag at a steady load, one process wired as `tst run` wires it (Wakeup + on_enqueued poke):
  rows planned ahead (APScheduler arms at the next due time), rows written and poked (a command
  handled in this process), and rows written without a poke (another process: the heartbeat).

Prints tables; nothing is asserted. Nothing is random: due times follow a fixed rate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing as mp
import os
import platform
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Event as MpEvent
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import text

from bot.core.model import ConversationRef, MessageRef, UserRef
from bot.core.ports import OutMessage
from bot.scheduler import Wakeup
from bot.storage.migrate import upgrade
from bot.storage.store import SqlStore, make_engine
from tests.delivery_load import (
    deliver_until_idle,
    dispatcher_app,
    enqueue_sends,
    throwaway_postgres,
)
from tests.engine_helpers import Session

DEFAULT_DB = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
KINDS = ("raw-1rt", "raw-batch", "raw", "bot")
PARTICIPANTS = 1000
# The DeliverySettings defaults, which `tst run` uses unless configured otherwise.
BATCH = 100
LEASE = timedelta(seconds=60)

# The baseline: a claim (select, take, read back) and marks written by hand with asyncpg;
# `raw` marks each row in its own transaction, `raw-batch` marks a whole batch in one.
CLAIM = """SELECT id FROM outbox
WHERE status = 'pending' AND due_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED"""
TAKE = """UPDATE outbox SET attempts = attempts + 1, claimed_by = $1, lease_until = $2
WHERE id = ANY($3::int[]) AND (lease_until IS NULL OR lease_until < $4)"""
CLAIMED = """SELECT id, intervention_id, kind, key, payload, due_at, status, attempts,
claimed_by, lease_until, delivered_at, external_ref, last_error FROM outbox
WHERE id = ANY($1::int[]) AND claimed_by = $2 AND lease_until = $3 ORDER BY due_at, id"""
MARK = """UPDATE outbox SET status = 'done', lease_until = NULL, delivered_at = $1,
external_ref = $2 WHERE id = $3 AND claimed_by = $4"""
# `raw-1rt`: one statement, one round trip, for a claim and for a batch's marks (autocommit).
CLAIM_1RT = """UPDATE outbox SET attempts = attempts + 1, claimed_by = $1, lease_until = $2
WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND due_at <= $3
AND (lease_until IS NULL OR lease_until < $3) ORDER BY due_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
AND (lease_until IS NULL OR lease_until < $3)
RETURNING id, intervention_id, kind, payload, due_at, attempts"""
MARK_BATCH = """UPDATE outbox SET status = 'done', lease_until = NULL, delivered_at = $1,
external_ref = 'dlv-' || id WHERE id = ANY($2::int[]) AND claimed_by = $3"""


class NoopChat:
    """A ChatPort that accepts every message at once and notes when, by idempotency key."""

    platform = "memory"

    def __init__(self, expect: int = 0) -> None:
        self.sent: dict[str, datetime] = {}
        self.expect = expect
        self.all_sent = asyncio.Event()  # set once `expect` distinct keys were sent

    def _take(self, msg: OutMessage) -> str:
        self.sent[msg.idempotency_key] = datetime.now(UTC)
        if len(self.sent) >= self.expect:
            self.all_sent.set()
        return msg.idempotency_key

    async def post(self, to: ConversationRef, msg: OutMessage) -> MessageRef:
        return MessageRef(to, self._take(msg))

    async def send_direct(self, user: UserRef, msg: OutMessage) -> MessageRef:
        where = ConversationRef(user.platform, user.workspace, user.user)
        return MessageRef(where, self._take(msg))

    async def edit(self, ref: MessageRef, msg: OutMessage) -> None:
        self._take(msg)

    async def open_space(
        self, parent: ConversationRef, name: str, members: Sequence[UserRef]
    ) -> ConversationRef:
        return ConversationRef(parent.platform, parent.workspace, name)

    async def close_space(self, space: ConversationRef) -> None:
        return None


def plain_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


# --- worker processes (spawned: each imports this module afresh) ---------------------------


def worker(kind: str, url: str, name: str, ready: Any, go: MpEvent, cpu: Any) -> None:
    """One dispatcher process; reports the CPU seconds it spent after the go signal."""
    job = _bot(url, name, ready, go) if kind == "bot" else _raw(kind, url, name, ready, go)
    cpu.put(asyncio.run(job))


async def _bot(url: str, name: str, ready: Any, go: MpEvent) -> float:
    app = dispatcher_app(url, NoopChat(), name, LEASE.total_seconds(), BATCH)
    await app.dispatcher.outbox.next_due()  # connect before the clock starts
    ready.put(name)
    await asyncio.to_thread(go.wait)
    started = time.process_time()
    # All rows are due before the go: the first empty claim means the others hold the rest.
    await deliver_until_idle(app, idle_ticks=1, pause=0.0)
    spent = time.process_time() - started
    await app.store.close()
    return spent


async def _raw(kind: str, url: str, name: str, ready: Any, go: MpEvent) -> float:
    conn = await asyncpg.connect(plain_dsn(url))
    ready.put(name)
    await asyncio.to_thread(go.wait)
    started = time.process_time()
    while True:
        now = datetime.now(UTC)
        until = now + LEASE
        if kind == "raw-1rt":
            rows = await conn.fetch(CLAIM_1RT, name, until, now, BATCH)
            if not rows:
                break
            await conn.execute(MARK_BATCH, datetime.now(UTC), [r["id"] for r in rows], name)
            continue
        async with conn.transaction():
            ids = [r["id"] for r in await conn.fetch(CLAIM, now, BATCH)]
            if not ids:
                break
            await conn.execute(TAKE, name, until, ids, now)
            rows = await conn.fetch(CLAIMED, ids, name, until)
        if kind == "raw-batch":
            async with conn.transaction():
                await conn.execute(MARK_BATCH, datetime.now(UTC), [r["id"] for r in rows], name)
            continue
        for row in rows:
            # One transaction per row, as SqlOutbox.done: a mark must not wait for the batch.
            async with conn.transaction():
                await conn.execute(MARK, datetime.now(UTC), f"dlv-{row['id']}", row["id"], name)
    spent = time.process_time() - started
    await conn.close()
    return spent


# --- the parent -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Throughput:
    kind: str
    procs: int
    items: int
    done: int
    claims: int  # sum of attempts: more than `done` means a row was claimed twice
    seconds: float
    cpu: float  # CPU seconds of the worker processes together, PostgreSQL's not included

    @property
    def rate(self) -> float:
        return self.done / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.done * 1000


async def reset(store: SqlStore) -> None:
    async with store.sessions() as s, s.begin():
        await s.execute(text("TRUNCATE outbox RESTART IDENTITY"))


@dataclass(frozen=True, slots=True)
class Group:
    """The intervention every message belongs to, and its participants (the DM recipients)."""

    id: str
    users: tuple[str, ...]


async def save_group(store: SqlStore, size: int) -> Group:
    users = tuple(f"u{i:04d}" for i in range(size))
    session = Session()
    session.group_with(*users, title="Bench")
    assert session.state is not None
    async with store.unit() as uow:
        await uow.save(None, session.state, 0)
    return Group(session.state.id, users)


async def seed(store: SqlStore, group: Group, items: int) -> None:
    await reset(store)
    due = datetime.now(UTC) - timedelta(seconds=1)
    await enqueue_sends(store, group.id, [due] * items, group.users)
    async with store.sessions() as s, s.begin():
        # A live outbox has statistics; fresh rows would be planned without them.
        await s.execute(text("ANALYZE outbox"))


async def throughput(
    store: SqlStore, url: str, group: Group, kind: str, procs: int, items: int
) -> Throughput:
    await seed(store, group, items)
    ctx = mp.get_context("spawn")
    ready, cpu = ctx.Queue(), ctx.Queue()
    go = ctx.Event()
    workers = [
        ctx.Process(target=worker, args=(kind, url, f"{kind}-{i}", ready, go, cpu))
        for i in range(procs)
    ]
    for p in workers:
        p.start()
    for _ in workers:
        await asyncio.to_thread(ready.get, True, 120)
    start = datetime.now(UTC)
    go.set()
    spent = [await asyncio.to_thread(cpu.get, True, 600) for _ in workers]
    for p in workers:
        await asyncio.to_thread(p.join)
    async with store.sessions() as s:
        done, claims, last = (
            await s.execute(
                text(
                    "SELECT count(*) FILTER (WHERE status = 'done'), sum(attempts),"
                    " max(delivered_at) FROM outbox"
                )
            )
        ).one()
    seconds = (last - start).total_seconds()
    return Throughput(kind, procs, items, done, claims, seconds, sum(spent))


class Skipped(logging.Handler):
    """Counts APScheduler's "maximum number of running instances reached" (a wake-up that
    found the dispatcher already busy), instead of letting each one reach stderr."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += "maximum number of running instances" in record.getMessage()


@dataclass(frozen=True, slots=True)
class Lag:
    path: str
    rate: float  # what the producer achieved
    lags: list[float]  # ms from due time to the port's send, in due order
    missing: int
    busy_wakes: int


async def lag(
    store: SqlStore, url: str, group: Group, path: str, rate: float, seconds: float
) -> Lag:
    await reset(store)
    count = int(rate * seconds)
    port = NoopChat(expect=count)
    app = dispatcher_app(url, port, f"lag-{path}", LEASE.total_seconds(), BATCH)
    wake = Wakeup(app.dispatcher, app.runner.clock, app.settings.delivery.tick_seconds)
    app.runner.on_enqueued = wake.poke  # as serve() wires it
    skipped = Skipped()
    apscheduler = logging.getLogger("apscheduler")
    apscheduler.addHandler(skipped)
    apscheduler.propagate = False
    loop = asyncio.get_running_loop()
    if path == "planned":
        first = datetime.now(UTC) + timedelta(seconds=1)
        due = [first + timedelta(seconds=i / rate) for i in range(count)]
        await enqueue_sends(app.store, group.id, due, group.users)
        wake.start()
        achieved = rate
    else:
        wake.start()
        t0 = loop.time()
        for i in range(count):
            # Paced against the start, so a slow write is caught up rather than stretching.
            await asyncio.sleep(max(0.0, t0 + i / rate - loop.time()))
            user = group.users[i % len(group.users)]
            await enqueue_sends(app.store, group.id, [datetime.now(UTC)], [user])
            if path == "poked":
                app.runner.on_enqueued()
        achieved = count / (loop.time() - t0)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(port.all_sent.wait(), 60)
    await wake.stop()
    apscheduler.removeHandler(skipped)
    apscheduler.propagate = True
    async with app.store.sessions() as s:
        rows = (await s.execute(text("SELECT id, due_at FROM outbox"))).all()
    due_at: dict[int, datetime] = {i: at for i, at in rows}
    await app.store.close()
    ordered = sorted(due_at, key=lambda i: (due_at[i], i))
    sent = [(i, port.sent[f"dlv-{i}"]) for i in ordered if f"dlv-{i}" in port.sent]
    lags = [(at - due_at[i]).total_seconds() * 1000 for i, at in sent]
    return Lag(path, achieved, lags, count - len(lags), skipped.count)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


async def facts(store: SqlStore) -> str:
    async with store.sessions() as s:
        values = [
            (await s.execute(text(f"SHOW {name}"))).scalar_one()
            for name in ("server_version", "synchronous_commit", "fsync", "shared_buffers")
        ]
    return (
        f"{os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()},"
        f" PostgreSQL {values[0]} (synchronous_commit={values[1]}, fsync={values[2]},"
        f" shared_buffers={values[3]}), loopback TCP"
    )


async def run(
    url: str, items: int, procs: Sequence[int], runs: int, rate: float, seconds: float
) -> None:
    store = SqlStore(make_engine(url))
    print(await facts(store))
    group = await save_group(store, PARTICIPANTS)

    print(
        f"\nthroughput: {items:,} DMs to {PARTICIPANTS:,} participants due at once, batch {BATCH},"
        f" lease {LEASE.seconds} s, no-op port; items/s from the go to the last mark"
    )
    for run in range(1, runs + 1):
        results: dict[tuple[str, int], Throughput] = {}
        for n in procs:
            for kind in KINDS:
                results[(kind, n)] = r = await throughput(store, url, group, kind, n, items)
                if r.done != items or r.claims != items:
                    print(f"  {kind} x{n}: {r.done} done, {r.claims} claims of {items}")
        load = "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
        print(f"run {run} of {runs} ({load} at its end)" if runs > 1 else "")
        print(
            f"{'procs':>5} {'raw-1rt/s':>10} {'raw-batch/s':>12} {'raw/s':>7} {'bot/s':>7}"
            f" {'bot/raw-1rt':>12} {'bot/raw-batch':>14}   {'worker CPU ms/item: 1rt':>23}"
            f" {'bot':>5}"
        )
        for n in procs:
            one, batch, raw, bot = (results[(k, n)] for k in KINDS)
            print(
                f"{n:>5} {one.rate:10,.0f} {batch.rate:12,.0f} {raw.rate:7,.0f} {bot.rate:7,.0f}"
                f" {bot.rate / one.rate:12.2f} {bot.rate / batch.rate:14.2f}"
                f"   {one.cpu_ms:23.2f} {bot.cpu_ms:5.2f}"
            )
    if seconds > 0:
        await lags(store, url, group, rate, seconds)
    await store.close()
    # Other work on the machine shows here: the numbers above are only as quiet as this.
    print("\nload average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


async def lags(store: SqlStore, url: str, group: Group, rate: float, seconds: float) -> None:
    print(
        f"\ndue lag: {rate:g}/s for {seconds:g} s into one process wired as `tst run`"
        " (Wakeup, on_enqueued poke, 1 s heartbeat), no-op port"
    )
    print(
        f"{'path':>10} {'rate/s':>7} {'items':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        f" {'p50 last 1/4':>13} {'busy wakes':>11} {'missing':>8}"
    )
    for path in ("planned", "poked", "heartbeat"):
        steady = await lag(store, url, group, path, rate, seconds)
        cuts = statistics.quantiles(steady.lags, n=100, method="inclusive")
        # The items due last: a lag that keeps growing here means one process cannot keep up.
        late = statistics.median(steady.lags[len(steady.lags) * 3 // 4 :])
        print(
            f"{path:>10} {steady.rate:7.0f} {len(steady.lags):6} {cuts[49]:8.1f}"
            f" {cuts[98]:8.1f} {max(steady.lags):8.1f} {late:13.1f} {steady.busy_wakes:11}"
            f" {steady.missing:8}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("TSTBOT_TEST_POSTGRES", DEFAULT_DB),
        help="a PostgreSQL URL; the bench creates and drops a database next to it",
    )
    # 20,000: at 10,000–25,000 rows a second a smaller run measures mostly its start and end.
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--procs", default="1,2,4", help="dispatcher process counts")
    parser.add_argument("--runs", type=int, default=1, help="throughput measured this often")
    parser.add_argument("--rate", type=float, default=200.0, help="steady load, items/s")
    parser.add_argument(
        "--seconds", type=float, default=15.0, help="steady load duration (0: no due-lag table)"
    )
    args = parser.parse_args()
    procs = [int(n) for n in args.procs.split(",")]
    print("load average (1, 5, 15 min) at the start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with throwaway_postgres(args.database) as url:
        upgrade(url)
        asyncio.run(run(url, args.items, procs, args.runs, args.rate, args.seconds))


if __name__ == "__main__":
    main()
