"""/metrics and /healthz over real HTTP: deliveries by outcome, due lag, the shared queue read
from the database at scrape time, and a 503 when the database cannot be reached."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from probe_client import healthz, scrape
from sqlalchemy.engine import make_url

from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.config import DatabaseSettings, Settings
from bot.core.events import ChoiceMade, CommandIssued, EventMeta
from bot.core.model import InterventionId, UserId, UserRef
from bot.core.ports import DeliveryError, ManualClock, MessageRef, OutMessage
from bot.health import Probes, ProbeServer
from bot.storage.store import SqlStore

MONDAY_9AM_PARIS = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PEOPLE = ("ana", "ben", "cleo")


@dataclass(slots=True)
class HiccupChat(MemoryChat):
    """MemoryChat whose next `hiccups` direct messages fail with a transient error."""

    hiccups: int = 0

    async def send_direct(self, user: UserRef, msg: OutMessage) -> MessageRef:
        if self.hiccups > 0:
            self.hiccups -= 1
            raise DeliveryError("timeout", permanent=False, retry_after=30.0)
        return await MemoryChat.send_direct(self, user, msg)


@dataclass
class Bot:
    app: App
    chat: HiccupChat
    clock: ManualClock
    url: str
    n: int = 0
    iid: str = ""

    async def cmd(self, text: str, user: str = "fac") -> None:
        self.n += 1
        meta = EventMeta("memory", f"ev{self.n}", "W", UserId(user), user.title(), "C1", "fr")
        handled = await self.app.runner.handle(CommandIssued(meta, text))
        self.iid = handled.intervention or self.iid

    async def consent(self, user: str) -> None:
        self.n += 1
        meta = EventMeta("memory", f"ev{self.n}", "W", UserId(user), user.title(), None, "fr")
        await self.app.runner.handle(
            ChoiceMade(meta, InterventionId(self.iid), "consent", "accept")
        )


async def serving(app: App) -> tuple[ProbeServer, str]:
    server = ProbeServer(Probes(app).routes())
    port = await server.start("127.0.0.1", 0)
    return server, f"http://127.0.0.1:{port}"


@pytest.fixture
async def bot(store: SqlStore) -> AsyncIterator[Bot]:
    """Ana and Ben accepted the frame; Cleo's DMs are closed, so her invitation went dead."""
    chat = HiccupChat(unreachable={UserId("cleo")})
    clock = ManualClock(MONDAY_9AM_PARIS)
    url = store.engine.url.render_as_string(hide_password=False)
    app = build(Settings(database=DatabaseSettings(url=url)), {"memory": chat}, clock, "w1")
    b = Bot(app, chat, clock, url)
    await b.cmd("start Équipe")
    await b.cmd("invite " + " ".join(f"<@{p}>" for p in PEOPLE))
    for person in ("ana", "ben"):
        await b.consent(person)
    await app.dispatcher.drain()
    yield b
    await app.store.close()


async def test_deliveries_are_counted_by_outcome_and_agree_with_the_outbox(bot: Bot) -> None:
    bot.chat.hiccups = 1
    await bot.cmd("round open intake")
    await bot.app.dispatcher.drain()  # one prompt goes, the other is told to retry in 30 s
    bot.clock.advance(seconds=35)  # so the retried prompt is delivered 5 s after it was due
    await bot.app.dispatcher.drain()
    server, base = await serving(bot.app)
    try:
        metrics = await scrape(base)
    finally:
        await server.stop()

    outbox = await bot.app.dispatcher.outbox.counts()
    done = outbox["done"]
    assert metrics.value("tst_deliveries_total", platform="memory", outcome="done") == done
    assert metrics.value("tst_deliveries_total", platform="memory", outcome="retry") == 1
    assert metrics.value("tst_deliveries_total", platform="memory", outcome="dead") == 1
    # Every row but the retried one went out the moment it was due (a manual clock).
    lag = "tst_delivery_due_lag_seconds"
    assert metrics.value(f"{lag}_count") == done
    assert metrics.value(f"{lag}_bucket", le="2.5") == done - 1
    assert metrics.value(f"{lag}_bucket", le="5.0") == done
    assert metrics.value(f"{lag}_sum") == 5.0
    assert metrics.value("tst_outbox_dead", kind="send") == 1
    # Dead letters by cause, never by person: Cleo's closed DMs, and no other cause.
    assert metrics.value("tst_dead_letters", cause="dm_closed") == 1
    assert metrics.value("tst_dead_letters", cause="not_in_channel") == 0
    assert not any("cleo" in str(labels) for _name, labels in metrics.samples)
    assert metrics.value("tst_outbox_overdue", kind="send") == 0
    assert metrics.value("tst_database_up") == 1


async def test_queue_depth_is_read_from_the_shared_database_at_scrape_time(bot: Bot) -> None:
    bot.clock.advance(hours=12)  # 21:00 in Paris: the prompts wait for the morning
    await bot.cmd("round open intake")
    await bot.app.dispatcher.drain()
    # A second process on the same database: no delivery of its own, the same queue.
    other = build(
        Settings(database=DatabaseSettings(url=bot.url)), {"memory": MemoryChat()}, bot.clock, "w2"
    )
    first, first_url = await serving(bot.app)
    second, second_url = await serving(other)
    try:
        evening = await scrape(first_url)
        bot.clock.advance(hours=11, minutes=10)  # 08:10 the next morning, nobody delivered yet
        morning = await scrape(second_url)
    finally:
        await first.stop()
        await second.stop()
        await other.store.close()

    assert evening.value("tst_outbox_pending", kind="send") == 2
    assert evening.value("tst_outbox_overdue", kind="send") == 0
    assert morning.value("tst_outbox_pending", kind="send") == 2
    assert morning.value("tst_outbox_overdue", kind="send") == 2
    assert morning.value("tst_outbox_pending", kind="report") == 0  # every kind has a series
    assert morning.value("tst_deliveries_total", platform="memory", outcome="done") is None


async def test_healthz_is_200_while_the_database_answers(bot: Bot) -> None:
    server, base = await serving(bot.app)
    try:
        status, body = await healthz(base)
    finally:
        await server.stop()
    assert status == 200
    assert body == {"status": "ok", "database": True, "platforms": {}}


def unreachable(database_url: str, tmp_path: Path) -> str:
    """The same kind of database, somewhere nothing answers."""
    if database_url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path / 'no-such-dir' / 'tst.db'}"
    with socket.socket() as s:  # a port that was free a moment ago: connections are refused
        s.bind(("127.0.0.1", 0))
        closed = int(s.getsockname()[1])
    url = make_url(database_url).set(host="127.0.0.1", port=closed)
    return url.render_as_string(hide_password=False)


async def test_healthz_is_503_and_metrics_still_answer_when_the_database_is_unreachable(
    database_url: str, tmp_path: Path
) -> None:
    url = unreachable(database_url, tmp_path)
    app = build(Settings(database=DatabaseSettings(url=url)), {"memory": MemoryChat()})
    server, base = await serving(app)
    try:
        status, body = await healthz(base)
        metrics = await scrape(base)
    finally:
        await server.stop()
        await app.store.close()
    assert status == 503
    assert body == {"status": "unavailable", "database": False, "platforms": {}}
    assert metrics.value("tst_database_up") == 0
    assert "tst_outbox_pending" not in metrics.names()  # unknown, not a stale number
    assert metrics.value("tst_delivery_due_lag_seconds_count") == 0  # this process's series
