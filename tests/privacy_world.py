"""A small intervention on the memory chat for the privacy tests: the real runner, dispatcher
and store, with people whose ids and answers are words no other text contains, so a search
of a file, a log or an export for them can only find them where they were put."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.config import DatabaseSettings, InterventionDefaults, Settings
from bot.core.events import AnswerSubmitted, ChoiceMade, CommandIssued, EventMeta, NoteSubmitted
from bot.core.model import AnswerValue, Intervention, InterventionId, UserId, Visibility
from bot.core.ports import ManualClock
from bot.storage import orm

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 9:00 in Paris
FAC = "U0FAC1TQX"


def person(name: str) -> str:
    """A platform-like user id no catalog text or answer contains."""
    return f"U7{name.upper()}9QZ"


def tokens() -> Iterator[str]:
    """Made-up words (zq…) for answers: each one points at one answer."""
    for a, b, c in itertools.product("bdfgklmnprstvx", "aeiou", "bdfgklmnprst"):
        yield f"zq{a}{b}{c}w"


@dataclass
class PrivacyWorld:
    app: App
    chat: MemoryChat
    clock: ManualClock
    people: dict[str, str]  # name -> user id
    iid: str = ""
    n: int = 0
    said: dict[str, str] = field(default_factory=dict)  # answer text -> author's user id
    # Event ids of this world's own: two worlds on one database never look like retries.
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def meta(self, user: str, channel: str | None = "C1") -> EventMeta:
        self.n += 1
        name = next((n for n, u in self.people.items() if u == user), "Fatou").title()
        return EventMeta("memory", f"{self.run}-{self.n}", "W", UserId(user), name, channel, "fr")

    async def cmd(self, text: str, user: str = FAC, channel: str | None = "C1") -> list[str]:
        handled = await self.app.runner.handle(CommandIssued(self.meta(user, channel), text))
        self.iid = handled.intervention or self.iid
        await self.app.dispatcher.drain()
        return [r.plain() for r in handled.replies]

    async def choose(self, user: str, action: str, value: str) -> list[str]:
        handled = await self.app.runner.handle(
            ChoiceMade(self.meta(user, None), InterventionId(self.iid), action, value)
        )
        await self.app.dispatcher.drain()
        return [r.plain() for r in handled.replies]

    async def note(
        self, user: str, action: str, value: str, text: str, named: bool = False, reason: str = ""
    ) -> list[str]:
        """A safety form sent (private line, a facilitator's answer, a flag)."""
        handled = await self.app.runner.handle(
            NoteSubmitted(
                self.meta(user, None), InterventionId(self.iid), action, value, text, named, reason
            )
        )
        await self.app.dispatcher.drain()
        return [r.plain() for r in handled.replies]

    async def answer(
        self,
        user: str,
        round_key: str,
        answers: Mapping[str, AnswerValue],
        visibility: Visibility | None = None,
    ) -> list[str]:
        for value in answers.values():
            if isinstance(value, str) and value.startswith("zq"):
                self.said[value] = user
        handled = await self.app.runner.handle(
            AnswerSubmitted(
                self.meta(user, None), InterventionId(self.iid), round_key, answers, visibility
            )
        )
        assert not handled.refused, [r.plain() for r in handled.replies]
        await self.app.dispatcher.drain()
        return [r.plain() for r in handled.replies]

    async def state(self) -> Intervention:
        async with self.app.store.unit() as uow:
            found = await uow.load(InterventionId(self.iid))
        assert found is not None
        return found

    def texts_of(self, user: str) -> list[str]:
        return [text for text, author in self.said.items() if author == user]

    async def rows(self, table: Any) -> list[Any]:
        async with self.app.store.sessions() as s:
            return list(await s.scalars(select(table)))

    async def outbox(self) -> list[orm.OutboxRow]:
        return await self.rows(orm.OutboxRow)


async def open_world(
    url: str, names: Iterable[str], start: str = "start Équipe", k: int = 3
) -> PrivacyWorld:
    """A started intervention whose participants all accepted the frame."""
    chat = MemoryChat()
    clock = ManualClock(T0)
    settings = Settings(
        database=DatabaseSettings(url=url), defaults=InterventionDefaults(k_anonymity_min=k)
    )
    app = build(settings, {"memory": chat}, clock, "privacy")
    world = PrivacyWorld(app, chat, clock, {name: person(name) for name in names})
    await world.cmd(start)
    await world.cmd("invite " + " ".join(f"<@{u}>" for u in world.people.values()))
    for user in world.people.values():
        await world.choose(user, "consent", "accept")
    return world
