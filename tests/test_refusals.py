"""Refusals heard: who passes may say, in one line, what would make an answer possible; it
reaches the facilitators without a name, and they see per round how many passed."""

from __future__ import annotations

from engine_helpers import FAC, Session, replies, sends, to_user

from bot.core.effects import Reply, ToUser, UserText
from bot.core.events import ChoiceMade

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
    assert to_user(out, "ana") == ["refusal.ask"]
    assert [e.to for e in sends(out)] == [ToUser("ana")]  # type: ignore[arg-type]
    # A second click changes nothing and asks nothing again.
    again = s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "skip", "trust.barometer"))
    assert sends(again) == []
    later = s.feed(ChoiceMade(s.meta("ben", None), s.state.id, "notnow", "trust.barometer"))
    assert to_user(later, "ben") == ["refusal.ask"]


def test_the_line_reaches_the_facilitators_without_the_name_of_who_passed() -> None:
    s = opened()
    assert s.state is not None
    s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "skip", "trust.barometer"))
    out = s.cmd("round possible trust.barometer  savoir qui lira\n les réponses", user="ana")
    assert replies(out) == ["refusal.sent"]
    [relayed] = sends(out)
    assert relayed.to == ToUser(FAC)  # type: ignore[comparison-overlap]
    assert relayed.message.key == "refusal.condition"
    assert dict(relayed.message.params) == {
        "round": "trust.barometer",
        "line": UserText("savoir qui lira les réponses"),
    }
    assert s.state.responses == s.outcomes[-2].state.responses  # type: ignore[union-attr]


def test_only_who_passed_an_open_round_may_send_such_a_line() -> None:
    s = opened()
    s.answer("cleo", "trust.barometer", {"barometer.level": 4, "barometer.word": "calme"})
    out = s.cmd("round possible trust.barometer plus de temps", user="cleo")
    assert out.refused and replies(out) == ["error.refusal_not_passed"]
    assert replies(s.cmd("round possible nowhere something", user="cleo")) == [
        "error.refusal_syntax"
    ]
    assert replies(s.cmd("round possible trust.barometer", user="cleo")) == ["error.refusal_syntax"]


def test_the_facilitator_sees_per_round_how_many_passed() -> None:
    s = opened()
    assert s.state is not None
    s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "skip", "trust.barometer"))
    s.feed(ChoiceMade(s.meta("ben", None), s.state.id, "notnow", "trust.barometer"))
    out = s.cmd("status")
    [line] = [
        e.message for e in out.effects if isinstance(e, Reply) and e.message.key == "status.round"
    ]
    assert (line.params["passed"], line.params["deferred"], line.params["answered"]) == (1, 1, 1)
    assert "passed" not in str(s.cmd("status", user="cleo").effects)
