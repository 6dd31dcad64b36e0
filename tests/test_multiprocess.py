"""Several dispatcher processes on one PostgreSQL behave as one bot, even when one is killed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from delivery_load import enqueue_sends
from engine_helpers import Session

from bot.core.ports import SystemClock
from bot.storage.store import SqlStore

sys.path.insert(0, str(Path(__file__).resolve().parent / "fakes"))
from sink import Sink

ITEMS = 2000
WORKER = Path(__file__).resolve().parent / "fakes" / "sink_worker.py"
ROOT = Path(__file__).resolve().parents[1]


async def expire_leases(store: SqlStore, worker: str) -> None:
    """What the passing of a lease's time does to the rows `worker` holds."""
    from sqlalchemy import update

    from bot.storage import orm

    row = orm.OutboxRow
    async with store.unit() as uow:
        await uow.session.execute(
            update(row)
            .where(row.claimed_by == worker, row.status == "pending")
            .values(lease_until=SystemClock().now() - timedelta(seconds=1))
        )


async def test_three_workers_deliver_every_item_once_while_one_is_killed(
    store,
    database_url: str,  # type: ignore[no-untyped-def]
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes need PostgreSQL (SQLite serves one process)")
    s = Session()
    s.group_with("ana", "ben", "cleo")
    assert s.state is not None
    now = SystemClock().now()
    async with store.unit() as uow:
        await uow.save(None, s.state, 0)
    await enqueue_sends(store, s.state.id, [now] * ITEMS)
    sink = Sink()
    await sink.start()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, str(WORKER), database_url, sink.url, f"w{i}", env=env
        )
        for i in range(3)
    ]
    try:
        async with asyncio.timeout(60):
            while sink.by_worker["w0"] < 150:  # w0 is busy delivering: kill it mid-way
                await asyncio.sleep(0.01)
        procs[0].send_signal(signal.SIGKILL)
        async with asyncio.timeout(120):
            await procs[0].wait()
        # The killed worker's leases run out (the workers' lease outlasts any load, so the
        # test moves its clock): the others take over what it held.
        await expire_leases(store, "w0")
        async with asyncio.timeout(300):
            for p in procs[1:]:
                await p.wait()
    finally:
        for p in procs:
            if p.returncode is None:
                p.kill()
        await sink.stop()
    assert procs[0].returncode == -signal.SIGKILL
    assert len(sink.keys) == ITEMS  # none lost
    resent = sum(n - 1 for n in sink.keys.values())
    # A row killed between send and mark may be sent again after its lease: with the same
    # idempotency key, so the platform (or this sink) keeps one. Distinct keys = delivered once.
    assert resent <= 20  # at most the killed worker's one claimed batch
    async with store.unit() as uow:
        from sqlalchemy import func, select

        from bot.storage import orm

        statuses = dict(
            (
                await uow.session.execute(
                    select(orm.OutboxRow.status, func.count()).group_by(orm.OutboxRow.status)
                )
            ).all()
        )
    assert statuses == {"done": ITEMS}


async def test_tst_run_with_workers_counts_every_process_deliveries_in_its_metrics(
    store,
    database_url: str,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """`tst run --workers 3`: the extra processes deliver too, and the one /metrics adds
    their deliveries to its own (a Prometheus scrape sees the bot, not a third of it)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes need PostgreSQL (SQLite serves one process)")
    from fakes.slack_api import FakeSlack, SlackDriver
    from probe_client import scrape
    from waiting import free_port, until

    # Slack allows 50+ conversations.open a minute (Tier 3) and each process starts its
    # budget there: 90 DMs in batches of 20 spread over three processes stay within it.
    people = [f"UP{i:03d}" for i in range(90)]
    fake = await FakeSlack().start()
    for user in ("UFAC", *people):
        fake.add_user(user, user.title())
    # Slow posts: the process that wrote the rows cannot deliver them all before the others
    # find them on their next tick.
    fake.delay_next("chat.postMessage", 0.2, count=10_000)
    port = free_port()
    config = tmp_path / "tst.toml"
    config.write_text(
        f"""
[database]
url = "{database_url}"
[defaults]
day_start = "00:00"
day_end = "00:00"
working_days = "all"
[delivery]
tick_seconds = 0.2
batch = 20
[slack]
bot_token = "xoxb-test"
signing_secret = "workers-secret"
port = {port}
api_base_url = "{fake.base_url}"
""",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    # A session of its own: whatever happens, its worker processes go with it (below).
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot", "run", "--config", str(config), "--workers", "3"),
        env=env,
        start_new_session=True,
    )
    driver = SlackDriver(fake, f"http://127.0.0.1:{port}/slack/events", "workers-secret")
    try:
        async with asyncio.timeout(30):
            while True:
                try:
                    await driver.slash("start Équipe", "UFAC")
                    break
                except OSError:
                    await asyncio.sleep(0.1)
        await driver.slash("invite " + " ".join(f"<@{u}>" for u in people), "UFAC")
        await until(lambda: all(fake.messages_in(fake.dm_of(u)) for u in people), timeout=60)

        async def outbox() -> tuple[int, int, int]:
            """Rows done, rows pending, and how many processes marked rows done."""
            from sqlalchemy import distinct, func, select

            from bot.storage import orm

            row = orm.OutboxRow
            async with store.unit() as uow:
                found = dict(
                    (
                        await uow.session.execute(
                            select(row.status, func.count())
                            .where(row.kind != "retention")  # the daily purge always waits
                            .group_by(row.status)
                        )
                    ).all()
                )
                by = await uow.session.scalar(
                    select(func.count(distinct(row.claimed_by))).where(row.status == "done")
                )
            return found.get("done", 0), found.get("pending", 0), int(by or 0)

        async with asyncio.timeout(30):
            while (await outbox())[1]:
                await asyncio.sleep(0.1)
        done, _pending, processes = await outbox()
        metrics = await scrape(f"http://127.0.0.1:{port}")
        counted = metrics.value("tst_deliveries_total", platform="slack", outcome="done")
        assert done > len(people) and processes >= 2
        assert counted == done
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(20):
                await bot.wait()
        finally:
            if bot.returncode is None:
                bot.kill()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(bot.pid, signal.SIGKILL)  # a worker the parent left behind
            await driver.close()
            await fake.stop()
