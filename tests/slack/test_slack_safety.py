"""The safety line on Slack, driven only by signed payloads over real sockets to the fake
Slack: the private line both ways through modals, a time-out during planned rounds (then
resume: each prompt once, none lost), a flagged synthesis withdrawn (the bot edits its own
message), the App Home levers; then the channel, the rows and the log are searched."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from slack_world import ANA, BEN, CLEO, FAC, PEOPLE, SlackWorld
from sqlalchemy import select

from bot.storage import orm

SAID = "zqslackline I feel singled out in the meetings"
ANSWER = "zqslackanswer Thank you, can we talk on Thursday?"
AGAIN = "zqslackagain Thursday is fine."


def dm_texts(world: SlackWorld, user: str) -> list[str]:
    return [
        json.dumps(m["blocks"], ensure_ascii=False)
        for m in world.fake.messages_in(world.fake.dm_of(user))
    ]


async def fill(world: SlackWorld, user: str, action: str, value: str, **answers: Any) -> None:
    """Click a button that opens a safety form, fill the modal, send it."""
    opened = len(world.fake.views)
    await world.click(user, action, value)
    assert len(world.fake.views) == opened + 1, "no modal opened"
    reply = await world.slack.submit(world.fake.views[-1], user, answers)
    assert reply.status == 200, reply
    await world.settle()


async def every_row(world: SlackWorld) -> str:
    rows: list[str] = []
    async with world.app.store.sessions() as s:
        for table in orm.Base.metadata.sorted_tables:
            rows += [repr(row) for row in (await s.execute(select(table))).all()]
    return "\n".join(rows)


async def test_an_anonymous_exchange_through_slack_modals(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await world.start_with_people()
    await world.cmd("contrat aide fr Médecine du travail, 01 23 45 67 89")
    await world.cmd("round open intake")
    assert world.button(ANA, "talk", "") and world.button(ANA, "timeout", "")
    first = len(caplog.records)
    await fill(world, ANA, "talk", "", text=SAID, who="anonymous")
    view = world.fake.views[-1]
    who = next(b for b in view["blocks"] if b.get("block_id") == "note|who|")
    assert who["element"]["initial_option"]["value"] == "anonymous", "no name unless chosen"
    alert = dm_texts(world, FAC)[-1]
    assert SAID in alert and "sans nom" in alert and ANA not in alert and "Ana" not in alert
    told = dm_texts(world, ANA)[-2:]
    assert "sans votre nom" in told[0] and "Médecine du travail" in told[1]

    way_back = next(b for b in world.buttons(FAC) if ":lreply:" in b).split(":", 3)[3]
    await fill(world, FAC, "lreply", way_back, text=ANSWER)
    assert ANSWER in dm_texts(world, ANA)[-1]
    own = next(b for b in world.buttons(ANA) if ":lwrite:" in b).split(":", 3)[3]
    await fill(world, ANA, "lwrite", own, text=AGAIN, who="anonymous")
    assert AGAIN in dm_texts(world, FAC)[-1]

    words = (SAID, ANSWER, AGAIN)
    assert not any(t in text for t in words for text in world.channel_texts())
    rows = await every_row(world)
    assert not any(t in rows for t in words), "what was said is in the database"
    during = [f"{r.name}: {r.getMessage()}" for r in caplog.records[first:]]
    assert not [line for line in during if any(t in line for t in words)]
    assert not [line for line in during if ANA in line], "the writer is in the log"


async def test_a_time_out_during_planned_rounds_then_resume(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.cmd("round open intake")
    await world.cmd("planifier ouvrir barometre mercredi 9h")
    await world.click(BEN, "timeout", "")
    (choice,) = [
        e["action_id"]
        for r in world.fake.responses[-1:]
        for b in r.get("blocks", [])
        for e in b.get("elements", [])
        if e.get("action_id", "").endswith(":timeout:anonymous")
    ]
    await world.slack.click(choice, BEN)
    await world.settle()
    alert = dm_texts(world, FAC)[-1]
    assert "temps mort" in alert.lower() and "Ben" not in alert
    pause_now = next(b for b in world.buttons(FAC) if ":pausenow:" in b)
    await world.slack.click(pause_now, FAC)
    await world.settle()
    assert "pause" in world.channel_texts()[-1]
    world.clock.advance(days=3)  # past Wednesday 9:00: the opening waits
    await world.settle()
    assert not [
        b for p in PEOPLE for b in world.buttons(p) if b.endswith(":answer:trust.barometer")
    ]
    await world.cmd("reprendre")
    # The opening planned for Wednesday 9:00 moves on by the pause's three days (Saturday),
    # and its questions wait for Monday morning, as any question planned on a weekend does.
    world.clock.advance(days=1)
    await world.settle()
    assert not [
        b for p in PEOPLE for b in world.buttons(p) if b.endswith(":answer:trust.barometer")
    ]
    for _ in range(10):
        world.clock.advance(hours=12)
        await world.settle()
    for p in PEOPLE:
        prompts = [b for b in world.buttons(p) if b.endswith(":answer:trust.barometer")]
        assert len(prompts) == 1, (p, prompts)
    assert any("reprend" in text for text in world.channel_texts())


async def test_a_flagged_synthesis_is_withdrawn_on_slack(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.cmd("round open intake")
    for p, word in zip(PEOPLE, ("zqone", "zqtwo", "zqthree"), strict=True):
        await world.answer(p, "trust.intake", {"trust.hope": word}, visibility="group_anonymous")
    await world.cmd("round close intake")
    await world.cmd("publish intake")
    published = world.fake.messages_in("C1")[-1]
    flag = next(
        e["action_id"]
        for b in published["blocks"]
        for e in b.get("elements", [])
        if ":flag:" in e.get("action_id", "")
    )
    opened = len(world.fake.views)
    await world.slack.click(flag, CLEO, channel="C1")
    await world.settle()
    assert len(world.fake.views) == opened + 1
    await world.slack.submit(world.fake.views[-1], CLEO, {"reason": "threat", "who": "named"})
    await world.settle()
    alert = dm_texts(world, FAC)[-1]
    assert "menace" in alert and "Cleo" in alert
    assert "zqone" in json.dumps(world.fake.messages_in("C1")[-1]["blocks"]), "nothing removed"
    withdraw = next(b for b in world.buttons(FAC) if ":withdraw:" in b)
    await world.slack.click(withdraw, FAC)
    await world.settle()
    edited = world.fake.messages_in("C1")[-1]
    assert edited["ts"] == published["ts"]
    assert "retirée par" in edited["text"] and "zqone" not in json.dumps(edited)
    assert world.fake.called("chat.update")


async def test_the_app_home_offers_the_levers_and_the_inbox(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.slack.event({"type": "app_home_opened", "user": ANA, "tab": "home"})
    await world.settle()
    home = json.dumps(world.fake.homes[ANA], ensure_ascii=False)
    assert ":talk:" in home and ":timeout:" in home
    await world.cmd("parler zqhome par la commande", user=ANA)
    await world.slack.event({"type": "app_home_opened", "user": FAC, "tab": "home"})
    await world.settle()
    home = json.dumps(world.fake.homes[FAC], ensure_ascii=False)
    assert "1 fil, dont 1 en attente" in home and ":inbox:" in home
    assert "zqhome" not in home
