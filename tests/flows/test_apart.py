"""People kept apart in sub-groups (a hot conflict, a line of hierarchy): the facilitator names
them, the solver is asked to respect it, a hand adjustment that would break it is refused, and
nobody else ever sees the list."""

from __future__ import annotations

from engine_helpers import FAC, Session, audits, replies

from bot.core.events import GroupsComputed
from bot.core.model import GroupQuality, UserId
from bot.flows.group_requests import grouping_request

PEOPLE = ("ana", "ben", "cleo", "dan", "eve", "fred")


def team() -> Session:
    s = Session()
    s.group_with(*PEOPLE)
    return s


def pairs(s: Session) -> set[tuple[str, str]]:
    assert s.state is not None
    return {(str(a), str(b)) for a, b in s.state.apart}


def test_people_named_apart_are_asked_of_the_solver_pair_by_pair() -> None:
    s = team()
    assert replies(s.cmd("groupes separer <@ana> <@ben> <@cleo>")) == ["groups.apart_set"]
    assert pairs(s) == {("ana", "ben"), ("ana", "cleo"), ("ben", "cleo")}
    assert s.state is not None
    request = grouping_request(s.state, 2, 3, (), 0)
    assert {tuple(sorted(p)) for p in request.keep_apart} == pairs(s)


def test_a_manager_is_kept_apart_from_each_person_they_manage() -> None:
    s = team()
    s.cmd("groups hierarchy <@dan> <@eve> <@fred>")
    assert pairs(s) == {("dan", "eve"), ("dan", "fred")}
    s.cmd("groupes hierarchie retirer <@dan> <@eve>")
    assert pairs(s) == {("dan", "fred")}


def test_a_hand_adjustment_that_would_join_a_pair_kept_apart_is_refused() -> None:
    s = team()
    s.cmd("groups apart <@ana> <@ben>")
    s.cmd("groups propose size 3")
    assert s.state is not None
    proposal = (
        (UserId("ana"), UserId("cleo"), UserId("dan")),
        (UserId("ben"), UserId("eve"), UserId("fred")),
    )
    s.feed(GroupsComputed(s.meta(None), s.state.id, proposal, GroupQuality(2, 2, 0, 0, 0, 0, ())))
    before = s.state
    out = s.cmd("groups swap <@cleo> <@ben>")
    assert replies(out) == ["error.groups_apart"] and s.state is before
    assert replies(s.cmd("groups swap <@cleo> <@eve>")) != ["error.groups_apart"]


def test_the_list_is_the_facilitators_and_the_audit_names_nobody() -> None:
    s = team()
    out = s.cmd("groups apart <@ana> <@ben>")
    [audit] = audits(out)
    assert "ana" not in audit.target and "ben" not in audit.target
    assert replies(s.cmd("groups apart", user="cleo")) == ["error.facilitator_only"]
    assert replies(s.cmd("groups apart")) == ["groups.apart_list"]


def test_wrong_forms_are_explained_and_change_nothing() -> None:
    s = team()
    before = s.state
    for text, refusal in (
        ("groups apart <@ana>", "error.apart_syntax"),
        ("groups apart <@ana> <@nobody>", "error.groups_member_unknown"),
        (f"groups apart <@ana> <@{FAC}>", "error.groups_member_unknown"),
    ):
        assert replies(s.cmd(text)) == [refusal], text
        assert s.state is before


def test_a_person_who_is_erased_leaves_no_pair_behind() -> None:
    s = team()
    s.cmd("groups apart <@ana> <@ben> <@cleo>")
    s.cmd("forget", user="ana")
    assert pairs(s) == {("ben", "cleo")}
