"""A claimed batch is delivered side by side: never two rows to one place at once, each place's
messages in the order they were queued, each row once, and a retry keeps its place in line."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.config import DatabaseSettings, DeliverySettings, Settings
from bot.core.effects import Message
from bot.core.events import ChoiceMade, CommandIssued, EventMeta
from bot.core.model import (
    ConversationRef,
    Intervention,
    InterventionId,
    MessageRef,
    UserId,
    UserRef,
)
from bot.core.ports import DeliveryError, ManualClock, OutMessage
from bot.delivery import lane_of
from bot.i18n.render import Reader, Renderer
from bot.storage import orm
from bot.storage.codec import encode
from bot.storage.store import OutboxItem, SqlStore

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PEOPLE = ("ana", "ben", "cleo", "dan")


@dataclass
class SlowChat:
    """MemoryChat behind a delay per message (each place's first is the slowest, so a
    dispatcher that did not keep order would let the next ones overtake it), watching what is
    in flight, and failing chosen messages a number of times."""

    concurrency_seen: int = 0
    two_at_one_place: bool = False
    failures: dict[str, int] = field(default_factory=dict)  # note -> times it fails
    quick: bool = False  # no delay: the platform takes each message at once
    attempts: list[str] = field(default_factory=list)  # notes, in the order tried
    inner: MemoryChat = field(default_factory=MemoryChat)
    platform: str = "memory"
    _busy: set[str] = field(default_factory=set)

    async def _through(
        self, where: str, msg: OutMessage, send: Callable[[], Awaitable[MessageRef]]
    ) -> MessageRef:
        text = msg.plain()
        note = _note(text)
        self.two_at_one_place |= where in self._busy
        self._busy.add(where)
        self.concurrency_seen = max(self.concurrency_seen, len(self._busy))
        try:
            self.attempts.append(note)
            if not self.quick:
                await asyncio.sleep(0.01 if _rank(note) == 1 else 0.001)
            if self.failures.get(note, 0) > 0:
                self.failures[note] -= 1
                raise DeliveryError("flaky", permanent=False, retry_after=30.0)
            return await send()
        finally:
            self._busy.discard(where)

    async def post(self, to: ConversationRef, msg: OutMessage) -> MessageRef:
        return await self._through(f"#{to.channel}", msg, lambda: self.inner.post(to, msg))

    async def send_direct(self, user: UserRef, msg: OutMessage) -> MessageRef:
        return await self._through(f"@{user.user}", msg, lambda: self.inner.send_direct(user, msg))

    async def edit(self, ref: MessageRef, msg: OutMessage) -> None:
        await self.inner.edit(ref, msg)

    async def open_space(
        self, parent: ConversationRef, name: str, members: Sequence[UserRef]
    ) -> ConversationRef:
        return await self.inner.open_space(parent, name, members)

    async def close_space(self, space: ConversationRef) -> None:
        await self.inner.close_space(space)

    def received(self, where: str) -> list[str]:
        """The numbered notes `where` received, in order ("ana-1", "ana-2", ...)."""
        return [_note(text) for text in self.inner.seen_by(where) if _note(text)]


def _note(text: str) -> str:
    found = re.search(r"note-([a-z]+-[0-9]+)", text)
    return found.group(1) if found else ""


def _rank(note: str) -> int:
    return int(note.rsplit("-", 1)[1]) if note else 0


@dataclass
class Batches:
    app: App
    chat: SlowChat
    clock: ManualClock
    iid: str

    async def queue(self, to: dict[str, Any], name: str) -> None:
        """A message to `to` whose text names it, as the runner writes a Send."""
        message = encode(Message("help.topic", {"topic": f"note-{name}"}))
        async with self.app.store.unit() as uow:
            await uow.enqueue(self.iid, "send", {"to": to, "message": message}, self.clock.now())


@pytest.fixture
async def batches(store: SqlStore) -> AsyncIterator[Batches]:
    chat = SlowChat()
    clock = ManualClock(T0)
    url = store.engine.url.render_as_string(hide_password=False)
    settings = Settings(
        database=DatabaseSettings(url=url), delivery=DeliverySettings(concurrency=3)
    )
    app = build(settings, {"memory": chat}, clock, "w1")
    n = iter(range(10**6))

    def meta(user: str, channel: str | None = "C1") -> EventMeta:
        return EventMeta("memory", f"ev{next(n)}", "W", UserId(user), user, channel, "fr")

    started = await app.runner.handle(CommandIssued(meta("fac"), "start Équipe"))
    assert started.intervention is not None
    iid = started.intervention
    await app.runner.handle(
        CommandIssued(meta("fac"), "invite " + " ".join(f"<@{p}>" for p in PEOPLE))
    )
    for p in PEOPLE:
        await app.runner.handle(ChoiceMade(meta(p, None), InterventionId(iid), "consent", "accept"))
    await app.dispatcher.drain()
    chat.concurrency_seen, chat.attempts = 0, []
    yield Batches(app, chat, clock, iid)
    await app.store.close()


async def test_each_person_gets_their_messages_once_in_order_while_others_go_side_by_side(
    batches: Batches,
) -> None:
    outbox = batches.app.dispatcher.outbox
    done_before = (await outbox.counts(batches.iid))["done"]
    for p in PEOPLE:
        for i in range(1, 5):
            await batches.queue({"user": p}, f"{p}-{i}")
    for i in range(1, 5):
        await batches.queue({"channel": True}, f"channel-{i}")
    assert await batches.app.dispatcher.tick() == 20  # one claimed batch

    for p in PEOPLE:
        assert batches.chat.received(f"@{p}") == [f"{p}-{i}" for i in range(1, 5)]
    assert batches.chat.received("#C1") == [f"channel-{i}" for i in range(1, 5)]
    assert not batches.chat.two_at_one_place
    assert batches.chat.concurrency_seen == 3  # the policy's bound, reached and never passed
    assert await outbox.counts(batches.iid) == {"done": done_before + 20}


async def test_a_retried_message_keeps_its_place_the_ones_behind_it_wait_for_it(
    batches: Batches,
) -> None:
    for i in range(1, 4):
        for p in ("ana", "ben"):
            await batches.queue({"user": p}, f"{p}-{i}")
    batches.chat.failures["ana-1"] = 1

    await batches.app.dispatcher.drain()
    assert batches.chat.received("@ben") == ["ben-1", "ben-2", "ben-3"]
    assert batches.chat.received("@ana") == []  # ana-2 and ana-3 did not overtake ana-1
    assert [a for a in batches.chat.attempts if "ana" in a] == ["ana-1"]

    batches.clock.advance(seconds=31)
    await batches.app.dispatcher.drain()
    assert batches.chat.received("@ana") == ["ana-1", "ana-2", "ana-3"]
    async with batches.app.store.sessions() as s:
        attempts = dict((await s.execute(select(orm.OutboxRow.id, orm.OutboxRow.attempts))).all())
    # Only the row that failed used two attempts: waiting behind it cost the others nothing.
    assert sorted(attempts.values())[-2:] == [1, 2]


async def test_a_person_who_erased_their_data_is_not_reached_from_a_state_kept_before(
    batches: Batches,
) -> None:
    await batches.queue({"user": "ben"}, "ben-1")
    await batches.app.dispatcher.drain()  # a batch that knew ana as a participant
    meta = EventMeta("memory", "erase-ana", "W", UserId("ana"), "ana", None, "fr")
    await batches.app.runner.handle(CommandIssued(meta, "forget"))
    await batches.queue({"user": "ana"}, "ana-1")
    await batches.app.dispatcher.drain()
    assert batches.chat.received("@ana") == []
    assert "ana-1" not in batches.chat.attempts


class CountingRenderer(Renderer):
    def __init__(self, like: Renderer) -> None:
        super().__init__(like.catalog, like.flow)
        self.rendered = 0

    def message(self, state: Intervention, msg: Message, reader: Reader) -> OutMessage:
        self.rendered += 1
        return super().message(state, msg, reader)


async def test_one_message_to_many_is_rendered_once_per_language_each_reading_their_own(
    batches: Batches,
) -> None:
    meta = EventMeta("memory", "ben-lang", "W", UserId("ben"), "ben", None, "fr")
    await batches.app.runner.handle(CommandIssued(meta, "lang en"))
    await batches.app.dispatcher.drain()
    renderer = batches.app.dispatcher.renders.renderer = CountingRenderer(batches.app.renderer)
    for p in PEOPLE:
        await batches.queue({"user": p}, f"{p}-1")
    await batches.app.dispatcher.drain()
    assert renderer.rendered == 4  # the notes differ: one rendering each
    for p in PEOPLE:
        await batches.queue({"user": p}, "all-1")
    await batches.app.dispatcher.drain()
    assert renderer.rendered == 4 + 2  # the same note: once in French, once in English
    assert "No command is called" in batches.chat.inner.seen_by("@ben")[-1]
    for p in ("ana", "cleo", "dan"):
        assert "Aucune commande ne s'appelle" in batches.chat.inner.seen_by(f"@{p}")[-1]


async def test_a_mark_from_a_worker_that_lost_its_lease_is_refused_among_good_ones(
    batches: Batches,
) -> None:
    for p in PEOPLE:
        await batches.queue({"user": p}, f"{p}-1")
    outbox = batches.app.dispatcher.outbox
    now = batches.clock.now()
    mine = await outbox.claim("w1", now, timedelta(seconds=30), 10)
    later = now + timedelta(seconds=31)
    theirs = await outbox.claim("w2", later, timedelta(seconds=30), 1)  # w1's lease expired
    # Marks asked for together go in one transaction; fencing still answers row by row.
    held = await asyncio.gather(*(outbox.done(i.id, "w1", later, "x") for i in mine))
    assert held == [i.id != theirs[0].id for i in mine]
    assert await outbox.done(theirs[0].id, "w2", later, "y")


async def test_the_marks_of_a_batch_of_quick_deliveries_are_written_in_one_statement(
    batches: Batches,
) -> None:
    batches.chat.quick = True
    for p in PEOPLE:
        for i in range(1, 6):
            await batches.queue({"user": p}, f"{p}-{i}")
    marks: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if re.match(r"\s*UPDATE outbox SET status", statement):
            marks.append(statement)

    engine = batches.app.store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert await batches.app.dispatcher.tick() == 20
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(marks) == 1  # not one per row, nor one per few: the batch's marks together
    assert (await batches.app.dispatcher.outbox.counts(batches.iid)).get("pending", 0) == 0
    for p in PEOPLE:
        assert batches.chat.received(f"@{p}") == [f"{p}-{i}" for i in range(1, 6)]


def _item(kind: str, payload: dict[str, Any], iid: str = "i1") -> OutboxItem:
    return OutboxItem(1, iid, kind, payload, T0, 1)


def test_lanes_are_people_spaces_and_the_channel_of_one_intervention() -> None:
    to_ana = _item("send", {"to": {"user": "ana"}})
    assert lane_of(to_ana) == lane_of(_item("export", {"user": "ana"}))
    assert lane_of(to_ana) == lane_of(_item("report", {"user": "ana"}))
    assert lane_of(to_ana) != lane_of(_item("send", {"to": {"user": "ben"}}))
    assert lane_of(to_ana) != lane_of(_item("send", {"to": {"user": "ana"}}, iid="i2"))
    space = _item("send", {"to": {"space": 2}})
    assert lane_of(space) == lane_of(_item("open_space", {"subgroup": 2, "members": []}))
    assert lane_of(space) == lane_of(_item("close_space", {"subgroup": 2}))
    assert lane_of(space) != lane_of(_item("send", {"to": {"space": 3}}))
    assert lane_of(_item("send", {"to": {"channel": True}})) not in {
        lane_of(to_ana),
        lane_of(space),
    }
    assert lane_of(_item("timer", {"kind": "close"})) == lane_of(_item("groups", {"seed": 1}))
