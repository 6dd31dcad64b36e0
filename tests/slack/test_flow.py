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
    for p, score, word in ((ANA, 4, "lagune"), (BEN, 2, "boussole"), (CLEO, 5, "phare")):
        await world.answer(p, "trust.barometer", {"barometer.level": score, "barometer.word": word})
    assert await world.stored("trust.barometer") == [
        ("barometer.level", 2),
        ("barometer.level", 4),
        ("barometer.level", 5),
        ("barometer.word", "boussole"),
        ("barometer.word", "lagune"),
        ("barometer.word", "phare"),
    ]
    await world.cmd("round close trust.barometer")
    await world.cmd("publish trust.barometer")
    published = world.channel_texts()[-1].replace("\u00a0", " ").replace("\u202f", " ")
    assert "3 sur 3" in published and "Moyenne : 3,67" in published
    assert all(word in published for word in ("lagune", "boussole", "phare"))
    assert world.fake.called("views.open") and world.fake.called("users.info")


async def test_answering_again_opens_the_modal_filled_with_my_answer(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.cmd("round open trust.barometer")
    await world.answer(
        ANA,
        "trust.barometer",
        {"barometer.level": 2, "barometer.word": "prudent"},
        visibility="private",
    )
    await world.click(ANA, "answer", "trust.barometer")
    view = world.fake.views[-1]
    elements = {b["block_id"]: b.get("element", {}) for b in view["blocks"] if "block_id" in b}
    level = next(e for bid, e in elements.items() if bid.startswith("scale|barometer.level"))
    word = next(e for bid, e in elements.items() if bid.startswith("open|barometer.word"))
    assert level["initial_option"]["value"] == "2"
    assert word["initial_value"] == "prudent"
    assert elements["visibility"]["initial_option"]["value"] == "private"
