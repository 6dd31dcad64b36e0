"""Each person in their language on Slack: users.info (asked with include_locale, as Slack
documents) says what an invitee reads before they ever act; their /tst lang comes first."""

from __future__ import annotations

from slack_world import ANA, BEN, FAC, SlackWorld

from bot.i18n.typography import typeset


def last_dm(world: SlackWorld, user: str) -> str:
    return str(world.fake.messages_in(world.fake.dm_of(user))[-1]["text"])


async def test_a_user_whose_slack_is_in_english_gets_english_dms(world: SlackWorld) -> None:
    world.fake.users[ANA]["locale"] = "en-US"
    await world.cmd("start Équipe")
    await world.cmd(f"invite <@{ANA}|ana> <@{BEN}|ben>")
    assert last_dm(world, ANA).startswith("Welcome to “Équipe”")  # before ana ever acted
    assert last_dm(world, BEN).startswith("Bienvenue dans la démarche")
    asked = [c.params for c in world.fake.called("users.info") if c.params.get("user") == ANA]
    assert asked and all(p.get("include_locale") in ("1", "true") for p in asked)

    before = len(world.fake.responses)
    await world.click(ANA, "consent", "accept")
    assert world.fake.responses[before]["text"].startswith("Noted: you are taking part")
    await world.click(BEN, "consent", "accept")
    await world.cmd("round open trust.intake")
    assert last_dm(world, ANA).startswith("New round of questions")
    assert last_dm(world, BEN).startswith("Nouveau tour de questions")
    assert world.fake.messages_in("C1")[-1]["text"].startswith("Nouveau tour")  # the channel

    await world.click(ANA, "answer", "trust.intake")
    view = world.fake.views[-1]
    assert view["close"]["text"] == "Close" and "A question left empty" in str(view)
    await world.slack.submit(view, ANA, {"trust.hope": "time"})
    await world.settle()
    assert last_dm(world, ANA).startswith("Answer recorded for")

    assert await world.cmd("lang fr", user=ANA) == [typeset("Langue enregistrée : fr.", "fr")]
    await world.cmd("round open trust.barometer", user=FAC)
    assert last_dm(world, ANA).startswith("Nouveau tour de questions")
