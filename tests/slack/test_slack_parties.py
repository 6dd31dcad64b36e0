"""A conflict space over Slack: positions and restatements through modals, "yes, that's it"
and "not quite" as buttons in each party's DM, nothing of it in the channel."""

from __future__ import annotations

import json

from slack_world import ANA, BEN, CLEO, FAC, SlackWorld


def dm_texts(world: SlackWorld, user: str) -> str:
    messages = world.fake.messages_in(world.fake.dm_of(user))
    return json.dumps([m["blocks"] for m in messages], ensure_ascii=False)


async def write(world: SlackWorld, user: str, action: str, value: str, text: str) -> None:
    opened = len(world.fake.views)
    await world.click(user, action, value)
    assert len(world.fake.views) == opened + 1, f"no modal opened for {action}"
    reply = await world.slack.submit(world.fake.views[-1], user, {"text": text})
    assert reply.status == 200, reply
    await world.settle()


async def test_a_restatement_loop_needs_one_not_quite_before_yes_thats_it(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    await world.cmd(
        "groupes conflit les astreintes | Support <@UANA|ana> <@UBEN|ben> | Dév <@UCLEO|cleo>"
    )
    assert world.button(ANA, "cposition", "1") and world.button(CLEO, "cposition", "1")

    await write(world, ANA, "cposition", "1", "Nous portons les nuits seuls.")
    assert "Nous portons les nuits seuls." not in dm_texts(world, CLEO)  # blind
    await write(world, CLEO, "cposition", "1", "On nous réveille pour des tickets simples.")
    assert "Nous portons les nuits seuls." in dm_texts(world, CLEO)

    await write(world, ANA, "crestate", "1.1", "Vous êtes réveillés pour des tickets.")
    assert world.button(CLEO, "restok", "1.1") and world.button(CLEO, "notquite", "1.1")
    # Only the restated party is asked: the restating party has no such buttons.
    assert not any(":notquite:" in b or ":restok:" in b for b in world.buttons(BEN))

    await write(world, CLEO, "notquite", "1.1", "Ce n'est pas le ticket, c'est l'heure.")
    assert "Ce n'est pas le ticket, c'est l'heure." in dm_texts(world, BEN)
    await write(world, BEN, "crestate", "1.1", "Être réveillé à 3 h, voilà ce qui pèse.")
    await world.click(CLEO, "restok", "1.1")

    async with world.app.store.unit() as uow:
        state = await uow.find("slack", "T1", "C1")
    assert state is not None
    loop = state.conflicts[0].loop(1)
    assert loop is not None and (loop.ended, loop.rounds) == ("confirmed", 2)
    assert "oui, c'est ça" in dm_texts(world, FAC)
    everything = " ".join(world.channel_texts())
    for said in ("nuits", "tickets", "l'heure", "3 h"):
        assert said not in everything
