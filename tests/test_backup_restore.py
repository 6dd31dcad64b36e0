"""The backup procedure of docs/operations.md on PostgreSQL: `pg_dump --format=custom` of a
database the bot has used, `pg_restore --clean --if-exists --no-owner` into another, then
`tst db purge`. The restored intervention is the one saved, and the bot goes on with it."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from delivery_load import throwaway_postgres

from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.config import DatabaseSettings, Settings
from bot.core.events import ChoiceMade, CommandIssued
from bot.core.model import Intervention, InterventionId
from bot.core.ports import ManualClock
from bot.demo.run import FACILITATOR, START, Demo
from bot.storage.migrate import upgrade

PG_ENV = "TSTBOT_TEST_POSTGRES"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"{PG_ENV} not set"),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="no pg_dump here"),
]
ROOT = Path(__file__).resolve().parents[1]


def libpq(url: str) -> str:
    """pg_dump and pg_restore take libpq URLs: no `+asyncpg` driver part."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


def app_on(url: str, clock: ManualClock, chat: MemoryChat) -> App:
    return build(Settings(database=DatabaseSettings(url=url)), {"memory": chat}, clock)


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two empty databases: the one the bot used, the one a backup is restored into."""
    base = os.environ[PG_ENV]
    with throwaway_postgres(base) as source, throwaway_postgres(base) as target:
        yield source, target


def run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **options)


async def loaded(app: App, iid: str) -> Intervention | None:
    async with app.store.unit() as uow:
        return await uow.load(InterventionId(iid))


async def test_a_dump_restored_elsewhere_is_the_same_intervention_and_the_bot_goes_on(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = databases
    await asyncio.to_thread(upgrade, source)
    clock, chat = ManualClock(START), MemoryChat()
    app = app_on(source, clock, chat)
    demo = Demo(app, chat, clock, "fr", random.Random(3), [])
    try:
        await demo.cmd("demarrer Sauvegarde")
        await demo.cmd("inviter @ana @ben @cleo")
        for person in ("ana", "ben", "cleo"):
            consent = ChoiceMade(
                demo.meta(person, None), InterventionId(demo.iid), "consent", "accept"
            )
            await demo.event(consent, person)
        await demo.cmd("etape confiance")
        await demo.cmd("tour ouvrir intake")
        await demo.answer_round("trust.intake")
        saved = await loaded(app, demo.iid)
    finally:
        await app.store.close()
    assert saved is not None and saved.responses

    dump = tmp_path / "tst.dump"
    dumped = await asyncio.to_thread(
        run, ["pg_dump", "--format=custom", f"--file={dump}", libpq(source)]
    )
    assert dumped.returncode == 0, dumped.stderr
    options = ["--clean", "--if-exists", "--no-owner"]
    restored_db = await asyncio.to_thread(
        run, ["pg_restore", f"--dbname={libpq(target)}", *options, str(dump)]
    )
    assert restored_db.returncode == 0, restored_db.stderr
    env = {**os.environ, "TSTBOT_DATABASE__URL": target, "PYTHONPATH": str(ROOT)}
    purge = await asyncio.to_thread(run, [sys.executable, "-m", "bot", "db", "purge"], env=env)
    assert purge.returncode == 0, purge.stderr

    restored_app = app_on(target, clock, MemoryChat())
    try:
        restored = await loaded(restored_app, demo.iid)
        assert restored == saved
        handled = await restored_app.runner.handle(
            CommandIssued(demo.meta(FACILITATOR), "tour fermer intake")
        )
        assert not handled.refused
        after = await loaded(restored_app, demo.iid)
    finally:
        await restored_app.store.close()
    assert after is not None and after.rounds["trust.intake"].status == "closed"
