"""One confirmation per change, counted in what the fake Discord received: a double click on
Skip, a form sent twice, an empty form, an edit."""

from __future__ import annotations

from discord_world import World

from bot.i18n.typography import typeset

INTAKE = "trust.intake"
FILLED = {"f0": "de l'écoute", "f1": "le temps", "f2": "du calme"}
EMPTY = {"f0": "", "f1": "", "f2": ""}


def skip_button(w: World, user: int) -> str:
    return next(b for b in w.buttons(user) if b.endswith(f":skip:{INTAKE}"))


async def test_a_double_click_on_skip_is_confirmed_once_as_a_skip(started: World) -> None:
    w = started
    await w.slash(w.fac, "round open", INTAKE)
    ana = w.people["ana"]
    first = await w.click(ana, skip_button(w, ana))
    second = await w.click(ana, skip_button(w, ana))
    said = [r["content"] for r in w.fake.replies(first)]
    # Once: the confirmation, then the optional question of what would make an answer possible.
    assert len(said) == 2 and said[0].startswith(typeset("C'est noté : vous passez ce tour", "fr"))
    assert said[1].startswith("C'est votre droit de passer")
    assert "Visibilité" not in said[0]
    # The second click is acknowledged (Discord needs it) and the "thinking" answer removed.
    assert w.fake.replies(second) == [] and w.fake.interactions[second].deleted


async def test_a_form_sent_twice_is_confirmed_once(started: World) -> None:
    w = started
    await w.slash(w.fac, "round open", INTAKE)
    ben = w.people["ben"]
    first = await w.answer(ben, INTAKE, FILLED)
    again = await w.answer(ben, INTAKE, FILLED)
    assert len(first) == 1 and first[0].startswith("Réponse enregistrée pour")
    assert again == []


async def test_an_empty_form_is_a_skip_confirmed_as_such(started: World) -> None:
    w = started
    await w.slash(w.fac, "round open", INTAKE)
    said = await w.answer(w.people["cleo"], INTAKE, EMPTY)
    assert len(said) == 1 and said[0].startswith(typeset("C'est noté : vous passez ce tour", "fr"))


async def test_an_edit_is_confirmed_as_an_update(started: World) -> None:
    w = started
    await w.slash(w.fac, "round open", INTAKE)
    ana = w.people["ana"]
    await w.answer(ana, INTAKE, FILLED)
    said = await w.answer(ana, INTAKE, {**FILLED, "f2": ""})
    assert len(said) == 1 and said[0].startswith("Réponse modifiée pour")
    need = w.app.renderer.catalog.text("fr", "prompt.trust.need")
    assert said[0].endswith(typeset(f"Questions laissées vides, que vous passez :\n• {need}", "fr"))
