"""Slack's App Home says what waits for a person and where the intervention stands in the same
words as `/tst status`, the DM answer and Discord (bot/flows/queries.py): it decides nothing."""

from __future__ import annotations

from typing import Any

from slack_world import ANA, FAC, SlackWorld

from bot.adapters.slack.render import escape
from bot.direct import answer_direct
from bot.i18n.typography import typeset

ROUND = "trust.barometer"


async def home_of(world: SlackWorld, user: str) -> list[dict[str, Any]]:
    await world.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
    await world.settle()
    blocks: list[dict[str, Any]] = world.fake.homes[user]["blocks"]
    return blocks


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def test_the_facilitators_home_shows_what_tst_status_says(world: SlackWorld) -> None:
    # The App Home used to say "Open rounds: 1" where /tst status named the round.
    await world.start_with_people()
    await world.cmd(f"round open {ROUND}")
    await world.answer(ANA, ROUND, {"barometer.level": "4"})
    status = await world.cmd("status")
    home = texts(await home_of(world, FAC))
    # The standing, the round's progress and who passed it (counts, for the facilitator).
    assert len(status) == 3 and typeset(f"Tours ouverts : {ROUND}\n", "fr") in status[0]
    for said in status:
        assert said in home, (said, home)


async def test_a_participants_home_offers_what_the_dm_answer_offers_then_the_levers(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    await world.cmd("round open trust.intake")
    await world.cmd(f"round open {ROUND}")
    await world.answer(ANA, "trust.intake", {"trust.hope": "du calme"})
    blocks = await home_of(world, ANA)
    direct = await answer_direct(world.app, "slack", "T1", ANA, "m1")
    offered = [b.action_id for m in direct[1:] for b in m.buttons]
    assert offered and action_ids(blocks)[: len(offered)] == offered
    assert escape(direct[1].plain()) in texts(blocks)
    # Then where the process stands, as /tst status tells a participant, and the round she
    # answered, its form open to changes while the round is open.
    (status,) = await world.cmd("status", user=ANA)
    assert status in texts(blocks)
    assert (
        action_ids(blocks)[len(offered) :].count(
            f"{offered[0].rsplit(':', 2)[0]}:answer:trust.intake"
        )
        == 1
    )
