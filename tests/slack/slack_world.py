"""A Slack world: the fake Slack, the real bot (bolt over HTTP or Socket Mode), a driver."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fakes.slack_api import FakeSlack, SlackDriver
from sqlalchemy import select

from bot.app import App, build
from bot.config import DatabaseSettings, Settings, SlackSettings
from bot.core.ports import ManualClock
from bot.storage import orm
from bot.storage.store import SqlStore
from bot.wiring.slack import SlackService

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SECRET = "test-signing-secret"
FAC, ANA, BEN, CLEO = "UFAC", "UANA", "UBEN", "UCLEO"
PEOPLE = (ANA, BEN, CLEO)


@dataclass
class SlackWorld:
    fake: FakeSlack
    service: SlackService
    app: App
    slack: SlackDriver
    clock: ManualClock
    notes: dict[str, Any] = field(default_factory=dict)

    async def settle(self) -> None:
        """Let every acknowledged input finish, then deliver what it queued."""
        assert self.service.edge is not None
        for _ in range(3):
            await self.service.edge.settle()
            await self.app.dispatcher.drain()

    async def cmd(self, text: str, user: str = FAC, channel: str = "C1") -> list[str]:
        before = len(self.fake.responses)
        reply = await self.slack.slash(text, user, channel)
        assert reply.status == 200, reply
        await self.settle()
        return [r.get("text", "") for r in self.fake.responses[before:]]

    def buttons(self, user: str) -> list[str]:
        ids = []
        for m in self.fake.messages_in(self.fake.dm_of(user)):
            for block in m["blocks"]:
                ids += [e["action_id"] for e in block.get("elements", []) if "action_id" in e]
        return ids

    def button(self, user: str, action: str, value: str) -> str:
        found = [b for b in self.buttons(user) if b.split(":")[2:] == [action, value]]
        assert found, (action, value, self.buttons(user))
        return found[-1]

    async def click(self, user: str, action: str, value: str) -> None:
        reply = await self.slack.click(self.button(user, action, value), user)
        assert reply.status == 200, reply
        await self.settle()

    async def answer(self, user: str, round_key: str, answers: dict[str, Any], **kw: Any) -> Any:
        opened = len(self.fake.views)
        await self.click(user, "answer", round_key)
        assert len(self.fake.views) == opened + 1, "no modal opened"
        view = self.fake.views[-1]
        reply = await self.slack.submit(view, user, answers, **kw)
        await self.settle()
        return reply

    async def start_with_people(self) -> None:
        await self.cmd("start Équipe")
        await self.cmd("invite " + " ".join(f"<@{p}|{p.lower()}>" for p in PEOPLE))
        for p in PEOPLE:
            await self.click(p, "consent", "accept")

    async def stored(self, round_key: str) -> list[tuple[str, Any]]:
        """The answers the database holds for a round, as (prompt, value), sorted."""
        async with self.app.store.unit() as uow:
            rows = await uow.session.execute(
                select(orm.ResponseRow.prompt_key, orm.ResponseRow.value).where(
                    orm.ResponseRow.round_key == round_key
                )
            )
            found = [(str(k), v) for k, v in rows.all()]
        return sorted(found, key=lambda kv: (kv[0], json.dumps(kv[1])))

    def channel_texts(self, channel: str = "C1") -> list[str]:
        return [json.dumps(m["blocks"], ensure_ascii=False) for m in self.fake.messages_in(channel)]


async def make_world(
    store: SqlStore, mode: str = "http", **service_options: Any
) -> AsyncIterator[SlackWorld]:
    fake = await FakeSlack().start()
    for user, name in ((FAC, "Fatou"), (ANA, "Ana"), (BEN, "Ben"), (CLEO, "Cleo")):
        fake.add_user(user, name)
    settings = SlackSettings(
        bot_token="xoxb-test",
        signing_secret=SECRET,
        app_token="xapp-1-test" if mode == "socket" else None,
        mode=mode,
        port=0,
        api_base_url=fake.base_url,
    )
    # No pacing and no waiting in the port: a 429 goes straight back to the dispatcher, whose
    # retries the tests drive with their clock.
    options = {"pace_seconds": 0.0, "rate_limit_retries": 0, "rate_limit_wait": 0.0}
    options.update(service_options)
    service = SlackService(settings, **options)
    url = store.engine.url.render_as_string(hide_password=False)
    clock = ManualClock(T0)
    app = build(
        Settings(database=DatabaseSettings(url=url), slack=settings), {"slack": service.port}, clock
    )
    await service.start(app)
    driver = SlackDriver(fake, service.url, SECRET, socket=mode == "socket")
    world = SlackWorld(fake, service, app, driver, clock)
    try:
        yield world
    finally:
        await driver.close()
        await service.stop()
        await app.store.close()
        await fake.stop()
