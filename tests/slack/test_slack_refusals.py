"""Refusals heard on Slack: after « je passe », a button opens a one-line form whose line
reaches the facilitator without a name."""

from __future__ import annotations

from slack_world import ANA, FAC, SlackWorld
from sqlalchemy import select

from bot.storage import orm


async def every_row(world: SlackWorld) -> str:
    rows: list[str] = []
    async with world.app.store.sessions() as s:
        for table in orm.Base.metadata.sorted_tables:
            rows += [repr(row) for row in (await s.execute(select(table))).all()]
    return "\n".join(rows)


async def test_after_passing_a_one_line_form_reaches_the_facilitator_without_a_name(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    await world.cmd("round open intake")
    answered = len(world.fake.responses)
    await world.click(ANA, "skip", "trust.intake")
    # The question and its button come with the ephemeral reply to her click.
    possible = [
        e["action_id"]
        for r in world.fake.responses[answered:]
        for block in r.get("blocks", [])
        for e in block.get("elements", [])
        if str(e.get("action_id", "")).endswith(":possible:trust.intake")
    ]
    assert len(possible) == 1, world.fake.responses[answered:]
    opened = len(world.fake.views)
    assert (await world.slack.click(possible[0], ANA)).status == 200
    await world.settle()
    assert len(world.fake.views) == opened + 1, "no modal opened"
    before = len(world.fake.messages_in(world.fake.dm_of(FAC)))
    reply = await world.slack.submit(world.fake.views[-1], ANA, {"text": "savoir qui lira"})
    assert reply.status == 200, reply
    await world.settle()
    [told] = world.fake.messages_in(world.fake.dm_of(FAC))[before:]
    assert "savoir qui lira" in str(told["blocks"])
    assert ANA not in str(told) and "ana" not in str(told["blocks"]).lower().split("savoir")[0]
    assert not any("savoir qui lira" in t for t in world.channel_texts())
    # Delivered, the line is kept nowhere: not in the outbox, not in any other table.
    assert "savoir qui lira" not in await every_row(world)
