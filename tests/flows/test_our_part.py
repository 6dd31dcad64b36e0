""" "Our part" (la part de chacun) on an obstacle is anonymous unless its author signs it."""

from __future__ import annotations

from engine_helpers import Session, sends

from bot.core.effects import ToChannel

ROUND = "information.our_part"


def asked_about_one_obstacle() -> Session:
    s = Session()
    s.group_with("ana", "ben", "cleo", "dan")
    s.cmd("board add obstacle Plannings changés la veille")
    s.cmd(f"round open {ROUND}")
    return s


def test_an_answer_given_without_a_choice_is_published_without_a_name() -> None:
    s = asked_about_one_obstacle()
    for user in ("ana", "ben", "cleo"):
        s.answer(user, ROUND, {f"{ROUND}#1": f"notre part, dit par {user}"})
    assert s.state is not None
    assert {r.visibility for r in s.state.responses.values()} == {"group_anonymous"}
    s.cmd(f"round close {ROUND}")
    published = s.cmd(f"publish {ROUND}")
    [synthesis] = [x for x in sends(published) if isinstance(x.to, ToChannel)]
    quotes = [q for p in synthesis.message.synthesis.prompts for q in p.quotes]  # type: ignore[union-attr]
    assert len(quotes) == 3 and all(q.author_name is None for q in quotes)


def test_a_person_may_sign_their_part() -> None:
    s = asked_about_one_obstacle()
    s.answer("ana", ROUND, {f"{ROUND}#1": "ma part"}, visibility="group_attributed")
    assert s.state is not None
    assert [r.visibility for r in s.state.responses.values()] == ["group_attributed"]
