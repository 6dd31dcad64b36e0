"""The Discord half of `bench.prompts_click`: tst-bot (`bench.discord_bot`) and a bare discord.py
client, each in a process of its own, get 200 clicks on "Get my prompts" at once."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from pathlib import Path
from typing import Any

from bench.discord_fanout import consent_button
from bench.discord_latency import TimedFake
from bench.prompts_click import ROUND, WORDS, _count, _outbox_done, first_line, spawn, stop, until
from bot.storage.migrate import upgrade
from tests.fakes.discord_gateway import TOKEN as DISCORD_TOKEN
from tests.fakes.discord_gateway import Session
from tests.fakes.discord_payloads import message
from tests.fakes.discord_rest import public


class ClickFake(TimedFake):
    """The timed fake, sending a burst of button clicks on one app's gateway session."""

    async def clicks(self, session: Session, users: list[int], custom_id: str) -> list[int]:
        ids = []
        payloads = []
        for user in users:
            data = {"custom_id": custom_id, "component_type": 2}
            payload = self._interaction(3, user, data, dm=False)
            rows = {"components": [{"type": 1, "components": [_button(custom_id)]}]}
            notice = message(self, self.next_id(), int(payload["channel_id"]), rows)
            payload["message"] = public(notice)
            payloads.append(payload)
        for payload in payloads:
            iid = int(payload["id"])
            self.sent_at[iid] = time.perf_counter()
            await self._send(session, "INTERACTION_CREATE", payload)
            ids.append(iid)
        return ids


def _button(custom_id: str) -> dict[str, Any]:
    return {"type": 2, "style": 2, "label": "Mes questions", "custom_id": custom_id}


async def bare_discord(api: str, gateway: str) -> None:
    """A bare discord.py client: answers every button with the same kind of view."""
    import discord

    from bot.wiring.discord import point_at

    point_at(api, gateway)
    client = discord.Client(intents=discord.Intents.none(), guild_ready_timeout=0.05)

    @client.event
    async def on_interaction(interaction: discord.Interaction[Any]) -> None:
        if interaction.type != discord.InteractionType.component:
            return
        view = discord.ui.View(timeout=None)
        for i, label in enumerate(("Répondre", "Je passe", "Pas maintenant")):
            view.add_item(discord.ui.Button(label=label, custom_id=f"bare:{i}"))
        await interaction.response.send_message(WORDS, ephemeral=True, view=view)

    done = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, done.set)
    await client.login(DISCORD_TOKEN)
    task = asyncio.create_task(client.connect())
    await client.wait_until_ready()
    print("ready", flush=True)
    await done.wait()
    await client.close()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def discord(people: int, bursts: int, tmp: Path) -> dict[str, list[float]]:
    fake = ClickFake()
    await fake.start()
    db = tmp / "discord.db"
    url = f"sqlite+aiosqlite:///{db}"
    await asyncio.to_thread(upgrade, url)
    fac = fake.add_user("fac")
    members = [fake.add_user() for _ in range(people)]
    bot = await spawn(
        "bench.discord_bot",
        *("--api", fake.api_base, "--gateway", fake.ws_url, "--db", url),
        *("--token", DISCORD_TOKEN, "--guild", str(fake.guild_id), "--scale", "10"),
    )
    bare: asyncio.subprocess.Process | None = None
    try:
        await until(
            lambda: fake.live_sessions() and fake.commands.get(str(fake.guild_id)), 120, "bot"
        )
        bot_session = fake.live_sessions()[-1]
        bare = await spawn("bench.prompts_click", "--bare-discord", fake.api_base, fake.ws_url)
        assert await first_line(bare) == "ready"
        bare_session = fake.live_sessions()[-1]
        assert bare_session is not bot_session

        async def settle(iid: int) -> None:
            await fake.wait_for(lambda: fake.interactions[iid].settled(), timeout=60.0)

        # The setup's slash commands and clicks go to the bot's session (dispatch would pick
        # the last one to connect).
        async def to_bot(payload: dict[str, Any]) -> int:
            await fake._send(bot_session, "INTERACTION_CREATE", payload)
            return int(payload["id"])

        def slash(path: list[str], args: str | None) -> dict[str, Any]:
            options = [{"name": "args", "type": 3, "value": args}] if args is not None else []
            return fake._interaction(2, fac, fake._command_data(path, options), dm=False)

        await settle(await to_bot(slash(["start"], "Bench")))
        for i in range(0, people, 200):
            mentions = " ".join(f"<@{u}>" for u in members[i : i + 200])
            await settle(await to_bot(slash(["invite"], mentions)))

        def consent(u: int) -> str | None:
            return consent_button(fake, u)

        await until(lambda: all(consent(u) for u in members), 300, "consent DMs")
        for i in range(0, people, 50):
            clicks = []
            for u in members[i : i + 50]:
                data = {"custom_id": consent(u), "component_type": 2}
                payload = fake._interaction(3, u, data, dm=True)
                rows = {"components": [{"type": 1, "components": [_button(str(consent(u)))]}]}
                payload["message"] = public(
                    message(fake, fake.next_id(), int(payload["channel_id"]), rows)
                )
                clicks.append(to_bot(payload))
            for iid in await asyncio.gather(*clicks):
                await settle(iid)
        accepted = "SELECT count(*) FROM participants WHERE consent = 'accepted'"
        await until(lambda: _count(db, accepted) >= people, 300, "consents")
        await settle(await to_bot(slash(["round", "open"], ROUND)))
        await until(lambda: _outbox_done(db), 300, "the round's prompts")
        iid = str(consent(members[0])).split(":")[1]
        button = f"tst:{iid}:myprompts:"

        async def burst(session: Session) -> list[float]:
            ids = await fake.clicks(session, members, button)
            await fake.wait_for(lambda: all(i in fake.final_at for i in ids), timeout=120.0)
            return [(fake.acked_at[i] - fake.sent_at[i]) * 1000 for i in ids]

        await burst(bot_session)  # warm both up
        await burst(bare_session)
        got: dict[str, list[float]] = {"tst-bot": [], "bare": []}
        for _ in range(bursts):
            got["tst-bot"] += await burst(bot_session)
            got["bare"] += await burst(bare_session)
        return got
    finally:
        await stop(bot, *([bare] if bare is not None else []))
        await fake.stop()
