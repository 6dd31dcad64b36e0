"""A sub-group's report-back on Slack: the draft lands in the sub-group's private channel with
its buttons; "propose other words" opens a modal; the plenary channel gets the text, unsigned,
only when every member agreed to the same version."""

from __future__ import annotations

import json

from slack_world import ANA, BEN, CLEO, SlackWorld


def space_buttons(world: SlackWorld, space: str, action: str) -> list[str]:
    ids = []
    for m in world.fake.messages_in(space):
        for block in m["blocks"]:
            ids += [e["action_id"] for e in block.get("elements", []) if "action_id" in e]
    return [i for i in ids if i.split(":")[2:3] == [action]]


async def click(world: SlackWorld, user: str, action_id: str, space: str) -> None:
    reply = await world.slack.click(action_id, user, space)
    assert reply.status == 200, reply
    await world.settle()


async def test_a_draft_is_amended_in_a_modal_agreed_by_all_and_posted_unsigned(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    await world.cmd("groupes proposer taille 3")
    await world.cmd("groupes valider")
    async with world.app.store.unit() as uow:
        state = await uow.find("slack", "T1", "C1")
    assert state is not None and state.subgroups[0].space
    space = state.subgroups[0].space

    await world.cmd("groupes restitution Ce qui pèse : les plannings <!channel>", ANA, space)
    assert not any("plannings" in t for t in world.channel_texts())
    opened = len(world.fake.views)
    await click(world, BEN, space_buttons(world, space, "rbchange")[-1], space)
    assert len(world.fake.views) == opened + 1, "no modal opened"
    reply = await world.slack.submit(
        world.fake.views[-1], BEN, {"text": "Ce qui pèse : les plannings changeants <!channel>"}
    )
    assert reply.status == 200, reply
    await world.settle()

    newest = space_buttons(world, space, "rbagree")[-1]
    assert newest.endswith(":rbagree:1.2")
    await click(world, ANA, newest, space)
    assert not any("changeants" in t for t in world.channel_texts())  # two of three
    await click(world, CLEO, newest, space)
    posted = [t for t in world.channel_texts() if "changeants" in t]
    assert len(posted) == 1
    assert "<!channel>" not in posted[0]  # re-posted words never ping anyone
    assert not any(name in posted[0] for name in ("Ana", "Ben", "Cleo"))
    told = json.dumps([m["blocks"] for m in world.fake.messages_in(world.fake.dm_of("UFAC"))])
    assert "1 sur 1" in told
