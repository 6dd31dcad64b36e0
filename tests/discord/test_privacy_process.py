"""The promises, checked from outside: `tst run` as a process of its own, logging at DEBUG, with
Slack and Discord over their fakes. People answer anonymously on both platforms, a round is
closed and published, one person on each platform erases themselves; then the process stops
and the test reads what it left behind, byte by byte: the database (its files on SQLite, every
table on PostgreSQL), the log, and `tst report` in the three formats."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fakes.discord_gateway import TOKEN, FakeDiscord
from fakes.slack_api import FakeSlack, SlackDriver
from privacy_world import tokens
from sqlalchemy import select
from waiting import free_port, until

from bot.storage import orm
from bot.storage.store import SqlStore, make_engine

ROOT = Path(__file__).resolve().parents[2]
SECRET = "privacy-secret"
NAMES = ("ana", "ben", "cleo", "dan")


class SlackSide:
    def __init__(self, fake: FakeSlack, driver: SlackDriver) -> None:
        self.fake, self.driver = fake, driver
        self.people = {name: f"U{name.upper()}7Q" for name in NAMES}

    def buttons(self, user: str) -> list[str]:
        return [
            e["action_id"]
            for m in self.fake.messages_in(self.fake.dm_of(user))
            for block in m["blocks"]
            for e in block.get("elements", [])
            if "action_id" in e
        ]

    async def cmd(self, text: str, user: str = "UFAC") -> None:
        before = len(self.fake.responses)
        await self.driver.slash(text, user)
        await until(lambda: len(self.fake.responses) > before, timeout=20)

    async def click(self, user: str, ending: str) -> None:
        await until(lambda: any(b.endswith(ending) for b in self.buttons(user)), timeout=20)
        action = [b for b in self.buttons(user) if b.endswith(ending)][-1]
        await self.driver.click(action, user)

    async def answer(self, user: str, answers: dict[str, str]) -> None:
        opened = len(self.fake.views)
        dms = len(self.fake.messages_in(self.fake.dm_of(user)))
        await self.click(user, ":answer:trust.intake")
        await until(lambda: len(self.fake.views) > opened, timeout=20)
        await self.driver.submit(self.fake.views[-1], user, answers, visibility="group_anonymous")
        # The confirmation comes as a DM: the answer is stored by then.
        await until(lambda: len(self.fake.messages_in(self.fake.dm_of(user))) > dms, timeout=20)


class DiscordSide:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.fac = fake.add_user("fac")
        self.people = {name: fake.add_user(name) for name in NAMES}

    async def settled(self, iid: int) -> None:
        await self.fake.wait_for(lambda: self.fake.interactions[iid].settled(), timeout=20)

    async def cmd(self, path: str, args: str | None = None, user: int | None = None) -> None:
        await self.settled(await self.fake.slash(user or self.fac, path.split(), args))

    def button(self, user: int, ending: str) -> str | None:
        ids = [
            c["custom_id"]
            for m in self.fake.dms_to(user)
            for row in m.get("components", [])
            for c in row["components"]
        ]
        found = [i for i in ids if i.endswith(ending)]
        return found[-1] if found else None

    async def click(self, user: int, ending: str) -> int:
        custom_id = await self.fake.wait_for(lambda: self.button(user, ending), timeout=20)
        iid = await self.fake.click(user, custom_id)
        await self.settled(iid)
        return iid

    async def answer(self, user: int, texts: Callable[[], str], said: dict[str, str]) -> None:
        click = await self.click(user, ":answer:trust.intake")
        modal = self.fake.acks(click)[0]["data"]
        values: dict[str, Any] = {}
        for top in modal["components"]:
            inner = top.get("component")
            if inner is None:
                continue
            if inner["custom_id"] == "vis":
                values["vis"] = ["group_anonymous"]
            elif inner["type"] == 4:
                values[inner["custom_id"]] = text = texts()
                said[text] = str(user)
        await self.settled(await self.fake.submit_modal(user, modal, values))


def config_text(url: str, slack: FakeSlack, port: int, fake: FakeDiscord) -> str:
    return f"""
log_level = "DEBUG"
[database]
url = "{url}"
[defaults]
day_start = "00:00"
day_end = "00:00"
working_days = "all"
k_anonymity_min = 3
[delivery]
tick_seconds = 0.2
[http]
enabled = false
[slack]
bot_token = "xoxb-test"
signing_secret = "{SECRET}"
port = {port}
api_base_url = "{slack.base_url}"
[discord]
token = "{TOKEN}"
guild_ids = [{fake.guild_id}]
api_base_url = "{fake.api_base}"
gateway_url = "{fake.ws_url}"
"""


def files_of(folder: Path, name: str) -> bytes:
    """The database file and every file beside it (-wal, -shm, -journal)."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob(f"{name}*")) if p.is_file())


async def run_tst(*args: str, env: dict[str, str]) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0, args
    return out.decode()


async def test_the_bot_as_a_process_keeps_every_promise(
    fake: FakeDiscord, database_url: str, tmp_path: Path
) -> None:
    if database_url.startswith("sqlite"):
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    slack_fake = await FakeSlack().start()
    slack_fake.add_user("UFAC", "Fatou")
    port = free_port()
    driver = SlackDriver(slack_fake, f"http://127.0.0.1:{port}/slack/events", SECRET)
    slack = SlackSide(slack_fake, driver)
    for name, user in slack.people.items():
        slack_fake.add_user(user, name.title())
    discord = DiscordSide(fake)
    config = tmp_path / "tst.toml"
    config.write_text(config_text(database_url, slack_fake, port, fake), "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path / "bot.log"
    words = tokens()
    said: dict[str, str] = {}  # text -> author's platform id
    with log.open("wb") as sink:
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config), env=env, stderr=sink
        )
    try:
        await fake.wait_for(lambda: fake.commands, timeout=30)
        async with asyncio.timeout(30):
            while True:
                try:
                    await slack.cmd("start Équipe Slack")
                    break
                except OSError:
                    await asyncio.sleep(0.1)
        await slack.cmd("invite " + " ".join(f"<@{u}>" for u in slack.people.values()))
        await discord.cmd("start", "Équipe Discord")
        await discord.cmd("invite", " ".join(f"<@{u}>" for u in discord.people.values()))
        for name in NAMES:
            await slack.click(slack.people[name], ":consent:accept")
            await discord.click(discord.people[name], ":consent:accept")
        await slack.cmd("round open intake")
        await discord.cmd("round open", "intake")
        for name in NAMES:
            user = slack.people[name]
            answers = {"trust.hope": next(words), "trust.worry": next(words)}
            said.update(dict.fromkeys(answers.values(), user))
            await slack.answer(user, answers)
            await discord.answer(discord.people[name], lambda: next(words), said)
        await slack.cmd("round close intake")
        await slack.cmd("publish intake")
        await discord.cmd("round close", "intake")
        await discord.cmd("publish", "intake")

        def published() -> str:
            posted = " ".join(str(m["blocks"]) for m in slack_fake.messages_in("C1"))
            return posted + " ".join(m["content"] for m in fake.channel_messages())

        # Every answer reached the group before the erasure (and stays there: the group's).
        await until(lambda: all(t in published() for t in said), timeout=30)
        await slack.cmd("forget", user=slack.people["ana"])
        await discord.cmd("forget", user=discord.people["ana"])
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(30):
                await bot.wait()
        finally:
            if bot.returncode is None:
                bot.kill()
            await slack.driver.close()
            await slack_fake.stop()
    erased = [slack.people["ana"], str(discord.people["ana"])]
    theirs = [t for t, u in said.items() if u in erased]
    kept = [t for t, u in said.items() if u not in erased]
    assert len(theirs) == 5 and len(kept) == 15  # Slack: two prompts, Discord: three each

    # The log, at DEBUG, holds no answer at all (so no person beside one either).
    logged = log.read_text("utf-8", errors="replace")
    assert " DEBUG " in logged and "discord" in logged  # it did log at DEBUG
    assert [t for t in said if t in logged] == []

    # The database: on SQLite its files, byte by byte; on PostgreSQL every row of every table.
    if database_url.startswith("sqlite"):
        raw = await asyncio.to_thread(files_of, tmp_path, "bot.db")
        assert [n for n in [*erased, *theirs] if n.encode() in raw] == []
        assert all(t.encode() in raw for t in kept)
    store = SqlStore(make_engine(database_url))
    try:
        async with store.sessions() as s:
            rows = ""
            for table in orm.Base.metadata.sorted_tables:
                rows += " ".join(repr(tuple(r)) for r in (await s.execute(select(table))).all())
            interventions = list(await s.scalars(select(orm.InterventionRow.id)))
    finally:
        await store.close()
    assert [n for n in [*erased, *theirs] if n in rows] == []

    # The exports, as an operator would make them.
    exported = ""
    for iid in interventions:
        for fmt in ("md", "csv", "html"):
            exported += await run_tst(
                "report", iid, "--format", fmt, "--config", str(config), env=env
            )
    assert [n for n in [*erased, *theirs] if n in exported] == []
    assert [t for t in kept if t in exported] == kept  # three voices left in each: k holds
