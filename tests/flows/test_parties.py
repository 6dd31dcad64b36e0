"""Conflict spaces (TST step 4): one per issue with named parties, positions written blind,
restatement loops that end when the restated party says "yes, that's it" or when the
facilitator moves on (recorded, said without judgement), then the needs. A space's words go to
its members and the facilitators only; the counts of who has spoken are the facilitators'."""

from __future__ import annotations

from engine_helpers import FAC, Session, audits, replies, sends, to_channel, to_user

from bot.core.effects import Forget, Lines, Message, Send, ToUser, UserText
from bot.core.events import ChoiceMade, NoteSubmitted
from bot.core.model import UserId
from bot.flows.engine import Outcome
from bot.flows.space_view import views

PEOPLE = ("ana", "ben", "cleo", "dan", "eve")
OPEN = "groupes conflit les astreintes | Support <@ana> <@ben> | Dév <@cleo>"


def space() -> Session:
    s = Session()
    s.group_with(*PEOPLE)
    s.cmd(OPEN)
    return s


def note(s: Session, user: str, action: str, value: str, text: str) -> Outcome:
    assert s.state is not None
    return s.feed(NoteSubmitted(s.meta(user, None), s.state.id, action, value, text))


def press(s: Session, user: str, action: str, value: str) -> Outcome:
    assert s.state is not None
    return s.feed(ChoiceMade(s.meta(user, None), s.state.id, action, value))


def texts(message: Message) -> list[str]:
    """Every piece of people's writing a message carries, inside lines too."""
    out: list[str] = []
    for value in message.params.values():
        if isinstance(value, UserText):
            out.append(value.text)
        if isinstance(value, Lines):
            for _key, params in value.lines:
                out += [v.text for v in params.values() if isinstance(v, UserText)]
    return out


def readers(outcome: Outcome, key: str) -> set[str]:
    return {
        str(s.to.user) for s in sends(outcome) if isinstance(s.to, ToUser) and s.message.key == key
    }


def positions(s: Session) -> Outcome:
    note(s, "ana", "cposition", "1", "Support carries the nights alone.")
    return note(s, "cleo", "cposition", "1", "Dev is paged for what support could solve.")


def test_a_space_is_opened_per_issue_with_named_parties_each_member_told_privately() -> None:
    s = space()
    out = s.outcomes[-1]
    assert replies(out) == ["conflict.opened_reply"]
    assert readers(out, "conflict.opened") == {"ana", "ben", "cleo"}
    assert to_channel(out) == []
    assert s.state is not None
    (opened,) = s.state.conflicts
    assert opened.subject == "les astreintes"
    assert [(p.name, p.members) for p in opened.parties] == [
        ("Support", (UserId("ana"), UserId("ben"))),
        ("Dév", (UserId("cleo"),)),
    ]
    # A second issue, a second space, running beside the first.
    s.cmd("groups conflict release dates | <@dan> | <@eve>")
    assert [c.number for c in s.state.conflicts] == [1, 2]
    assert [p.name for p in s.state.conflicts[1].parties] == ["dan", "eve"]


def test_a_sub_group_can_be_a_party() -> None:
    s = Session()
    s.group_with(*PEOPLE)
    assert replies(s.cmd("groups conflict x | Team #3 | <@ana>")) == [
        "error.conflict.subgroup_unknown"
    ]


def test_bad_openings_are_refused_and_change_nothing() -> None:
    s = Session()
    s.group_with(*PEOPLE)
    before = s.state
    for text, key in (
        ("groups conflict only a subject", "error.conflict.syntax"),
        ("groups conflict x | <@ana>", "error.conflict.syntax"),
        ("groups conflict x | <@ana> | <@ana> <@ben>", "error.conflict.twice"),
        ("groups conflict x | <@ana> | <@fac>", "error.conflict.facilitator_party"),
        ("groups conflict x | <@ana> | <@nobody>", "error.groups_member_unknown"),
        ("groups conflict x | A | <@ben>", "error.conflict.syntax"),
    ):
        assert replies(s.cmd(text)) == [key], text
        assert s.state is before
    assert replies(s.cmd(OPEN, user="ana")) == ["error.facilitator_only"]
    s.cmd("invite <@gus>")  # invited, has not accepted the frame yet
    assert replies(s.cmd("groups conflict x | <@ana> | <@gus>")) == ["error.conflict.not_in_frame"]


def test_positions_stay_blind_until_every_party_has_written() -> None:
    s = space()
    first = note(s, "ana", "cposition", "1", "Support carries the nights alone.")
    assert replies(first) == ["conflict.positions_kept"]
    assert sends(first) == []  # nobody reads it yet, not even the other party
    again = note(s, "ben", "cposition", "1", "And nobody thanks us.")
    assert sends(again) == []
    last = note(s, "cleo", "cposition", "1", "Dev is paged for what support could solve.")
    assert replies(last) == ["conflict.positions_kept_last"]
    revealed = [x for x in sends(last) if x.message.key == "conflict.positions_revealed"]
    assert {str(x.to.user) for x in revealed if isinstance(x.to, ToUser)} == {
        "ana",
        "ben",
        "cleo",
        FAC,
    }
    assert texts(revealed[0].message) == [
        "les astreintes",
        "Support",
        "Support carries the nights alone.",
        "Support",
        "And nobody thanks us.",
        "Dév",
        "Dev is paged for what support could solve.",
    ]
    assert to_channel(last) == []


def test_someone_outside_the_space_cannot_write_in_it() -> None:
    s = space()
    before = s.state
    assert replies(note(s, "dan", "cposition", "1", "me too")) == ["error.conflict.not_member"]
    assert replies(note(s, "ana", "cposition", "9", "x")) == ["error.conflict.unknown"]
    assert replies(note(s, "ana", "cposition", "1", "   ")) == ["error.conflict.text"]
    assert s.state is before


def test_the_restatement_loop_goes_on_until_the_restated_party_confirms() -> None:
    s = space()
    out = positions(s)
    # Support restates Dév (loop 1), Dév restates Support (loop 2): each party is asked.
    assert readers(out, "conflict.restate_ask") == {"ana", "ben", "cleo"}
    sent = note(s, "ana", "crestate", "1.1", "You are woken for tickets we could close.")
    assert readers(sent, "conflict.restated") == {"cleo"}
    (asked,) = [x for x in sends(sent) if x.message.key == "conflict.restated"]
    assert [b.action for b in asked.message.buttons] == ["restok", "notquite"]
    # Not quite: the correction goes back to the restating party, who restates again.
    corrected = note(s, "cleo", "notquite", "1.1", "It is not the tickets, it is the hour.")
    assert readers(corrected, "conflict.corrected") == {"ana", "ben"}
    back = next(x for x in sends(corrected) if x.message.key == "conflict.corrected")
    assert "It is not the tickets, it is the hour." in texts(back.message)
    assert [b.action for b in back.message.buttons] == ["crestate"]
    note(s, "ben", "crestate", "1.1", "Being woken at 3 am is what hurts.")
    confirmed = press(s, "cleo", "restok", "1.1")
    assert readers(confirmed, "conflict.confirmed") == {"ana", "ben", "cleo", FAC}
    assert s.state is not None
    loop = s.state.conflicts[0].loop(1)
    assert loop is not None and loop.ended == "confirmed" and loop.rounds == 2
    assert [a.answer for a in loop.attempts] == ["notquite", "confirmed"]
    # The other loop still runs: the space has not moved on.
    assert s.state.conflicts[0].phase == "restating"


def test_only_the_right_party_acts_at_each_turn() -> None:
    s = space()
    positions(s)
    before = s.state
    assert replies(note(s, "cleo", "crestate", "1.1", "x")) == ["error.conflict.not_restater"]
    assert replies(press(s, "cleo", "restok", "1.1")) == ["error.conflict.no_restatement"]
    note(s, "ana", "crestate", "1.1", "Restated.")
    after_restatement = s.state
    assert replies(press(s, "ben", "restok", "1.1")) == ["error.conflict.not_owner"]
    assert replies(note(s, "ben", "crestate", "1.1", "again")) == ["error.conflict.wait_answer"]
    assert s.state is after_restatement and before is not after_restatement


def test_the_needs_open_only_once_every_loop_has_ended() -> None:
    s = space()
    positions(s)
    note(s, "ana", "crestate", "1.1", "a")
    press(s, "cleo", "restok", "1.1")
    note(s, "cleo", "crestate", "1.2", "b")
    assert replies(note(s, "ana", "cposition", "1", "too early")) == ["error.conflict.phase"]
    last = press(s, "ben", "restok", "1.2")
    assert readers(last, "conflict.needs_open") == {"ana", "ben", "cleo"}
    assert s.state is not None and s.state.conflicts[0].phase == "needs"
    note(s, "ana", "cposition", "1", "Hard: being called careless.")
    done = note(s, "cleo", "cposition", "1", "We need a rota we choose.")
    assert readers(done, "conflict.needs_revealed") == {"ana", "ben", "cleo", FAC}
    assert s.state.conflicts[0].phase == "done"


def test_the_facilitator_moving_on_is_recorded_and_said_without_judgement() -> None:
    s = space()
    positions(s)
    note(s, "ana", "crestate", "1.1", "a")
    note(s, "cleo", "notquite", "1.1", "no")
    out = s.cmd("groupes suite 1")
    assert [(a.action, a.target) for a in audits(out)] == [
        ("conflict.moved_on", "space#1.loop#1"),
        ("conflict.moved_on", "space#1.loop#2"),
        ("groups.moveon", "space#1.restating"),
    ]
    assert readers(out, "conflict.loop_moved_on") == {"ana", "ben", "cleo", FAC}
    assert readers(out, "conflict.needs_open") == {"ana", "ben", "cleo"}
    assert s.state is not None
    loops = s.state.conflicts[0].loops
    assert [(lp.ended, lp.rounds) for lp in loops] == [("moved_on", 1), ("moved_on", 0)]
    assert to_channel(out) == []


def test_moving_on_before_every_party_wrote_reveals_what_was_written() -> None:
    s = space()
    note(s, "ana", "cposition", "1", "Only ours.")
    out = s.cmd("groups moveon 1")
    assert readers(out, "conflict.moved_on_blind") == {"ana", "ben", "cleo", FAC}
    (revealed,) = [x for x in sends(out) if x.message.key == "conflict.positions_revealed"][:1]
    lines = revealed.message.params["said"]
    assert isinstance(lines, Lines)
    assert [key for key, _ in lines.lines] == ["conflict.line", "conflict.line_none"]
    assert s.state is not None and s.state.conflicts[0].moved_on == ("positions",)


def test_counts_by_party_are_for_facilitators_and_members_see_only_their_space() -> None:
    s = space()
    s.cmd("groups conflict other | <@dan> | <@eve>")
    positions(s)
    note(s, "ana", "crestate", "1.1", "a")
    assert s.state is not None
    facilitator = views(s.state, FAC)
    assert [v.number for v in facilitator] == [1, 2]
    assert [(p.name, p.spoken, p.members) for p in facilitator[0].parties] == [
        ("Support", 1, 2),
        ("Dév", 1, 1),
    ]
    assert [(lp.stand, lp.rounds) for lp in facilitator[0].loops] == [
        ("answering", 1),
        ("restating", 0),
    ]
    member = views(s.state, UserId("ben"))
    assert [v.number for v in member] == [1] and member[0].parties == ()
    assert views(s.state, UserId("dan"))[0].number == 2
    assert replies(s.cmd("groups spaces", user="eve")) == ["conflict.view"]
    assert replies(s.cmd("groupes espaces")) == ["conflict.view", "conflict.view"]


def test_erasing_a_person_removes_their_positions_and_restatements() -> None:
    s = space()
    positions(s)
    note(s, "ana", "crestate", "1.1", "Ana's restatement")
    note(s, "cleo", "notquite", "1.1", "Cleo's correction")
    out = s.cmd("forget", user="ana")
    (forget,) = [e for e in out.effects if isinstance(e, Forget)]
    assert set(forget.texts) == {"Support carries the nights alone.", "Ana's restatement"}
    assert s.state is not None
    (kept,) = s.state.conflicts
    assert all(st.author != "ana" for st in kept.statements)
    assert UserId("ana") not in kept.members()
    attempt = kept.loops[0].attempts[0]
    assert attempt.text == "" and attempt.author == ""
    assert attempt.correction == "Cleo's correction"  # what another person wrote stays


def test_nothing_of_a_space_goes_to_the_channel() -> None:
    s = space()
    positions(s)
    note(s, "ana", "crestate", "1.1", "a")
    note(s, "cleo", "notquite", "1.1", "b")
    note(s, "ana", "crestate", "1.1", "c")
    press(s, "cleo", "restok", "1.1")
    s.cmd("groups moveon 1")
    every: list[Send] = [x for o in s.outcomes for x in sends(o)]
    assert every and all(
        isinstance(x.to, ToUser) for x in every if x.message.key[:9] == "conflict."
    )
    assert to_user(s.outcomes[-1], "dan") == []


def test_the_status_shows_the_spaces_a_person_may_see() -> None:
    s = space()
    assert "conflict.view" in replies(s.cmd("status"))
    assert "conflict.view" in replies(s.cmd("status", user="ana"))
    assert "conflict.view" not in replies(s.cmd("status", user="dan"))
