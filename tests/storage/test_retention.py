"""Retention that runs by itself: the daily purge is an outbox row woken by the same clock as
every delivery, testable on a manual clock; `tst db purge --dry-run` lists, `tst db purge`
purges; on PostgreSQL one process purges at a time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from privacy_world import PrivacyWorld, open_world, tokens
from sqlalchemy import func, select, text
from typer.testing import CliRunner
from waiting import until

from bot.cli import app as cli
from bot.core.ports import SystemClock
from bot.scheduler import Wakeup
from bot.storage import orm
from bot.storage.retention import EVENT_IDS_KEPT, PURGE_LOCK, RETENTION_KEY, Retention
from bot.storage.store import SqlStore, make_engine


async def answered_and_closed(w: PrivacyWorld) -> None:
    words = tokens()
    await w.cmd("round open intake")
    for user in w.people.values():
        await w.answer(user, "trust.intake", {"trust.hope": next(words)}, "group_anonymous")
    await w.cmd("close")


async def count(store: SqlStore, table: object) -> int:
    async with store.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


@pytest.fixture
async def world(store: SqlStore) -> AsyncIterator[PrivacyWorld]:
    url = store.engine.url.render_as_string(hide_password=False)
    w = await open_world(url, ("ana", "ben", "cleo"))
    yield w
    await w.app.store.close()


async def test_the_daily_purge_runs_on_the_wakeup_clock(
    world: PrivacyWorld, caplog: pytest.LogCaptureFixture
) -> None:
    w = world
    caplog.set_level(logging.INFO, logger="bot.storage.retention")
    await answered_and_closed(w)
    await w.app.retention.plan(w.clock.now())
    wake = Wakeup(w.app.dispatcher, w.clock, idle_seconds=0.05)
    wake.start()
    try:
        # Due at once: today's run purges nothing (closed a moment ago) and plans tomorrow's.
        await until(lambda: "purged the answers of 0 intervention" in caplog.text)
        assert await count(w.app.store, orm.ResponseRow) == 3
        w.clock.advance(days=31)  # nobody types anything: the clock alone brings the next runs
        await until(lambda: "purged the answers of 1 intervention" in caplog.text, timeout=10)
    finally:
        await wake.stop()
    assert await count(w.app.store, orm.ResponseRow) == 0
    assert await count(w.app.store, orm.ResponseAuthorRow) == 0
    async with w.app.store.sessions() as s:
        due = await s.scalar(select(orm.OutboxRow.due_at).where(orm.OutboxRow.key == RETENTION_KEY))
        actions = list(await s.scalars(select(orm.AuditRow.action)))
    assert due is not None and w.clock.now() < due <= w.clock.now() + timedelta(days=1)
    assert "retention.purge" in actions
    # The syntheses stay (what the group kept): the report still has them.
    assert (await w.state()).syntheses


async def test_planning_twice_keeps_one_row_and_its_due_time(world: PrivacyWorld) -> None:
    w = world
    await w.app.retention.plan(w.clock.now())
    w.clock.advance(hours=5)
    await w.app.retention.plan(w.clock.now())  # a restart: the waiting run is not pushed back
    async with w.app.store.sessions() as s:
        rows = (
            await s.execute(select(orm.OutboxRow.due_at).where(orm.OutboxRow.key == RETENTION_KEY))
        ).all()
    assert [r.due_at for r in rows] == [w.clock.now() - timedelta(hours=5)]


async def test_db_purge_dry_run_lists_then_purge_purges(
    world: PrivacyWorld, tmp_path: Path
) -> None:
    w = world
    await answered_and_closed(w)  # closed on 2 March 2026: long past 30 days, by the wall clock
    recent = await open_world(
        w.app.settings.database.url, ("dan", "eve", "fay"), start="start Récent"
    )
    try:
        recent.clock.set(SystemClock().now() - timedelta(days=2))
        await answered_and_closed(recent)
    finally:
        await recent.app.store.close()
    config = tmp_path / "tst.toml"
    config.write_text(f'[database]\nurl = "{w.app.settings.database.url}"\n', "utf-8")
    runner = CliRunner()
    listed = await asyncio.to_thread(
        runner.invoke, cli, ["db", "purge", "--dry-run", "--config", str(config)]
    )
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0] == "1 closed intervention(s) past 30 days would be purged"
    assert lines[1:] == [f"{w.iid}  2026-03-02  Équipe"]
    assert await count(w.app.store, orm.ResponseRow) == 6  # a dry run changes nothing
    done = await asyncio.to_thread(runner.invoke, cli, ["db", "purge", "--config", str(config)])
    assert done.exit_code == 0, done.output
    assert "purged the answers of 1 closed intervention(s) past 30 days" in done.output
    assert await count(w.app.store, orm.ResponseRow) == 3  # the recent one keeps its answers


async def test_one_process_purges_at_a_time_on_postgresql(
    world: PrivacyWorld, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the advisory lock is PostgreSQL's (SQLite serves one process)")
    w = world
    await answered_and_closed(w)
    later = w.clock.now() + timedelta(days=31)
    other = make_engine(database_url)
    try:
        async with other.connect() as held:
            await held.execute(text(f"SELECT pg_advisory_lock({PURGE_LOCK})"))
            assert await Retention(w.app.store, 30).purge(later) is None
            assert await count(w.app.store, orm.ResponseRow) == 3
            await held.execute(text(f"SELECT pg_advisory_unlock({PURGE_LOCK})"))
        assert await Retention(w.app.store, 30).purge(later) == 1
    finally:
        await other.dispose()


async def test_the_daily_run_forgets_event_ids_older_than_a_week_and_keeps_the_rest(
    world: PrivacyWorld,
) -> None:
    w = world
    await answered_and_closed(w)
    handled = await count(w.app.store, orm.ProcessedEventRow)
    assert handled > 0  # every command and answer above left its id
    w.clock.advance(days=EVENT_IDS_KEPT.days - 1)
    await w.cmd("status")  # one event inside the week
    await w.app.retention.run(w.clock.now())
    assert await count(w.app.store, orm.ProcessedEventRow) == handled + 1
    w.clock.advance(days=2)
    await w.app.retention.run(w.clock.now())
    # The older ones are gone; the recent one is still refused a second handling.
    assert await count(w.app.store, orm.ProcessedEventRow) == 1
