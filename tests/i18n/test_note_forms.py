"""The safety forms of one text say, each in its own words, what they ask: the title, the
sentence above the text and the text's label are that form's, in the reader's language."""

from __future__ import annotations

import pytest
from engine_helpers import Session

from bot.flows.tst import tst_flow
from bot.i18n.catalog import Catalog
from bot.i18n.note_forms import note_form
from bot.i18n.render import Reader, Renderer

RENDERER = Renderer(Catalog.load(), tst_flow())
FRENCH = Reader("fr", "Europe/Paris", "vous")


def opened() -> Session:
    s = Session()
    s.group_with("ana", "ben")
    s.cmd("round open trust.barometer")
    return s


@pytest.mark.parametrize(
    ("button", "value", "words"),
    [("possible", "trust.barometer", "possible"), ("talk", "", "line")],
)
def test_a_form_of_one_text_is_worded_as_its_own(button: str, value: str, words: str) -> None:
    s = opened()
    assert s.state is not None
    form = note_form(RENDERER, s.state, button, value, FRENCH)
    assert form is not None
    t = RENDERER.text
    said = (form.title, form.explanation, form.text_label)
    assert said == (
        t(FRENCH, f"note.{words}_title"),
        t(FRENCH, f"note.{words}_explain"),
        t(FRENCH, f"note.{words}_text"),
    )
    assert len(set(said)) == 3  # three different sentences, none standing for another
    assert form.locale == "fr"


def test_the_private_line_asks_whether_to_give_ones_name_and_the_others_do_not() -> None:
    s = opened()
    assert s.state is not None
    line = note_form(RENDERER, s.state, "talk", "", FRENCH)
    possible = note_form(RENDERER, s.state, "possible", "trust.barometer", FRENCH)
    assert line is not None and possible is not None
    assert [value for value, _label in line.who] == ["anonymous", "named"]
    assert line.who_label == RENDERER.text(FRENCH, "note.line_who") and line.text_required
    assert possible.who == () and possible.who_label == ""


def test_a_round_that_is_not_open_has_no_form_to_say_what_would_make_it_possible() -> None:
    s = opened()
    assert s.state is not None
    assert note_form(RENDERER, s.state, "possible", "trust.intake", FRENCH) is None
    s.cmd("round close trust.barometer")
    assert note_form(RENDERER, s.state, "possible", "trust.barometer", FRENCH) is None
