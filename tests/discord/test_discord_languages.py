"""Each person in their language on Discord: what their client says (the interaction's locale,
kept when they act), unless they chose otherwise with /tst lang; the channel keeps the
intervention's language."""

from __future__ import annotations

from discord_world import World

from bot.i18n.typography import typeset

INTAKE = "trust.intake"
ENGLISH = "en-US"


def last_dm(w: World, user: int) -> str:
    return str(w.fake.dms_to(user)[-1]["content"])


async def test_a_member_with_an_english_client_reads_english_until_they_choose_french(
    world: World,
) -> None:
    w = world
    await w.slash(w.fac, "start", "Équipe")  # the facilitator's Discord is in French
    ana = w.people["ana"]
    joined = await w.slash(ana, "join", locale=ENGLISH)
    assert joined[0].startswith("The frame of “Équipe” has just been sent")
    assert last_dm(w, ana).startswith("Welcome to “Équipe”")
    accept = next(b for b in w.buttons(ana) if b.endswith(":consent:accept"))
    accepted = w.fake.replies(await w.click(ana, accept, locale=ENGLISH))
    assert accepted[0]["content"].startswith("Noted: you are taking part")

    await w.slash(w.fac, "round open", INTAKE)
    assert last_dm(w, ana).startswith("New round of questions")
    assert w.fake.channel_messages()[-1]["content"].startswith("Nouveau tour")
    button = next(b for b in w.buttons(ana) if b.endswith(f":answer:{INTAKE}"))
    modal = w.fake.acks(await w.click(ana, button, locale=ENGLISH))[0]["data"]
    assert "A question left empty is skipped" in modal["components"][0]["content"]
    assert modal["components"][1]["label"] == "Who will read this answer"
    said = await w.answer(ana, INTAKE, {"f0": "du temps"}, locale=ENGLISH)
    assert said[0].startswith("Answer recorded for “Hopes and reservations”")

    assert await w.slash(ana, "lang", "fr", locale=ENGLISH) == [
        typeset("Langue enregistrée : fr.", "fr")
    ]
    said = await w.answer(ana, INTAKE, {"f0": "du calme"}, locale=ENGLISH)
    assert said[0].startswith("Réponse modifiée pour")
    await w.slash(w.fac, "round open", "trust.barometer")
    assert last_dm(w, ana).startswith("Nouveau tour de questions")


async def test_an_invitee_discord_has_said_nothing_about_reads_the_intervention_language(
    world: World,
) -> None:
    """Discord gives no locale for someone who has not interacted: the frame goes in the
    intervention's language, the channel's, and their first click sets their own."""
    w = world
    await w.slash(w.fac, "start", "Équipe")
    ben = w.people["ben"]
    await w.slash(w.fac, "invite", f"<@{ben}>")
    assert last_dm(w, ben).startswith(typeset("Bienvenue dans la démarche « Équipe »", "fr"))
    accept = next(b for b in w.buttons(ben) if b.endswith(":consent:accept"))
    accepted = w.fake.replies(await w.click(ben, accept, locale="en-GB"))
    assert accepted[0]["content"].startswith("Noted: you are taking part")
    await w.slash(w.fac, "round open", INTAKE)
    assert last_dm(w, ben).startswith("New round of questions")
