"""Refusals heard: who passes may say, in one line, what would make an answer possible; it
reaches the facilitators without a name, and they see per round how many passed."""

from __future__ import annotations

from engine_helpers import FAC, Session, replies, sends

from bot.core.effects import Reply, ToUser, UserText
from bot.core.events import ChoiceMade, NoteSubmitted
from bot.flows.engine import Outcome

PEOPLE = ("ana", "ben", "cleo")


def opened() -> Session:
    s = Session()
    s.group_with(*PEOPLE)
    s.cmd("round open trust.barometer")
    return s


def test_passing_asks_the_person_alone_what_would_make_an_answer_possible() -> None:
    s = opened()
    assert s.state is not None
    out = s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "skip", "trust.barometer"))
    # The question follows the acknowledgement, in the reply to her click: no new message
    # is queued for anyone, the group and the facilitators hear nothing.
    assert replies(out)[-1] == "refusal.ask"
    assert len(replies(out)) == 2
    assert sends(out) == []
    # A second click changes nothing and asks nothing again.
    again = s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "skip", "trust.barometer"))
    assert "refusal.ask" not in replies(again)
    [ask] = [
        e.message for e in out.effects if isinstance(e, Reply) and e.message.key == "refusal.ask"
    ]
    assert [(b.action, b.value) for b in ask.buttons] == [("possible", "trust.barometer")]
    later = s.feed(ChoiceMade(s.meta("ben", None), s.state.id, "notnow", "trust.barometer"))
    assert replies(later) == ["answer.not_now", "refusal.ask"]
    assert sends(later) == []
    twice = s.feed(ChoiceMade(s.meta("ben", None), s.state.id, "notnow", "trust.barometer"))
    assert "refusal.ask" not in replies(twice)


def test_the_line_reaches_the_facilitators_without_the_name_of_who_passed() -> None:
    s = opened()
    assert s.state is not None
    s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "skip", "trust.barometer"))
    out = s.cmd("round possible trust.barometer  savoir qui lira\n les réponses", user="ana")
    assert replies(out) == ["refusal.sent"]
    [relayed] = sends(out)
    assert relayed.to == ToUser(FAC)  # type: ignore[comparison-overlap]
    assert relayed.message.key == "refusal.condition"
    assert relayed.relay  # blanked in the outbox once delivered, as the safety line
    assert dict(relayed.message.params) == {
        "round": "trust.barometer",
        "line": UserText("savoir qui lira les réponses"),
    }
    assert s.state.responses == s.outcomes[-2].state.responses  # type: ignore[union-attr]


def test_the_form_behind_the_button_relays_the_line_the_same_way() -> None:
    s = opened()
    assert s.state is not None
    s.feed(ChoiceMade(s.meta("ben", None), s.state.id, "notnow", "trust.barometer"))
    said = NoteSubmitted(s.meta("ben", None), s.state.id, "possible", "trust.barometer", "du temps")
    out = s.feed(said)
    assert replies(out) == ["refusal.sent"]
    [relayed] = sends(out)
    assert relayed.to == ToUser(FAC)  # type: ignore[comparison-overlap]
    assert relayed.message.params["line"] == UserText("du temps")
    assert "ben" not in str(relayed.message.params)
    # The form keeps nothing beside it: not even the language of whoever sent it.
    assert s.state.participants == s.outcomes[-2].state.participants  # type: ignore[union-attr]
    cleo = NoteSubmitted(s.meta("cleo", None), s.state.id, "possible", "trust.barometer", "x")
    assert replies(s.feed(cleo)) == ["error.refusal_not_passed"]


def test_only_who_passed_an_open_round_may_send_such_a_line() -> None:
    s = opened()
    s.answer("cleo", "trust.barometer", {"barometer.level": 4, "barometer.word": "calme"})
    out = s.cmd("round possible trust.barometer plus de temps", user="cleo")
    assert out.refused and replies(out) == ["error.refusal_not_passed"]
    assert replies(s.cmd("round possible nowhere something", user="cleo")) == [
        "error.refusal_syntax"
    ]
    assert replies(s.cmd("round possible trust.barometer", user="cleo")) == ["error.refusal_syntax"]


def status_lines(out: Outcome, key: str) -> list[dict[str, object]]:
    said = [e.message for e in out.effects if isinstance(e, Reply)]
    return [dict(m.params) for m in said if m.key == key]


def test_the_facilitator_sees_per_round_how_many_passed() -> None:
    s = opened()
    assert s.state is not None
    s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "skip", "trust.barometer"))
    s.feed(ChoiceMade(s.meta("ben", None), s.state.id, "notnow", "trust.barometer"))
    out = s.cmd("status")
    [progress] = status_lines(out, "status.round")
    assert (progress["answered"], progress["total"]) == (1, 3)  # who passed has answered
    assert status_lines(out, "status.refusals") == [
        {"round": "trust.barometer", "passed": 1, "deferred": 1}
    ]
    for key in ("status.round", "status.refusals", "status.refusals_withheld"):
        assert status_lines(s.cmd("status", user="cleo"), key) == []


def test_under_full_anonymity_a_count_below_k_is_withheld() -> None:
    s = Session()
    s.cmd("start Retour anonymity=full")
    s.cmd("invite " + " ".join(f"<@{u}>" for u in PEOPLE))
    for u in PEOPLE:
        s.consent(u)
    s.cmd("round open trust.barometer")
    assert s.state is not None and s.state.anonymity == "full"
    s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "skip", "trust.barometer"))
    out = s.cmd("status")
    assert status_lines(out, "status.refusals") == []
    assert status_lines(out, "status.refusals_withheld") == [{"round": "trust.barometer", "k": 3}]
    for user in ("ben", "cleo"):
        s.feed(ChoiceMade(s.meta(user, None), s.state.id, "skip", "trust.barometer"))
    assert status_lines(s.cmd("status"), "status.refusals") == [
        {"round": "trust.barometer", "passed": 3, "deferred": 0}
    ]
