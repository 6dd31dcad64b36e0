"""The test's view of a running Discord deployment: the fake, the app and the service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any

from fakes.discord_gateway import TOKEN, FakeDiscord

from bot.app import App, build
from bot.config import DatabaseSettings, DiscordSettings, InterventionDefaults, Settings
from bot.core.ports import Clock
from bot.wiring.discord import DiscordService


@dataclass
class World:
    fake: FakeDiscord
    app: App
    service: DiscordService
    fac: int
    people: dict[str, int] = field(default_factory=dict)

    async def settle(self, iid: int) -> None:
        """Wait until the interaction was answered, then deliver what it queued."""
        await self.fake.wait_for(lambda: self.fake.interactions[iid].settled())
        await self.app.dispatcher.drain()

    async def slash(
        self, user: int, path: str, args: str | None = None, locale: str = "fr"
    ) -> list[str]:
        """`/tst <path> args:<args>` in the channel; what the person saw in answer."""
        iid = await self.fake.slash(user, path.split(), args, locale)
        await self.settle(iid)
        return [r.get("content", "") for r in self.fake.replies(iid)]

    async def click(
        self,
        user: int,
        custom_id: str,
        dm: bool = True,
        channel: int | None = None,
        locale: str = "fr",
    ) -> int:
        iid = await self.fake.click(user, custom_id, dm, channel, locale)
        await self.settle(iid)
        return iid

    def buttons(self, user: int) -> list[str]:
        """custom_ids of every button in `user`'s DMs, newest last."""
        return [
            c["custom_id"]
            for m in self.fake.dms_to(user)
            for row in m.get("components", [])
            for c in row["components"]
        ]

    async def answer(
        self, user: int, round_key: str, values: dict[str, Any], locale: str = "fr"
    ) -> list[str]:
        """Press "Answer" in the DM, fill the modal that opens, submit it."""
        button = next(b for b in self.buttons(user) if b.endswith(f":answer:{round_key}"))
        click = await self.click(user, button, locale=locale)
        modal = self.fake.acks(click)[0]
        assert modal["type"] == 9, modal
        submit = await self.fake.submit_modal(user, modal["data"], values, locale=locale)
        await self.settle(submit)
        return [r.get("content", "") for r in self.fake.replies(submit)]


async def launch(
    fake: FakeDiscord, url: str, clock: Clock | None = None, **discord: Any
) -> tuple[App, DiscordService]:
    """The app and a started Discord service over `url`, as `tst run` wires them; `discord`
    overrides settings of the [discord] section. Without `clock`, the wall clock."""
    settings = DiscordSettings(
        **{
            "token": TOKEN,
            "guild_ids": [fake.guild_id],
            "api_base_url": fake.api_base,
            "gateway_url": fake.ws_url,
            **discord,
        }
    )
    service = DiscordService(settings, guild_ready_timeout=0.05)
    # These tests run on the wall clock: no quiet hours, or prompts would wait for the morning.
    always = InterventionDefaults(day_start=time(0), day_end=time(0), working_days="all")
    app = build(
        Settings(database=DatabaseSettings(url=url), defaults=always),
        {"discord": service.port},
        clock,
        "w",
    )
    await service.start(app)
    return app, service
