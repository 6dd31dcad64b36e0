"""Templates: an intervention's words, own questions and settings saved by name (never an
answer, a note or a person), and a new intervention started from one with `--from` in
English or `--depuis` in French; an unknown name starts nothing."""

from __future__ import annotations

from engine_helpers import FAC, FLOW, Session, replies

from bot.core.commands import fold
from bot.core.effects import DeleteTemplate, SaveTemplate
from bot.core.events import ChoiceMade, CommandIssued
from bot.core.wording import Template
from bot.flows.context import Facts
from bot.flows.engine import Outcome, advance
from bot.flows.templates import split_from


def prepared() -> Session:
    s = Session()
    s.group_with("ana", "ben", "cleo")
    s.cmd("start Team anonymity=full")
    s.cmd("round wording intake 1 en: What do you hope for the team?")
    assert s.state is not None
    s.feed(ChoiceMade(s.meta(FAC, None), s.state.id, "words", "yes"))
    s.cmd("round question intake fr: Qu'aimeriez-vous fêter ?")
    s.feed(ChoiceMade(s.meta(FAC, None), s.state.id, "words", "yes"))
    s.cmd("round open intake")
    s.answer("ana", "trust.intake", {"trust.hope": "a secret hope"})
    s.cmd("note add Ben looks tired")
    return s


def saved(s: Session, name: str) -> Template:
    out = s.cmd(f"template save {name}")
    (effect,) = [e for e in out.effects if isinstance(e, SaveTemplate)]
    return effect.template


def start_in(channel: str, text: str, kept: dict[str, Template]) -> Outcome:
    s = Session()
    return advance(
        None,
        CommandIssued(s.meta(FAC, channel), text),
        flow=FLOW,
        now=s.now,
        facts=Facts(templates=kept),
    )


def test_a_template_holds_words_questions_and_settings_never_answers_notes_or_people() -> None:
    s = prepared()
    kept = saved(s, "Field feedback")
    assert kept.name == "Field feedback"
    assert [w.prompt for w in kept.wording.words] == ["trust.hope"]
    assert [q.key for q in kept.wording.questions] == ["own1"]
    assert kept.anonymity == "full" and kept.k_anonymity_min == 3
    text = repr(kept)
    for absent in ("a secret hope", "Ben looks tired", "ana", "fac"):
        assert absent not in text


def test_a_new_intervention_starts_from_a_template_in_either_language() -> None:
    kept = saved(prepared(), "Field feedback")
    by_name = {fold(kept.name): kept}
    for text in (
        "start Night shift --from field feedback",
        "démarrer Nuit --depuis Field Feedback",
    ):
        out = start_in("C2", text, by_name)
        assert not out.refused, replies(out)
        assert out.state is not None
        assert out.state.wording.words == kept.wording.words
        assert out.state.wording.questions == kept.wording.questions
        assert out.state.anonymity == "full"
        assert out.state.title in ("Night shift", "Nuit")
        assert "templates.started_from" in replies(out)
        assert out.state.notes == () and out.state.rounds == {}


def test_an_unknown_template_starts_nothing() -> None:
    out = start_in("C2", "start Night shift --from nowhere", {})
    assert out.refused and out.state is None
    assert replies(out) == ["templates.unknown"]


def test_the_title_and_the_template_name_are_told_apart() -> None:
    assert split_from("Night shift --from field feedback") == ("Night shift", "field feedback")
    assert split_from("Nuit --modèle=retour") == ("Nuit", "retour")
    assert split_from("Plain title") == ("Plain title", None)


def test_only_a_facilitator_saves_a_template_and_it_needs_a_name() -> None:
    s = prepared()
    assert s.cmd("template save Mine", user="ana").refused
    out = s.cmd("template save")
    assert out.refused and replies(out) == ["templates.name_needed"]


def test_a_facilitator_deletes_a_template_by_its_name_an_unknown_one_is_named_back() -> None:
    s = prepared()
    kept = saved(s, "Field feedback")
    s.templates = {fold(kept.name): kept}
    out = s.cmd("modele supprimer field FEEDBACK")
    assert [e for e in out.effects if isinstance(e, DeleteTemplate)] == [
        DeleteTemplate("field feedback")
    ]
    assert replies(out) == ["templates.deleted"]
    missing = s.cmd("template delete nowhere")
    assert missing.refused and replies(missing) == ["templates.unknown"]
    assert s.cmd("template delete Field feedback", user="ana").refused
