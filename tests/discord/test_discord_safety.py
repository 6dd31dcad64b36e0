"""The safety line on Discord, through discord.py and the fake Discord over real sockets: the
private line both ways through modals, a time-out (the facilitator pauses; what they publish
meanwhile waits, and goes out once on resuming), a flagged synthesis withdrawn (the bot edits
its own channel message); then the channel, the rows and the log are searched."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from discord_world import World
from sqlalchemy import select

from bot.storage import orm

SAID = "zqdiscordline I dread the next meeting"
ANSWER = "zqdiscordanswer Thank you for writing, shall we call?"
AGAIN = "zqdiscordagain Yes please."


def button(w: World, user: int, action: str) -> str:
    return next(b for b in reversed(w.buttons(user)) if f":{action}:" in b)


async def fill(
    w: World, user: int, custom_id: str, values: dict[str, Any], dm: bool = True
) -> list[str]:
    """Click a button that opens a safety form, fill the modal, send it: what the person saw."""
    click = await w.click(user, custom_id, dm=dm)
    modal = w.fake.acks(click)[0]
    assert modal["type"] == 9, modal
    submit = await w.fake.submit_modal(user, modal["data"], values, dm=dm)
    await w.settle(submit)
    return [r.get("content", "") for r in w.fake.replies(submit)]


def shown(w: World) -> list[str]:
    """custom_ids of the buttons on ephemeral answers (interaction follow-ups)."""
    return [
        c["custom_id"]
        for i in w.fake.interactions.values()
        for f in i.followups
        for row in f.get("components") or []
        for c in row["components"]
    ]


def dms(w: World, user: int) -> list[str]:
    return [m.get("content", "") for m in w.fake.dms_to(user)]


async def every_row(w: World) -> str:
    rows: list[str] = []
    async with w.app.store.sessions() as s:
        for table in orm.Base.metadata.sorted_tables:
            rows += [repr(row) for row in (await s.execute(select(table))).all()]
    return "\n".join(rows)


async def test_an_anonymous_exchange_through_discord_modals(
    started: World, caplog: pytest.LogCaptureFixture
) -> None:
    w = started
    caplog.set_level(logging.DEBUG)
    ana = w.people["ana"]
    await w.slash(w.fac, "contract help", "fr Médecine du travail, 01 23 45 67 89")
    await w.slash(w.fac, "round open", "intake")
    first = len(caplog.records)
    told = await fill(w, ana, button(w, ana, "talk"), {"text": SAID})
    assert "sans votre nom" in told[0] and any("Médecine du travail" in t for t in told)
    alert = dms(w, w.fac)[-1]
    assert SAID in alert and "sans nom" in alert and str(ana) not in alert
    await fill(w, w.fac, button(w, w.fac, "lreply"), {"text": ANSWER})
    assert ANSWER in dms(w, ana)[-1]
    await fill(w, ana, button(w, ana, "lwrite"), {"text": AGAIN, "who": ["anonymous"]})
    assert AGAIN in dms(w, w.fac)[-1]

    words = (SAID, ANSWER, AGAIN)
    channel = json.dumps(w.fake.channel_messages(), ensure_ascii=False)
    assert not any(t in channel for t in words)
    rows = await every_row(w)
    assert not any(t in rows for t in words), "what was said is in the database"
    during = [f"{r.name}: {r.getMessage()}" for r in caplog.records[first:]]
    assert not [line for line in during if any(t in line for t in words)]
    assert not [line for line in during if str(ana) in line], "the writer is in the log"


async def test_a_time_out_then_what_was_published_during_the_pause_goes_out_once(
    started: World,
) -> None:
    w = started
    ben = w.people["ben"]
    await w.slash(w.fac, "round open", "intake")
    for name, user in w.people.items():
        await w.answer(user, "trust.intake", {"f0": f"zqhope{name}", "vis": ["group_anonymous"]})
    await w.click(ben, button(w, ben, "timeout"))
    await w.click(ben, next(b for b in shown(w) if b.endswith(":timeout:anonymous")))
    alert = dms(w, w.fac)[-1]
    assert "temps mort" in alert.lower() and "ben" not in alert.lower()
    await w.click(w.fac, button(w, w.fac, "pausenow"))
    assert "pause" in w.fake.channel_messages()[-1]["content"]
    before = len(w.fake.channel_messages())
    await w.slash(w.fac, "round close", "intake")
    await w.slash(w.fac, "publish", "intake")
    assert len(w.fake.channel_messages()) == before, "the group got something during the pause"
    await w.slash(w.fac, "resume")
    await asyncio.sleep(0.01)  # what was held comes a moment after the announcement
    await w.app.dispatcher.drain()
    after = [m["content"] for m in w.fake.channel_messages()[before:]]
    assert "reprend" in after[0]
    published = [c for c in after if "zqhopeana" in c]
    assert len(published) == 1, after


async def test_a_flagged_synthesis_is_withdrawn_on_discord(started: World) -> None:
    w = started
    await w.slash(w.fac, "round open", "intake")
    for name, user in w.people.items():
        await w.answer(user, "trust.intake", {"f0": f"zqhope{name}", "vis": ["group_anonymous"]})
    await w.slash(w.fac, "round close", "intake")
    await w.slash(w.fac, "publish", "intake")
    posted = next(m for m in w.fake.channel_messages() if "zqhopeana" in m["content"])
    flag = next(
        c["custom_id"]
        for row in posted.get("components", [])
        for c in row["components"]
        if ":flag:" in c["custom_id"]
    )
    cleo = w.people["cleo"]
    told = await fill(w, cleo, flag, {"reason": ["contempt"], "text": "zqword"}, dm=False)
    assert "Rien n'est retiré automatiquement" in told[0]
    alert = dms(w, w.fac)[-1]
    assert "mépris" in alert and "zqword" in alert and "cleo" not in alert.lower()
    await w.click(w.fac, button(w, w.fac, "withdraw"))
    edited = next(m for m in w.fake.channel_messages() if m["id"] == posted["id"])
    assert "retirée par" in edited["content"] and "zqhope" not in edited["content"]
    assert edited.get("components") == []


async def test_help_offers_the_levers_without_a_new_slash_command(started: World) -> None:
    w = started
    ana = w.people["ana"]
    await w.slash(ana, "help")
    levers = shown(w)
    assert any(":talk:" in b for b in levers) and any(":timeout:" in b for b in levers)
    tst = next(c for c in w.fake.commands[str(w.fake.guild_id)] if c["name"] == "tst")
    names = [c["name"] for c in tst["options"]]
    assert len(names) <= 25 and "talk" not in names
