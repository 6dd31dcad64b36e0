"""One confirmation per change, counted in what the fake Slack received (bolt over HTTP): a
double click on Skip, a form sent twice, an empty form, an edit; and the engine's validator
showing its problem under the input, the modal staying open."""

from __future__ import annotations

from slack_world import ANA, BEN, CLEO, SlackWorld

from bot.i18n.typography import typeset

INTAKE = "trust.intake"
FILLED = {"trust.hope": "de l'écoute", "trust.worry": "le temps", "trust.need": "du calme"}
SKIPPED = typeset("C'est noté : vous passez ce tour", "fr")


def dms(world: SlackWorld, user: str, start: str) -> list[str]:
    """The direct messages `user` received that start with `start`."""
    sent = world.fake.messages_in(world.fake.dm_of(user))
    return [m["text"] for m in sent if str(m["text"]).startswith(start)]


async def test_a_double_click_on_skip_is_confirmed_once_as_a_skip(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.cmd(f"round open {INTAKE}")
    before = len(world.fake.responses)
    await world.click(ANA, "skip", INTAKE)
    await world.click(ANA, "skip", INTAKE)
    said = [r["text"] for r in world.fake.responses[before:]]
    # Once: the confirmation, then the optional question of what would make an answer possible.
    assert len(said) == 2 and said[0].startswith(SKIPPED)
    assert said[1].startswith("C'est votre droit de passer")
    assert "Visibilité" not in said[0]


async def test_a_form_sent_twice_is_confirmed_once(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.cmd(f"round open {INTAKE}")
    await world.answer(BEN, INTAKE, FILLED)
    view = world.fake.views[-1]
    await world.answer(BEN, INTAKE, FILLED)  # a second modal, the same answers
    await world.slack.submit(view, BEN, FILLED)  # the first modal's submission, delivered again
    await world.settle()
    assert len(dms(world, BEN, "Réponse")) == 1
    assert dms(world, BEN, "Réponse enregistrée pour")


async def test_an_empty_form_is_a_skip_confirmed_as_such(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.cmd(f"round open {INTAKE}")
    reply = await world.answer(CLEO, INTAKE, {})
    assert reply.status == 200 and not reply.text  # acknowledged: the modal closes
    assert len(dms(world, CLEO, SKIPPED)) == 1
    assert not dms(world, CLEO, "Réponse")


async def test_an_edit_is_confirmed_as_an_update(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.cmd(f"round open {INTAKE}")
    await world.answer(ANA, INTAKE, FILLED)
    await world.answer(ANA, INTAKE, {**FILLED, "trust.need": "de la clarté"})
    assert len(dms(world, ANA, "Réponse enregistrée pour")) == 1
    assert len(dms(world, ANA, "Réponse modifiée pour")) == 1


async def test_what_the_engine_refuses_shows_under_its_input_and_the_modal_stays(
    world: SlackWorld,
) -> None:
    """Three dots to spread, each input allows three: only the engine sees the sum is over."""
    await world.start_with_people()
    await world.cmd("board add proposal Un canal commun")
    await world.cmd("board add proposal Une réunion par mois")
    await world.cmd("round open solutions.shortlist")
    reply = await world.answer(ANA, "solutions.shortlist", {"solutions.dots": {"1": 3, "2": 2}})
    ack = reply.json()
    assert ack["response_action"] == "errors"
    assert list(ack["errors"]) == ["dots|solutions.dots|1"]
    assert "3" in ack["errors"]["dots|solutions.dots|1"]
    assert not dms(world, ANA, "Réponse")  # nothing recorded, nothing confirmed
    await world.slack.submit(world.fake.views[-1], ANA, {"solutions.dots": {"1": 2, "2": 1}})
    await world.settle()
    assert len(dms(world, ANA, "Réponse enregistrée pour")) == 1
