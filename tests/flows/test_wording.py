"""The facilitators' own words: a prompt reworded (French and English) or a question added is
previewed as participants will read it, used only once confirmed, asked in the next rounds
(never in one already open), shown in syntheses like the built-in ones, and audited by kind,
never by its words."""

from __future__ import annotations

from engine_helpers import FAC, FLOW, Session, audits, replies, sends

from bot.core.effects import Reply, Send, ToUser
from bot.core.events import ChoiceMade, NoteSubmitted
from bot.core.model import Intervention
from bot.flows.engine import Outcome
from bot.i18n.catalog import Catalog
from bot.i18n.render import Reader, Renderer

PEOPLE = ("ana", "ben", "cleo", "dan")
HOPE_FR, HOPE_EN = "Qu'espérez-vous pour l'équipe ?", "What do you hope for the team?"
RENDERER = Renderer(Catalog.load(), FLOW)
FR, EN = Reader("fr", "UTC", "vous"), Reader("en", "UTC", "vous")


def group() -> Session:
    s = Session()
    s.group_with(*PEOPLE)
    return s


def press(s: Session, action: str, value: str, user: str = FAC) -> Outcome:
    assert s.state is not None
    return s.feed(ChoiceMade(s.meta(user, None), s.state.id, action, value))


def written(s: Session, value: str, text: str, user: str = FAC) -> Outcome:
    assert s.state is not None
    return s.feed(NoteSubmitted(s.meta(user, None), s.state.id, "words", value, text))


def reply_text(outcome: Outcome, reader: Reader = EN) -> str:
    """What the actor reads, every reply rendered as the platform would show it."""
    assert outcome.state is not None
    return "\n".join(
        "".join(seg.text for seg in RENDERER.message(outcome.state, e.message, reader).segments)
        for e in outcome.effects
        if isinstance(e, Reply)
    )


def prompt_dm(s: Session, person: str, reader: Reader, out: Outcome) -> str:
    """The prompt message the person receives for a round just opened, rendered."""
    assert s.state is not None
    msg = next(e.message for e in sends(out) if e.to == ToUser(person))  # type: ignore[arg-type]
    rendered = RENDERER.message(s.state, msg, reader)
    assert rendered.form is not None
    return (
        "".join(seg.text for seg in rendered.segments)
        + "\n"
        + "\n".join(f.label for f in rendered.form.fields)
    )


def state_of(s: Session) -> Intervention:
    assert s.state is not None
    return s.state


def test_the_listing_numbers_the_round_questions_as_participants_see_them() -> None:
    s = group()
    shown = reply_text(s.cmd("round wording intake"))
    hope = RENDERER.text(EN, "prompt.trust.hope")
    worry = RENDERER.text(EN, "prompt.trust.worry")
    assert f"1. {hope}" in shown and f"2. {worry}" in shown
    assert "trust.hope" not in shown  # never an internal key


def test_new_words_are_previewed_in_both_languages_and_change_nothing_before_confirmed() -> None:
    s = group()
    out = s.cmd(f"round wording intake 1 fr: {HOPE_FR} en: {HOPE_EN}")
    assert replies(out) == ["wording.preview"]
    preview = reply_text(out)
    assert "• Qu'espérez-vous pour l'équipe ?" in preview
    assert "• What do you hope for the team?" in preview
    assert state_of(s).wording.words == ()  # a preview only
    assert [a.action for a in audits(out)] == ["round.wording"]
    assert all("hope for the team" not in a.target for a in audits(out))

    opened = s.cmd("round open intake")
    assert "What do you hope for the team?" not in prompt_dm(s, "ana", EN, opened)


def test_confirmed_words_are_asked_in_the_next_round_in_each_reader_language() -> None:
    s = group()
    s.cmd(f"round wording intake 1 fr: {HOPE_FR} en: {HOPE_EN}")
    done = press(s, "words", "yes")
    assert replies(done) == ["wording.reworded_reply"]
    assert [(a.action, a.target) for a in audits(done)] == [
        ("wording.reworded", "prompt:trust.intake#1")
    ]
    opened = s.cmd("round open intake")
    assert "What do you hope for the team?" in prompt_dm(s, "ana", EN, opened)
    assert "Qu'espérez-vous pour l'équipe ?" in prompt_dm(s, "ana", FR, opened)
    worry = RENDERER.text(EN, "prompt.trust.worry")
    assert worry in prompt_dm(s, "ana", EN, opened)  # the others keep the bot's words


def test_a_language_left_out_keeps_the_bot_words() -> None:
    s = group()
    s.cmd("round wording intake 1 en: What do you hope for the team?")
    press(s, "words", "yes")
    opened = s.cmd("round open intake")
    assert RENDERER.text(FR, "prompt.trust.hope") in prompt_dm(s, "ana", FR, opened)
    assert "What do you hope for the team?" in prompt_dm(s, "ana", EN, opened)


def test_dropping_a_preview_changes_nothing() -> None:
    s = group()
    s.cmd("round wording intake 1 en: Something else entirely?")
    before = state_of(s).wording.words
    assert replies(press(s, "words", "no")) == ["wording.dropped"]
    assert state_of(s).wording.words == before == ()
    assert state_of(s).wording.drafts == ()
    assert press(s, "words", "yes").refused  # nothing waits any more


def test_a_round_already_open_keeps_its_words_and_says_so() -> None:
    s = group()
    s.cmd("round open trust.barometer")
    out = s.cmd("round wording trust.barometer 2 en: One word for this week?")
    assert "wording.open_keeps" in replies(out)
    confirmed = press(s, "words", "yes")
    assert "wording.open_keeps" in replies(confirmed)
    assert state_of(s).rounds["trust.barometer"].words.words == ()  # the open run's words
    s.cmd("round close trust.barometer")
    second = s.cmd("round open trust.barometer")
    assert "One word for this week?" in prompt_dm(s, "ana", EN, second)


def test_a_round_that_ran_and_never_runs_again_takes_no_new_words() -> None:
    s = group()
    s.cmd("round open intake")
    out = s.cmd("round wording intake 1 en: Too late?")
    assert out.refused and replies(out) == ["wording.round_ran"]
    assert state_of(s).wording.drafts == ()


def test_back_to_the_bot_words() -> None:
    s = group()
    s.cmd("round wording intake 1 en: What do you hope for the team?")
    press(s, "words", "yes")
    s.cmd("tour texte attentes 1 défaut")
    done = press(s, "words", "yes")
    assert [a.action for a in audits(done)] == ["wording.reset"]
    assert state_of(s).wording.words == ()


def test_only_a_facilitator_rewords_and_confirms() -> None:
    s = group()
    assert s.cmd("round wording intake 1 en: Mine?", user="ana").refused
    s.cmd("round wording intake 1 en: Theirs?")
    assert press(s, "words", "yes", user="ana").refused
    assert state_of(s).wording.words == ()


def test_bad_input_is_refused_with_one_message_and_keeps_the_state() -> None:
    s = group()
    before = state_of(s)
    for text, key in (
        ("round wording intake 9 en: Nine?", "wording.no_such_question"),
        ("round wording intake one en: One?", "wording.no_such_question"),
        ("round wording intake 1 en:   ", "wording.empty"),
        ("round wording intake 1 en: " + "x" * 600, "error.too_long"),
        ("round wording nowhere 1 en: Where?", "error.unknown_round"),
        ("round wording", "wording.usage"),
    ):
        out = s.cmd(text)
        assert out.refused and replies(out) == [key], text
        assert s.state == before


def test_the_form_writes_one_language_at_a_time_and_the_preview_joins_them() -> None:
    s = group()
    written(s, "trust.intake|1|fr", "Qu'espérez-vous pour l'équipe ?")
    out = written(s, "trust.intake|1|en", "What do you hope for the team?")
    preview = reply_text(out)
    assert "Qu'espérez-vous pour l'équipe ?" in preview and "What do you hope" in preview
    press(s, "words", "yes")
    (words,) = state_of(s).wording.words
    assert dict(words.texts) == {
        "fr": "Qu'espérez-vous pour l'équipe ?",
        "en": "What do you hope for the team?",
    }


def test_an_own_question_is_asked_answered_and_synthesized_like_the_others() -> None:
    s = group()
    out = s.cmd("round question intake fr: Qu'aimeriez-vous fêter ? en: What would you celebrate?")
    assert replies(out) == ["wording.preview_question"]
    assert "• What would you celebrate?" in reply_text(out)
    assert state_of(s).wording.questions == ()
    done = press(s, "words", "yes")
    assert [(a.action, a.target) for a in audits(done)] == [
        ("wording.question_added", "prompt:trust.intake#4")
    ]
    opened = s.cmd("round open intake")
    assert "What would you celebrate?" in prompt_dm(s, "ana", EN, opened)
    for person in PEOPLE:
        s.answer(
            person, "trust.intake", {"own1": f"{person}'s launch"}, visibility="group_anonymous"
        )
    s.cmd("round close intake")
    synthesis = state_of(s).syntheses["trust.intake"]
    own = next(p for p in synthesis.prompts if p.prompt_key == "own1")
    assert own.contributors == 4 and not own.withheld
    rendered = RENDERER.synthesis(state_of(s), synthesis, EN)
    assert "What would you celebrate?" in "".join(seg.text for seg in rendered)


def test_an_own_question_keeps_the_k_threshold() -> None:
    s = group()
    s.cmd("round question intake scale en: How rested do you feel?")
    press(s, "words", "yes")
    s.cmd("round open intake")
    s.answer("ana", "trust.intake", {"own1": 2}, visibility="group_anonymous")
    s.answer("ben", "trust.intake", {"own1": 4}, visibility="group_anonymous")
    s.cmd("round close intake")
    own = next(p for p in state_of(s).syntheses["trust.intake"].prompts if p.prompt_key == "own1")
    assert own.withheld and own.mean is None and own.counts == ()


def test_an_own_scale_question_refuses_a_value_off_the_scale() -> None:
    s = group()
    s.cmd("round question intake échelle fr: Quelle énergie ?")
    press(s, "words", "yes")
    s.cmd("round open intake")
    before = state_of(s)
    out = s.answer("ana", "trust.intake", {"own1": 9})
    assert out.refused and s.state == before


def test_an_own_question_can_be_removed_but_a_built_in_one_cannot() -> None:
    s = group()
    s.cmd("round question intake en: What would you celebrate?")
    press(s, "words", "yes")
    assert replies(s.cmd("round question intake remove 1")) == ["wording.builtin_stays"]
    removed = s.cmd("tour question attentes retirer 4")
    assert replies(removed) == ["wording.question_removed_reply"]
    assert state_of(s).wording.questions == ()


def test_reworded_text_stays_inert_for_every_reader() -> None:
    s = group()
    s.cmd("round wording intake 1 en: @everyone <!channel> what now?")
    press(s, "words", "yes")
    opened = s.cmd("round open intake")
    msg = next(e.message for e in sends(opened) if isinstance(e, Send) and e.to == ToUser("ana"))  # type: ignore[arg-type]
    rendered = RENDERER.message(state_of(s), msg, EN)
    relayed = [seg for seg in rendered.segments if "@everyone" in seg.text]
    assert relayed and all(seg.relayed for seg in relayed)


def test_the_reset_button_under_a_question_previews_the_bot_words_back() -> None:
    s = group()
    s.cmd("round wording intake 1 en: What do you hope for the team?")
    press(s, "words", "yes")
    shown = s.cmd("round wording intake 1")
    assert replies(shown) == ["wording.one"]
    reply = next(e for e in shown.effects if isinstance(e, Reply))
    values = {(b.action, b.value) for b in reply.message.buttons}
    assert {("wordsform", "trust.intake|1|fr"), ("wordsform", "trust.intake|1|en")} <= values
    assert ("words_reset", "trust.intake|1") in values
    out = press(s, "words_reset", "trust.intake|1")
    assert replies(out) == ["wording.preview"]
    assert "the bot's words, unchanged" in reply_text(out)
    press(s, "words", "yes")
    assert state_of(s).wording.words == ()
