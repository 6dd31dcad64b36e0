"""Several dispatcher processes on one PostgreSQL behave as one bot, even when one is killed."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from delivery_load import enqueue_sends
from engine_helpers import Session

from bot.core.ports import SystemClock

sys.path.insert(0, str(Path(__file__).resolve().parent / "fakes"))
from sink import Sink

ITEMS = 2000
WORKER = Path(__file__).resolve().parent / "fakes" / "sink_worker.py"
ROOT = Path(__file__).resolve().parents[1]


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
            for p in procs:
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
