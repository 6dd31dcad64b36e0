"""A dispatcher over a platform that takes its time: the world of the delivery batch tests.

SlowChat delays each message (each place's first the slowest), watches what is in flight and
fails chosen messages; `batches` is a real app with four consenting people on it."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.config import DatabaseSettings, DeliverySettings, Settings
from bot.core.effects import Message
from bot.core.events import ChoiceMade, CommandIssued, EventMeta
from bot.core.model import (
    ConversationRef,
    InterventionId,
    MessageRef,
    UserId,
    UserRef,
)
from bot.core.ports import DeliveryError, ManualClock, OutMessage
from bot.storage.codec import encode
from bot.storage.store import SqlStore

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
    # Awaited with each note before it is sent (a test looks at the database then).
    before_send: Callable[[str], Awaitable[None]] | None = None
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
            if self.before_send is not None:
                await self.before_send(note)
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

    @property
    def postgres(self) -> bool:
        return self.app.store.engine.dialect.name == "postgresql"

    async def queue(self, to: dict[str, Any], name: str) -> None:
        """A message to `to` whose text names it, as the runner writes a Send."""
        message = encode(Message("help.topic", {"topic": f"note-{name}"}))
        async with self.app.store.unit() as uow:
            await uow.enqueue(self.iid, "send", {"to": to, "message": message}, self.clock.now())


@asynccontextmanager
async def slow_batches(store: SqlStore) -> AsyncIterator[Batches]:
    """The app on `store`, four people in (for a test module's `batches` fixture)."""
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
