"""One meaning, one confirmation: skips, empty forms, repeats and edits, decided by the engine
the same way whatever platform the form came from."""

from __future__ import annotations

from engine_helpers import Session, effects_of, replies

from bot.core.effects import PromptList, Reply, Schedule
from bot.core.events import ChoiceMade, TimerDue
from bot.core.model import Response

INTAKE = "trust.intake"
QUESTIONS = ("trust.hope", "trust.worry", "trust.need")


def opened() -> Session:
    s = Session()
    s.group_with("ana", "ben", "cleo")
    s.cmd(f"round open {INTAKE}")
    return s


def click(s: Session, user: str, action: str, value: str = INTAKE) -> list[str]:
    assert s.state is not None
    return replies(s.feed(ChoiceMade(s.meta(user, None), s.state.id, action, value)))


def mine(s: Session, user: str = "ana") -> dict[str, Response]:
    assert s.state is not None
    return {r.prompt_key: r for r in s.state.responses.values() if r.author == user}


def confirmation(s: Session) -> Reply:
    (reply,) = effects_of(s.outcomes[-1], Reply)
    assert isinstance(reply, Reply)
    return reply


def test_skip_is_confirmed_as_a_skip_naming_the_round_without_a_visibility_line() -> None:
    s = opened()
    # The confirmation, then the optional "what would make it possible?" (tests/test_refusals.py).
    assert click(s, "ana", "skip") == ["confirm.skipped_round", "refusal.ask"]
    said = effects_of(s.outcomes[-1], Reply)[0]
    assert isinstance(said, Reply) and dict(said.message.params) == {"round": INTAKE}
    assert all(r.skipped for r in mine(s).values()) and set(mine(s)) == set(QUESTIONS)


def test_a_second_click_on_skip_changes_nothing_and_says_nothing() -> None:
    s = opened()
    click(s, "ana", "skip")
    before = s.state
    out = s.feed(ChoiceMade(s.meta("ana", None), before.id, "skip", INTAKE))  # type: ignore[union-attr]
    assert out.effects == () and not out.refused and s.state is before


def test_an_empty_form_is_a_skip_of_the_round_on_every_platform() -> None:
    """Slack and Discord both report the inputs left empty; blank text is empty too."""
    s = opened()
    s.answer("ana", INTAKE, {"trust.hope": "   "}, left_empty=("trust.worry", "trust.need"))
    assert replies(s.outcomes[-1]) == ["confirm.skipped_round"]
    assert all(r.skipped and r.value is None for r in mine(s).values())


def test_a_form_partly_empty_records_the_answers_and_names_the_questions_skipped() -> None:
    s = opened()
    s.answer("ana", INTAKE, {"trust.hope": "de l'écoute"}, left_empty=("trust.worry", "trust.need"))
    reply = confirmation(s)
    assert reply.message.key == "confirm.recorded_partly"
    assert reply.message.params["prompts"] == PromptList(
        ("trust.worry", "trust.need"), "trust.intake"
    )
    assert reply.message.params["visibility"] == "facilitator"
    assert mine(s)["trust.hope"].value == "de l'écoute"
    assert mine(s)["trust.worry"].skipped and mine(s)["trust.need"].skipped


def test_the_same_form_sent_twice_is_recorded_and_confirmed_once() -> None:
    s = opened()
    answers = {"trust.hope": "h", "trust.worry": "w", "trust.need": "n"}
    assert replies(s.answer("ana", INTAKE, answers)) == ["answer.recorded"]
    before = s.state
    again = s.answer("ana", INTAKE, dict(answers), visibility="facilitator")
    assert again.effects == () and s.state is before


def test_an_edit_is_confirmed_as_an_update_and_an_emptied_question_becomes_a_skip() -> None:
    s = opened()
    s.answer("ana", INTAKE, {"trust.hope": "h", "trust.worry": "w"}, left_empty=("trust.need",))
    first = mine(s)
    edit = s.answer("ana", INTAKE, {"trust.hope": "h2", "trust.worry": "w"}, None, ("trust.need",))
    assert replies(edit) == ["confirm.updated_partly"]  # trust.need still empty: named again
    s.answer("ana", INTAKE, {"trust.hope": "h2", "trust.worry": "w", "trust.need": "n"})
    assert replies(s.outcomes[-1]) == ["confirm.updated"]
    s.answer("ana", INTAKE, {"trust.hope": "h2", "trust.need": "n"}, left_empty=("trust.worry",))
    assert confirmation(s).message.params["prompts"] == PromptList(("trust.worry",), "trust.intake")
    after = mine(s)
    assert after["trust.worry"].skipped and after["trust.worry"].value is None
    assert {k: r.id for k, r in after.items()} == {k: r.id for k, r in first.items()}


def test_a_changed_visibility_alone_is_a_change_and_is_confirmed() -> None:
    s = opened()
    s.answer("ana", INTAKE, {"trust.hope": "h"})
    out = s.answer("ana", INTAKE, {"trust.hope": "h"}, visibility="private")
    assert replies(out) == ["confirm.updated"]
    assert mine(s)["trust.hope"].visibility == "private"


def test_a_prompt_the_form_did_not_show_keeps_its_answer() -> None:
    """Slack shows at most what fits in a modal: prompts not in the form are not skipped."""
    s = opened()
    s.answer("ana", INTAKE, {"trust.hope": "h", "trust.worry": "w", "trust.need": "n"})
    s.answer("ana", INTAKE, {"trust.hope": "h bis"})
    assert {k: r.value for k, r in mine(s).items()} == {
        "trust.hope": "h bis",
        "trust.worry": "w",
        "trust.need": "n",
    }


def test_a_click_on_skip_never_erases_answers_already_written() -> None:
    s = opened()
    s.answer("ana", INTAKE, {"trust.hope": "h"})
    before = s.state
    assert click(s, "ana", "skip") == ["confirm.answers_kept"]
    assert s.outcomes[-1].refused and s.state is before


def test_a_skip_keeps_the_visibility_its_author_chose() -> None:
    s = opened()
    s.answer("ana", INTAKE, {}, visibility="private", left_empty=QUESTIONS)
    click(s, "ana", "skip")  # nothing new: every question already skipped
    assert {r.visibility for r in mine(s).values()} == {"private"}


def test_one_validator_refuses_bad_values_whatever_the_platform_sent() -> None:
    s = opened()
    before = s.state
    out = s.answer("ana", INTAKE, {"trust.hope": "x" * 5000}, left_empty=("trust.worry",))
    assert replies(out) == ["error.answer_too_long"] and s.state is before
    out = s.answer("ana", INTAKE, {"trust.hope": "h"}, left_empty=("nope",))
    assert replies(out) == ["error.answer_unknown_prompt"] and s.state is before


def test_not_now_twice_plans_one_resend_and_confirms_once() -> None:
    s = opened()
    assert click(s, "ana", "notnow") == ["answer.not_now", "refusal.ask"]
    assert len(effects_of(s.outcomes[-1], Schedule)) == 1
    before = s.state
    out = s.feed(ChoiceMade(s.meta("ana", None), before.id, "notnow", INTAKE))  # type: ignore[union-attr]
    assert out.effects == () and s.state is before
    assert s.state is not None
    s.feed(TimerDue(s.meta(None), s.state.id, "resend", {"user": "ana", "round": INTAKE}))
    # After the resend, it may be said again, and the question comes with it again.
    assert click(s, "ana", "notnow") == ["answer.not_now", "refusal.ask"]


def test_accepting_the_frame_twice_says_nothing_the_second_time() -> None:
    s = Session()
    s.cmd("start Team")
    s.cmd("invite <@ana>")
    assert click(s, "ana", "consent", "accept") == ["frame.accepted"]
    before = s.state
    out = s.feed(ChoiceMade(s.meta("ana", None), before.id, "consent", "accept"))  # type: ignore[union-attr]
    assert out.effects == () and not out.refused and s.state is before
