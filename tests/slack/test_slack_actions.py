"""Actions by consent on Slack: the owner accepts from a button in their DM, or declines
through a modal whose reason reaches the facilitator only."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from slack_world import ANA, BEN, FAC, SlackWorld


def dm_texts(world: SlackWorld, user: str) -> str:
    messages = world.fake.messages_in(world.fake.dm_of(user))
    return json.dumps([m["blocks"] for m in messages], ensure_ascii=False)


async def test_an_owner_accepts_one_action_and_declines_another_with_a_reason(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    await world.cmd("tableau ajouter proposition Point hebdomadaire de vingt minutes")
    await world.cmd("decider 1 adopter")
    await world.cmd("action ajouter <@UANA|ana> 2026-12-01 Réserver la salle du jeudi -> #1")
    await world.cmd("action ajouter <@UBEN|ben> 2026-12-01 Écrire l'ordre du jour -> #1")
    assert not any("Réserver la salle" in t for t in world.channel_texts())

    await world.click(ANA, "accept", "1")
    assert any("Réserver la salle" in t for t in world.channel_texts())

    # Declining opens a modal; the reason written there reaches the facilitator alone.
    opened = len(world.fake.views)
    await world.click(BEN, "decline", "2")
    assert len(world.fake.views) == opened + 1, "no modal opened"
    reply = await world.slack.submit(
        world.fake.views[-1], BEN, {"text": "je suis en congé jusqu'en janvier"}
    )
    assert reply.status == 200, reply
    await world.settle()
    assert "Écrire l'ordre du jour" in dm_texts(world, FAC)
    assert "je suis en congé jusqu'en janvier" in dm_texts(world, FAC)
    assert not any("congé" in t or "ordre du jour" in t for t in world.channel_texts())

    async with world.app.store.unit() as uow:
        state = await uow.find("slack", "T1", "C1")
    assert state is not None
    assert [(a.id, a.status) for a in state.actions] == [(1, "todo"), (2, "declined")]


async def test_the_follow_up_asks_the_owner_privately_what_stands_in_the_way(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    await world.cmd("tableau ajouter proposition Point hebdomadaire de vingt minutes")
    await world.cmd("decider 1 adopter")
    await world.cmd("action ajouter <@UANA|ana> 2026-12-01 Réserver la salle du jeudi -> #1")
    await world.click(ANA, "accept", "1")
    world.clock.set(datetime(2026, 11, 30, 18, 0, tzinfo=UTC))  # the day before it is due
    await world.settle()
    assert world.button(ANA, "actdone", "1") and world.button(ANA, "blocked", "1")

    opened = len(world.fake.views)
    await world.click(ANA, "blocked", "1")
    assert len(world.fake.views) == opened + 1, "no modal opened"
    reply = await world.slack.submit(world.fake.views[-1], ANA, {"text": "la salle est en travaux"})
    assert reply.status == 200, reply
    await world.settle()
    assert "la salle est en travaux" in dm_texts(world, FAC)
    assert not any("travaux" in t for t in world.channel_texts())

    await world.click(ANA, "actdone", "1")
    async with world.app.store.unit() as uow:
        state = await uow.find("slack", "T1", "C1")
    assert state is not None and [a.status for a in state.actions] == ["done"]
    assert any("Réserver la salle du jeudi" in t and "faite" in t for t in world.channel_texts())
