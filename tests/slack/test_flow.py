"""A short intervention driven only through Slack payloads, over real sockets."""

from __future__ import annotations

from slack_world import ANA, BEN, CLEO, PEOPLE, SlackWorld


async def test_start_invite_consent_answer_close_publish(world: SlackWorld) -> None:
    await world.start_with_people()
    for p in PEOPLE:
        assert any("consent" in b for b in world.buttons(p)), "each invitee got the frame"
    await world.cmd("round open trust.barometer")
    for p in PEOPLE:
        assert world.button(p, "answer", "trust.barometer")
    for p, score in ((ANA, 4), (BEN, 2), (CLEO, 5)):
        await world.answer(p, "trust.barometer", {"trust.barometer": score})
    await world.cmd("round close trust.barometer")
    await world.cmd("publish trust.barometer")
    published = world.channel_texts()[-1]
    assert "3" in published
    assert world.fake.called("views.open") and world.fake.called("users.info")
