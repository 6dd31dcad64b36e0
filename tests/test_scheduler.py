"""The wake-up clock: deliveries happen without anyone calling the dispatcher, and a restarted
process delivers what came due while it was down, once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from waiting import until

from bot.adapters.memory import MemoryChat
from bot.app import build
from bot.config import DatabaseSettings, DeliverySettings, Settings
from bot.core.events import ChoiceMade, CommandIssued, EventMeta
from bot.core.model import InterventionId, MessageRef, UserId, UserRef
from bot.core.ports import ManualClock, OutMessage
from bot.scheduler import Wakeup
from bot.storage import orm
from bot.storage.migrate import upgrade

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def meta(n: int, user: str, channel: str | None = "C1") -> EventMeta:
    return EventMeta("memory", f"ev{n}", "W", UserId(user), user, channel, "en")


async def test_enqueued_effects_are_delivered_by_the_wakeup_and_survive_a_restart(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    await asyncio.to_thread(upgrade, url)
    settings = Settings(database=DatabaseSettings(url=url))
    clock = ManualClock(T0)
    chat = MemoryChat()
    app = build(settings, {"memory": chat}, clock, "first")
    wake = Wakeup(app.dispatcher, clock, idle_seconds=30)
    app.runner.on_enqueued = wake.poke
    wake.start()
    handled = await app.runner.handle(CommandIssued(meta(1, "fac"), "start T"))
    iid = InterventionId(handled.intervention or "")
    await app.runner.handle(CommandIssued(meta(2, "fac"), "invite <@ana> <@ben> <@cleo>"))
    await until(lambda: len(chat.seen_by("@cleo")) == 1)  # the frame, without any drain()
    for n, user in enumerate(("ana", "ben", "cleo"), start=3):
        await app.runner.handle(ChoiceMade(meta(n, user, None), iid, "consent", "accept"))
    await app.runner.handle(CommandIssued(meta(7, "fac"), "round open intake"))
    await until(lambda: len(chat.seen_by("@ana")) == 2)
    await app.runner.handle(ChoiceMade(meta(8, "ana", None), iid, "notnow", "trust.intake"))
    # The process stops before the "not now" timer is due...
    await wake.stop()
    await app.store.close()
    clock.advance(hours=30)
    # ...and a new one, started later, delivers it once.
    chat2 = MemoryChat()
    app2 = build(settings, {"memory": chat2}, clock, "second")
    wake2 = Wakeup(app2.dispatcher, clock, idle_seconds=30)
    wake2.start()
    await until(lambda: len(chat2.seen_by("@ana")) == 1)
    await wake2.run()
    assert len(chat2.seen_by("@ana")) == 1 and not chat2.seen_by("@ben")
    await wake2.stop()
    await app2.store.close()


@dataclass
class SlowChat(MemoryChat):
    """Each DM takes a while: a round's delivery run outlasts several heartbeats."""

    delay: float = 0.02  # seconds a DM takes

    async def send_direct(self, user: UserRef, msg: OutMessage) -> MessageRef:
        await asyncio.sleep(self.delay)
        return await super().send_direct(user, msg)


async def test_heartbeats_during_a_long_delivery_run_are_quiet_and_nothing_waits(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    await asyncio.to_thread(upgrade, url)
    clock = ManualClock(T0)
    chat = SlowChat()
    app = build(Settings(database=DatabaseSettings(url=url)), {"memory": chat}, clock, "slow")
    wake = Wakeup(app.dispatcher, clock, idle_seconds=0.01)
    app.runner.on_enqueued = wake.poke
    wake.start()
    people = [f"p{n}" for n in range(30)]
    await app.runner.handle(CommandIssued(meta(1, "fac"), "start T"))
    await app.runner.handle(CommandIssued(meta(2, "fac"), "invite <@ana>"))
    await until(lambda: len(chat.seen_by("@ana")) == 1)
    await app.runner.handle(
        CommandIssued(meta(3, "fac"), "invite " + " ".join(f"<@{p}>" for p in people))
    )
    await until(lambda: len(chat.seen_by("@p0")) == 1)
    # Written while that run is going: delivered when it ends, not at a later heartbeat.
    await app.runner.handle(CommandIssued(meta(4, "fac"), "invite <@zoe>"))
    await until(lambda: all(chat.seen_by(f"@{p}") for p in [*people, "zoe"]), timeout=10)
    await wake.stop()
    await app.store.close()
    assert "maximum number of running instances" not in caplog.text


async def test_a_stopping_process_finishes_the_batches_in_hand_and_claims_no_more(
    database_url: str,
) -> None:
    await asyncio.to_thread(upgrade, database_url)
    settings = Settings(
        database=DatabaseSettings(url=database_url), delivery=DeliverySettings(batch=5)
    )
    clock = ManualClock(T0)
    chat = SlowChat(delay=0.05)
    app = build(settings, {"memory": chat}, clock, "stopping")
    wake = Wakeup(app.dispatcher, clock, idle_seconds=30)
    app.runner.on_enqueued = wake.poke
    wake.start()
    people = [f"p{n:02d}" for n in range(60)]
    await app.runner.handle(CommandIssued(meta(1, "fac"), "start T"))
    await app.runner.handle(
        CommandIssued(meta(2, "fac"), "invite " + " ".join(f"<@{p}>" for p in people))
    )
    await until(lambda: len(chat.seen_by("@p00")) == 1)
    await wake.stop()
    row = orm.OutboxRow
    async with app.store.sessions() as s:
        waiting = (await s.execute(select(row.claimed_by).where(row.status == "pending"))).scalars()
        holders = list(waiting)
    await app.store.close()
    assert holders, "the stop waited for the whole round instead of the batches in hand"
    assert set(holders) == {None}  # nothing left leased to a process that is gone
