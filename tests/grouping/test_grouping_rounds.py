"""Several rounds: people meet people they have not met, as long as that is possible."""

from __future__ import annotations

import itertools

from bot.grouping import GroupingRequest, plan_rounds, propose
from bot.grouping.synthetic import WEIGHTS, roster


def _pairs(groups: tuple[tuple[str, ...], ...]) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in itertools.combinations(g, 2)}


def test_sixty_people_meet_only_new_people_for_six_rounds() -> None:
    plan = plan_rounds(GroupingRequest(people=roster(60), weights=WEIGHTS, seconds=2), rounds=6)
    seen: set[frozenset[str]] = set()
    for proposal in plan:
        pairs = _pairs(proposal.groups)
        assert not pairs & seen
        assert proposal.quality.repeated_pairs == 0
        seen |= pairs


def test_history_is_reported_and_avoided() -> None:
    people = roster(40)
    first = propose(GroupingRequest(people=people, weights=WEIGHTS))
    second = propose(GroupingRequest(people=people, weights=WEIGHTS, history=[first.groups]))
    assert second.quality.repeated_pairs == 0
    assert not _pairs(first.groups) & _pairs(second.groups)


def test_twelve_people_in_fours_repeat_the_unavoidable_minimum_in_round_two() -> None:
    # Three groups of four: each new group takes two people from some old group, so at
    # least three old pairs meet again; the exact solver must not do worse.
    people = roster(12)
    first = propose(GroupingRequest(people=people, weights=WEIGHTS, size_min=4, size_max=4))
    request = GroupingRequest(
        people=people, weights=WEIGHTS, size_min=4, size_max=4, history=[first.groups]
    )
    assert propose(request).quality.repeated_pairs == 3


def test_history_may_name_people_who_left() -> None:
    people = roster(30)
    request = GroupingRequest(
        people=people, weights=WEIGHTS, history=[[["gone", people[0].id, people[1].id]]]
    )
    assert propose(request).quality.repeated_pairs == 0
