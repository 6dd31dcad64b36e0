"""Slack, over the fake's sockets: a channel the bot was not invited to answers `not_in_channel`
(a private one `channel_not_found`), the facilitator is told privately to `/invite @tst`, and
the waiting announcement leaves once they have. Dead letters keep Slack's cause."""

from __future__ import annotations

import json

from slack_world import ANA, BEN, CLEO, FAC, SlackWorld

from bot.i18n.typography import typeset


def dm_texts(world: SlackWorld, user: str) -> list[str]:
    return [
        json.dumps(m["blocks"], ensure_ascii=False)
        for m in world.fake.messages_in(world.fake.dm_of(user))
    ]


def refused(world: SlackWorld, channel: str) -> list[str]:
    """What Slack answered the bot's posts in `channel` (the fake records each call)."""
    return [
        c.params.get("channel", "")
        for c in world.fake.called("chat.postMessage")
        if c.params.get("channel") == channel
    ]


async def test_start_in_a_public_channel_without_the_bot_says_invite_at_once(
    world: SlackWorld,
) -> None:
    world.fake.add_channel("CPUB", "equipe")
    await world.cmd("start Équipe", channel="CPUB")
    assert world.fake.messages_in("CPUB") == []
    assert len(refused(world, "CPUB")) == 1  # tried once, refused: not_in_channel
    told = [t for t in dm_texts(world, FAC) if "/invite @tst" in t]
    assert len(told) == 1 and "<#CPUB>" in told[0]

    world.fake.join("CPUB")  # the facilitator types /invite @tst in the channel
    world.clock.advance(seconds=61)
    await world.app.dispatcher.drain()
    assert len(world.fake.messages_in("CPUB")) == 1  # the announcement, nothing lost
    assert (await world.app.dispatcher.outbox.counts()).get("dead", 0) == 0


async def test_a_private_channel_without_the_bot_gets_the_same_notice(world: SlackWorld) -> None:
    world.fake.add_channel("CPRIV", "secret", private=True)
    await world.cmd("start Équipe", channel="CPRIV")
    assert world.fake.messages_in("CPRIV") == []
    assert len([t for t in dm_texts(world, FAC) if "/invite @tst" in t]) == 1


async def test_a_deactivated_account_is_counted_as_such_in_status_never_named(
    world: SlackWorld,
) -> None:
    world.fake.deactivate(CLEO)
    await world.cmd("start Équipe")
    await world.cmd("invite " + " ".join(f"<@{p}|{p.lower()}>" for p in (ANA, BEN, CLEO)))
    assert (await world.app.dispatcher.outbox.counts()).get("dead") == 1
    status = await world.cmd("status")
    assert typeset("Messages qui n'ont pas pu être remis : 1, dont :", "fr") in status
    assert typeset("– comptes désactivés : 1", "fr") in status
    assert not any("Cleo" in line or CLEO in line for line in status)
    assert not [t for t in dm_texts(world, FAC) if "/invite @tst" in t]  # not a channel's fault


async def test_a_long_status_keeps_its_last_lines_within_slacks_five_answers(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    world.fake.add_user("UDAN", "Dan")
    world.fake.deactivate("UDAN")
    await world.cmd("invite <@UDAN|dan>")  # his invitation dies: account_inactive
    for round_key in ("intake", "barometer", "needs"):
        await world.cmd(f"round open {round_key}")
    status = await world.cmd("status")  # the body, 3 rounds, the count and its cause: 6 lines
    assert len(status) == 5
    assert status[-1].endswith(typeset("– comptes désactivés : 1", "fr"))
