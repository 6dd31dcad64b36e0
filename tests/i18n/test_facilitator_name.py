"""The bot speaks for named people: what it posts to the group or a sub-group, and what it
says of a facilitator's act, names the facilitator(s) instead of "la facilitation"."""

from __future__ import annotations

import re
from dataclasses import replace

from engine_helpers import Session
from test_catalog import _base, _raw, extract

from bot.core.effects import Message
from bot.core.model import LOCALES, Intervention, Participant, RoundState, UserId
from bot.flows.spec import RoundSpec
from bot.flows.tst import tst_flow
from bot.i18n.catalog import Catalog
from bot.i18n.render import Reader, Renderer

ROLE = {"fr": re.compile(r"\b[Ll]a facilitation\b"), "en": re.compile(r"\b[Tt]he facilitators?\b")}
# Messages to one person that report what a facilitator did.
ACTS = ("synthesis.group", "board.posted", "synthesis.withdrawn", "line.reply")


def test_group_messages_and_facilitators_acts_name_the_facilitator() -> None:
    uses = extract()
    named = {k for k, u in uses.items() if u.to_group} | set(ACTS)
    for locale in LOCALES:
        said = {k: v for k, v in _raw(locale).items() if _base(k) in named}
        assert [k for k, v in said.items() if ROLE[locale].search(v)] == [], locale
        assert all("{facilitator}" in _raw(locale)[k] for k in ACTS), locale


def test_co_facilitators_are_named_together_in_the_readers_language() -> None:
    s = Session()
    s.group_with("ana", title="Atelier")
    assert s.state is not None
    people = dict(s.state.participants)
    people[UserId("fac")] = replace(people[UserId("fac")], display_name="Camille")
    people[UserId("sam")] = Participant(UserId("sam"), "Sam", "facilitator", "accepted")
    state = replace(s.state, participants=people)
    renderer = Renderer(Catalog.load(), tst_flow())
    for locale, expected in (
        ("fr", "Synthèse publiée par Camille et Sam."),
        ("en", "by Camille and Sam"),
    ):
        out = renderer.message(state, Message("synthesis.group"), Reader(locale, "UTC", "vous"))
        assert expected in out.plain(), out.plain()


def _intake(*facilitators: str) -> tuple[Renderer, Intervention, RoundSpec, RoundState]:
    """An intake round open, facilitated by people with these display names."""
    s = Session()
    s.group_with("ana", title="Atelier")
    s.cmd("round open intake")
    assert s.state is not None
    people = dict(s.state.participants)
    people[UserId("fac")] = replace(people[UserId("fac")], display_name=facilitators[0])
    for i, name in enumerate(facilitators[1:]):
        people[UserId(f"co{i}")] = Participant(UserId(f"co{i}"), name, "facilitator", "accepted")
    state = replace(s.state, participants=people)
    spec = tst_flow().round("trust.intake")
    assert spec is not None
    return Renderer(Catalog.load(), tst_flow()), state, spec, state.rounds["trust.intake"]


def test_the_visibility_choice_and_round_intro_say_who_reads_the_answers() -> None:
    renderer, state, spec, rnd = _intake("Camille", "Sam")
    both = {"fr": r"lues par (Camille et Sam|Sam et Camille) seulement", "en": r"by \w+ and \w+"}
    for locale, who in both.items():
        reader = Reader(locale, "UTC", "vous")
        form = renderer.form(state, spec, rnd, reader)
        said = {v.value: v.explanation for v in form.visibility_options}
        assert re.search(who, said["facilitator"]), said
        intro = renderer.message(state, Message("synthesis.group", form_round=rnd.key), reader)
        assert re.search(who, intro.plain()) and not ROLE[locale].search(said["facilitator"])


def test_without_a_named_facilitator_the_role_word_stands() -> None:
    renderer, state, spec, rnd = _intake("")
    form = renderer.form(state, spec, rnd, Reader("fr", "UTC", "vous"))
    said = {v.value: v.explanation for v in form.visibility_options}
    assert "lues par la facilitation seulement" in said["facilitator"], said


def test_a_text_naming_the_facilitator_read_outside_an_intervention_says_the_role() -> None:
    catalog = Catalog.load()
    naming = [
        k
        for k, v in _raw("fr").items()
        if "{facilitator}" in v and "{" not in v.replace("{facilitator}", "")
    ]
    assert naming, "no catalog text names the facilitator alone"
    for locale, role in (("fr", "la facilitation"), ("en", "the facilitator")):
        said = catalog.text(locale, _base(naming[0]))
        assert role in said and "{" not in said, said


def test_a_round_intro_agrees_its_verb_with_one_or_several_facilitators_or_the_role() -> None:
    expected = {
        ("Camille",): {"fr": "Camille a besoin", "en": "Camille needs"},
        ("Camille", "Sam"): {"fr": "et Sam ont besoin|et Camille ont besoin", "en": " need to"},
        ("",): {"fr": "la facilitation a besoin", "en": "the facilitator needs"},
    }
    for names, said in expected.items():
        renderer, state, _spec, _rnd = _intake(*names)
        for locale, words in said.items():
            reader = Reader(locale, "UTC", "vous")
            intro = renderer.message(state, Message("round.trust.intake.intro"), reader).plain()
            assert re.search(words, intro), (names, intro)


def test_what_goes_to_the_facilitators_names_them_and_agrees_with_them() -> None:
    renderer, state, _spec, _rnd = _intake("Camille", "Sam")
    said = {
        ("fr", "flag.sent"): r"transmis à (Camille et Sam|Sam et Camille), qui décident",
        ("en", "flag.sent"): r"passed to (Camille and Sam|Sam and Camille), who decide ",
        ("fr", "timeout.sent"): r"(Camille et Sam|Sam et Camille) à l'instant\. .* leur revient",
        ("fr", "line.sent_named"): r"Message transmis à (Camille et Sam|Sam et Camille), avec",
    }
    for (locale, key), words in said.items():
        text = renderer.message(state, Message(key), Reader(locale, "UTC", "vous")).plain()
        assert re.search(words, text), text
    alone, state, _spec, _rnd = _intake("Camille")
    text = alone.message(state, Message("timeout.sent"), Reader("fr", "UTC", "vous")).plain()
    assert "Camille à l'instant" in text and "lui revient" in text
