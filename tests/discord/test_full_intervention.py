"""A whole seven-step intervention on Discord: only `/tst` commands, DM buttons, modals and
thread buttons go in, through discord.py and the fake, with the real runner, dispatcher and
SQLite store. What comes out is checked as the group and the facilitator would see it."""

from __future__ import annotations

import itertools
import re
import sqlite3
from datetime import date, timedelta
from typing import Any

import pytest
from discord_world import World
from payload_check import check_all

from bot.core.model import Intervention
from bot.demo.voices import SCRIPT_TEXT

TEXT = SCRIPT_TEXT["fr"]
FOUR = ("ana", "ben", "cleo", "dan")
pytestmark = pytest.mark.parametrize("names", [FOUR])


class Run:
    """Drives one intervention; `said` keeps each answer's text and who wrote it."""

    def __init__(self, w: World) -> None:
        self.w = w
        self.said: dict[str, tuple[str, str]] = {}  # text -> (round, author name)
        # Made-up words no catalog text contains, so each one points at one answer.
        self.tokens = (f"zq{a}{b}{c}" for a, b, c in itertools.product("bdfgkl", "aeiou", "mnprst"))

    async def cmd(self, path: str, args: str | None = None) -> list[str]:
        replies = await self.w.slash(self.w.fac, path, args)
        assert replies, f"/tst {path} {args or ''}: no answer"
        return replies

    async def state(self) -> Intervention:
        w = self.w
        async with w.app.store.unit() as uow:
            found = await uow.find("discord", str(w.fake.guild_id), str(w.fake.channel_id))
        assert found is not None
        return found

    async def round(self, key: str, context: str = "", publish: bool = True) -> None:
        """Open, everyone answers (the last person skips, as is their right), close, publish."""
        await self.cmd("round open", f"{key} {context}".strip())
        people = list(self.w.people.items())
        for name, user in people[:-1]:
            await self.answer(key, name, user)
        last = people[-1][1]
        await self.w.click(last, self.button(key, last, "skip"), **self.where(key, last))
        await self.cmd("round close", key)
        if publish:
            await self.cmd("publish", key)

    def where(self, key: str, user: int) -> dict[str, Any]:
        """Sub-group rounds are answered from the sub-group's thread, others from the DM."""
        thread = self.thread_of(key, user)
        return {"dm": thread is None, "channel": thread}

    def thread_of(self, key: str, user: int) -> int | None:
        if not key.startswith("subgroups.") or key == "subgroups.barometer":
            return None
        return next(t for t, v in self.w.fake.threads.items() if user in v["members"])

    def button(self, key: str, user: int, action: str) -> str:
        thread = self.thread_of(key, user)
        messages = self.w.fake.channel_messages(thread) if thread else self.w.fake.dms_to(user)
        ids = [
            c["custom_id"] for m in messages for row in m["components"] for c in row["components"]
        ]
        return [i for i in ids if i.endswith(f":{action}:{key}")][-1]

    async def answer(self, key: str, name: str, user: int) -> None:
        """Press Answer, fill every page of the modal, submit; Continue between pages."""
        w, where = self.w, self.where(key, user)
        click = await w.click(user, self.button(key, user, "answer"), **where)
        while True:
            modal = w.fake.acks(click)[0]
            assert modal["type"] == 9, (key, modal)
            values = self.fill(key, name, modal["data"])
            submit = await w.fake.submit_modal(
                user, modal["data"], values, where["dm"], where["channel"]
            )
            await w.settle(submit)
            shown = w.fake.replies(submit)
            more = [
                c["custom_id"]
                for r in shown
                for row in r.get("components", [])
                for c in row["components"]
                if ":page:" in c["custom_id"]
            ]
            if not more:  # the last page: the answer is taken ("illisible": refused)
                assert shown and "illisible" not in shown[-1]["content"], (key, shown)
                return
            click = await w.click(user, more[0], **where)

    def fill(self, key: str, name: str, modal: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for top in modal["components"]:
            c = top.get("component")
            if c is None or c["custom_id"] == "vis":
                continue  # who reads: each keeps the suggested visibility
            if c["type"] == 3:
                count = max(1, min(c["min_values"], c["max_values"]))
                values[c["custom_id"]] = [o["value"] for o in c["options"][:count]]
            elif c.get("value"):  # dots: one dot on the first item
                values[c["custom_id"]] = re.sub(r":\s*0", ": 1", c["value"], count=1)
            else:
                text = next(self.tokens)
                values[c["custom_id"]] = text[: c["max_length"]]
                self.said[text] = (key, name)
        return values


def channel_text(w: World) -> str:
    return "\n".join(m["content"] for m in w.fake.channel_messages())


async def test_a_whole_intervention_runs_on_discord(started: World, db_url: str) -> None:
    w, run = started, Run(started)
    for n, user in enumerate(w.people.values()):
        await w.slash(user, "profile", f"team=t{n % 2} site=s{n // 2}")
    # 1. Trust (the frame was accepted by everyone in `started`)
    await run.round("trust.intake")
    await run.round("trust.barometer")
    # 2. Common contract
    await run.cmd("step", "contract")
    await run.round("contract.needs", publish=False)
    await run.cmd("contract draft", TEXT["contract"].replace("\n", " "))
    await run.round("contract.consent")
    await run.cmd("contract adopt")
    # 3. Heterogeneous sub-groups, in private threads
    await run.cmd("step", "subgroups")
    await run.cmd("groups propose", "size 2 by team,site")
    await w.app.dispatcher.drain()
    await run.cmd("groups approve")
    await w.app.dispatcher.drain()
    assert len(w.fake.threads) == 2
    await run.round("subgroups.exchange", publish=False)
    await run.round("subgroups.barometer")
    await run.cmd("groups close")
    # 4. Constructive conflict
    await run.cmd("step", "conflict")
    await run.round("conflict.positions")
    await run.round("conflict.restatement")
    # 5. Circulating information
    await run.cmd("step", "information")
    await run.round("information.items")
    for obstacle in TEXT["obstacles"]:
        await run.cmd("board add", f"obstacle {obstacle}")
    await run.cmd("board show")
    await run.round("information.our_part")
    # 6. Collective intelligence
    await run.cmd("step", "collective_intelligence")
    await run.round("collective_intelligence.situation", context=TEXT["scenario"])
    for n, cause in enumerate(TEXT["causes"], start=1):
        await run.cmd("board add", f"cause {cause} -> {n}")
    await run.round("collective_intelligence.recognition")
    # 7. Solutions
    await run.cmd("step", "solutions")
    await run.round("solutions.proposals", publish=False)
    await run.round("solutions.shortlist")
    await run.round("solutions.consent")
    shortlisted = [b.id for b in (await run.state()).board if b.status == "consented"]
    assert shortlisted, "the dot vote kept at least one proposal, and nobody objected"
    await run.cmd("decide", f"{shortlisted[0]} adopt")
    due = (date.today() + timedelta(days=14)).isoformat()
    ben = w.people["ben"]
    await run.cmd("action add", f"<@{ben}> {due} {TEXT['action']} -> {shortlisted[0]}")
    # The action counts once its owner accepts it, from the button in their DM.
    assert TEXT["action"] not in channel_text(w)
    await w.click(ben, run.button("1", ben, "accept"), dm=True)
    assert [a.status for a in (await run.state()).actions] == ["todo"]
    assert TEXT["action"] in channel_text(w)
    await run.round("solutions.checkin", publish=False)
    await run.round("solutions.retrospective")
    await run.cmd("report")
    await run.cmd("close")
    await w.app.dispatcher.drain()

    state = await run.state()
    assert state.status == "closed"
    public = channel_text(w)
    for step in ("Inspirer confiance", "contrat commun", "sous-groupes", "conflit"):
        assert step.lower() in public.lower(), step
    assert "ntelligence collective" in public and "olutions" in public
    # The threads were archived and locked; the report came with its charts.
    assert w.fake.threads and all(t["archived"] and t["locked"] for t in w.fake.threads.values())
    assert any(m["attachments"] for m in w.fake.dms_to(w.fac))
    # Published syntheses carry what people wrote; an anonymous text never sits beside
    # its author's name in anything the group sees.
    published = [t for t in run.said if t in public]
    assert len(published) >= 10
    # What was said in a sub-group stayed in its thread.
    exchanged = [t for t, (key, _) in run.said.items() if key == "subgroups.exchange"]
    threads = "\n".join(m["content"] for t in w.fake.threads for m in w.fake.channel_messages(t))
    assert exchanged and all(t in threads and t not in public for t in exchanged)
    anonymous_seen = 0
    for message in w.fake.channel_messages():
        for text, (key, author) in run.said.items():
            spec = w.app.flow.round(key)
            assert spec is not None
            if text in message["content"] and spec.default_visibility == "group_anonymous":
                anonymous_seen += 1
                named = re.search(rf"\b{author}\b", message["content"], re.IGNORECASE)
                assert named is None, (key, message["content"])
                assert str(w.people[author]) not in message["content"]
    assert anonymous_seen, "anonymous answers were published, and checked"
    # Nothing is left undelivered, and every payload on the way parsed in discord.py.
    with sqlite3.connect(db_url.removeprefix("sqlite+aiosqlite:///")) as db:
        waiting = db.execute("select kind, payload from outbox where status != 'done'").fetchall()
    # Only the action's due-date reminder waits, for its day in two weeks.
    assert [(kind, '"action_due"' in payload) for kind, payload in waiting] == [("timer", True)]
    check_all(w.fake)
