"""The facilitator's words on Slack: a question's words written in a modal (which the fake
checks against Slack's limits), previewed in an ephemeral reply, confirmed by a button, then
asked in the next round; private notes typed and listed, never in the channel."""

from __future__ import annotations

import json
from typing import Any

from slack_world import ANA, FAC, SlackWorld


def action_ids(responses: list[dict[str, Any]]) -> list[str]:
    return [
        e["action_id"]
        for r in responses
        for block in r.get("blocks", [])
        for e in block.get("elements", [])
        if "action_id" in e
    ]


async def press(world: SlackWorld, ending: str, since: int) -> None:
    found = [a for a in action_ids(world.fake.responses[since:]) if a.endswith(ending)]
    assert found, (ending, action_ids(world.fake.responses[since:]))
    reply = await world.slack.click(found[-1], FAC)
    assert reply.status == 200, reply
    await world.settle()


async def test_words_written_in_a_modal_are_previewed_confirmed_and_asked(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    before = len(world.fake.responses)
    await world.cmd("tour texte attentes 1")
    opened = len(world.fake.views)
    await press(world, ":wordsform:trust.intake|1|fr", before)
    assert len(world.fake.views) == opened + 1, "no modal opened"
    dm = world.fake.dm_of(FAC)
    shown = len(world.fake.messages_in(dm))
    reply = await world.slack.submit(
        world.fake.views[-1], FAC, {"text": "Qu'espérez-vous pour l'équipe ?"}
    )
    assert reply.status == 200, reply
    await world.settle()
    # A form's answer comes by DM: the preview, with the button that uses the words.
    preview = json.dumps(world.fake.messages_in(dm)[shown:], ensure_ascii=False)
    assert "Qu'espérez-vous pour l'équipe ?" in preview
    await world.click(FAC, "words", "yes")
    await world.cmd("round open intake")
    dm = json.dumps(world.fake.messages_in(world.fake.dm_of(ANA)), ensure_ascii=False)
    assert "Qu'espérez-vous pour l'équipe ?" in dm
    assert not any("Qu'espérez-vous" in t for t in world.channel_texts()[:-1])


async def test_a_participant_cannot_open_the_words_form(world: SlackWorld) -> None:
    await world.start_with_people()
    before = len(world.fake.responses)
    await world.cmd("tour texte attentes 1")
    [button] = [a for a in action_ids(world.fake.responses[before:]) if "wordsform" in a][:1]
    opened = len(world.fake.views)
    assert (await world.slack.click(button, ANA)).status == 200
    await world.settle()
    assert len(world.fake.views) == opened  # no form for her


async def test_private_notes_stay_with_the_facilitator(world: SlackWorld) -> None:
    await world.start_with_people()
    said = await world.cmd("note ajouter @channel penser à Ben lundi")
    assert any("Note n° 1" in s.replace("\u00a0", " ") for s in said), said
    listed = json.dumps(
        world.fake.responses[-1:] if (await world.cmd("note voir")) else [], ensure_ascii=False
    )
    assert "penser à Ben lundi" in listed
    assert "<!channel>" not in listed  # inert: Slack never turns it into a ping
    assert not any("penser à Ben" in t for t in world.channel_texts())
