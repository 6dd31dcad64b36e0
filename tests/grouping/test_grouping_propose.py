"""One round of sub-groups: optimality, bound, constraints, determinism and refusals."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pytest

from bot.grouping import GroupingError, GroupingRequest, Person, evaluate, propose
from bot.grouping.quality import diversity, diversity_bound, random_expectation
from bot.grouping.roster import encode
from bot.grouping.synthetic import WEIGHTS, roster


def _partitions(items: list[int], size: int) -> list[list[list[int]]]:
    """Naive, independent enumeration of the partitions into equal groups."""
    if not items:
        return [[]]
    first, rest = items[0], items[1:]
    out = []
    for mates in itertools.combinations(rest, size - 1):
        left = [x for x in rest if x not in mates]
        out += [[[first, *mates], *tail] for tail in _partitions(left, size)]
    return out


def _score(people: Sequence[Person], groups: Sequence[Sequence[int]]) -> float:
    total = 0.0
    for group in groups:
        for i, j in itertools.combinations(group, 2):
            a, b = people[i].attributes, people[j].attributes
            total += sum(w for k, w in WEIGHTS.items() if a[k] != b[k])
    return total


def test_twelve_people_get_the_exact_optimum() -> None:
    people = roster(12, seed=5)
    best = max(_score(people, p) for p in _partitions(list(range(12)), 4))
    proposal = propose(GroupingRequest(people=people, weights=WEIGHTS, size_min=4, size_max=4))
    assert proposal.quality.diversity == pytest.approx(best)
    assert proposal.quality.diversity <= proposal.quality.upper_bound + 1e-9


def test_groups_of_six_among_twelve_can_fall_short_of_the_bound_but_not_of_the_optimum() -> None:
    for seed in range(6):
        people = roster(12, seed=seed)
        best = max(_score(people, p) for p in _partitions(list(range(12)), 6))
        q = propose(GroupingRequest(people=people, weights=WEIGHTS, size_min=6, size_max=6)).quality
        assert q.diversity == pytest.approx(best)
        assert q.upper_bound >= best


def test_bound_holds_for_random_groupings_and_is_met_by_a_single_attribute_deal() -> None:
    people = roster(40, seed=2)
    r = encode(GroupingRequest(people=people, weights=WEIGHTS))
    sizes = [4] * 10
    ub = diversity_bound(r.codes, r.weights, sizes)
    rng = np.random.default_rng(0)
    for _ in range(200):
        labels = rng.permutation(np.repeat(np.arange(10), 4))
        assert diversity(r.codes, r.weights, labels, 10) <= ub + 1e-9
    site_only = GroupingRequest(people=people, weights={"site": 1.0})
    rs = encode(site_only)
    order = np.argsort(rs.codes[:, 0], kind="stable")
    dealt = np.empty(40, dtype=np.int64)
    dealt[order] = np.arange(40) % 10
    assert diversity(rs.codes, rs.weights, dealt, 10) == diversity_bound(
        rs.codes, rs.weights, sizes
    )


def test_random_expectation_is_the_mean_over_all_groupings() -> None:
    people = roster(8, seed=3)
    r = encode(GroupingRequest(people=people, weights=WEIGHTS))
    scores = [_score(people, p) for p in _partitions(list(range(8)), 4)]
    assert random_expectation(r.codes, r.weights, [4, 4]) == pytest.approx(np.mean(scores))


@pytest.mark.parametrize("n", [60, 240, 1000])
def test_synthetic_rosters_reach_the_bound(n: int) -> None:
    q = propose(GroupingRequest(people=roster(n), weights=WEIGHTS, seconds=5)).quality
    assert q.gap <= 0.001
    assert q.closed >= 0.99
    assert set(q.sizes) <= {3, 4, 5} and sum(q.sizes) == n


def test_sizes_stay_balanced_within_the_requested_range() -> None:
    for n, lo, hi in [(7, 3, 5), (22, 3, 5), (23, 2, 3), (50, 5, 7), (61, 3, 4)]:
        q = propose(GroupingRequest(people=roster(n), weights=WEIGHTS, size_min=lo, size_max=hi))
        sizes = q.quality.sizes
        assert sum(sizes) == n and lo <= min(sizes) and max(sizes) <= hi
        assert max(sizes) - min(sizes) <= 1


def test_hard_constraints_are_always_satisfied() -> None:
    rng = np.random.default_rng(11)
    for trial in range(6):
        n = int(rng.integers(14, 45))
        people = roster(n, seed=trial)
        ids = [p.id for p in people]
        pick = rng.permutation(n)
        together = [(ids[pick[0]], ids[pick[1]]), (ids[pick[1]], ids[pick[2]])]
        apart = [(ids[pick[k]], ids[pick[k + 1]]) for k in range(3, 13, 2)]
        apart.append((ids[pick[0]], ids[pick[3]]))
        request = GroupingRequest(
            people=people, weights=WEIGHTS, keep_together=together, keep_apart=apart, seed=trial
        )
        proposal = propose(request)
        where = {pid: g for g, group in enumerate(proposal.groups) for pid in group}
        assert all(where[a] == where[b] for a, b in together)
        assert all(where[a] != where[b] for a, b in apart)
        assert proposal.quality.constraint_violations == 0


def test_same_seed_same_groups() -> None:
    request = GroupingRequest(people=roster(90), weights=WEIGHTS, seed=3)
    assert propose(request).groups == propose(request).groups


def test_nobody_is_a_token_when_that_can_be_avoided() -> None:
    people = [
        Person(f"x{i}", {"gender": "w" if i < 8 else "m", "site": ["A", "B", "C"][i % 3]})
        for i in range(24)
    ]
    request = GroupingRequest(
        people=people,
        weights={"site": 1.0},
        size_min=4,
        size_max=4,
        no_singleton=["gender"],
        token_penalty=2.0,
        seconds=2,
    )
    proposal = propose(request)
    assert proposal.quality.token_cases == 0
    for group in proposal.groups:
        women = sum(pid in {f"x{i}" for i in range(8)} for pid in group)
        assert women in (0, 2, 3, 4)


@pytest.mark.parametrize(
    ("request_kwargs", "code"),
    [
        (
            {
                "keep_together": [
                    ("p00000", "p00001"),
                    ("p00001", "p00002"),
                    ("p00002", "p00003"),
                    ("p00003", "p00004"),
                    ("p00004", "p00005"),
                ]
            },
            "keep_together_too_large",
        ),
        (
            {"keep_together": [("p00000", "p00001")], "keep_apart": [("p00001", "p00000")]},
            "conflicting_constraints",
        ),
        ({"keep_apart": [("p00000", "nobody")]}, "unknown_person"),
        ({"size_min": 4, "size_max": 4}, "sizes_infeasible"),
        ({"size_min": 5, "size_max": 3}, "invalid_sizes"),
    ],
)
def test_infeasible_requests_are_refused_with_a_code(
    request_kwargs: dict[str, object], code: str
) -> None:
    request = GroupingRequest(people=roster(10), weights=WEIGHTS, **request_kwargs)  # type: ignore[arg-type]
    with pytest.raises(GroupingError) as caught:
        propose(request)
    assert caught.value.code == code
    assert str(caught.value)


def test_too_few_people_is_refused() -> None:
    with pytest.raises(GroupingError) as caught:
        propose(GroupingRequest(people=roster(2), weights=WEIGHTS))
    assert caught.value.code == "too_few_people"


def test_evaluate_follows_a_facilitator_swap() -> None:
    request = GroupingRequest(people=roster(20), weights=WEIGHTS, keep_apart=[("p00000", "p00001")])
    proposal = propose(request)
    groups = [list(g) for g in proposal.groups]
    assert evaluate(request, groups) == proposal.quality
    g0 = next(k for k, g in enumerate(groups) if "p00000" in g)
    g1 = next(k for k, g in enumerate(groups) if "p00001" in g)
    mate = next(pid for pid in groups[g1] if pid != "p00001")
    groups[g0].append(mate)
    groups[g1].remove(mate)
    groups[g0].remove("p00000")
    groups[g1].append("p00000")
    report = evaluate(request, groups)
    assert report.constraint_violations == 1
    assert report.diversity <= proposal.quality.diversity
    with pytest.raises(GroupingError) as caught:
        evaluate(request, [*groups, ["ghost"]])
    assert caught.value.code == "unknown_person"


def test_constraints_hold_on_the_exact_path_too() -> None:
    people = roster(12, seed=4)
    ids = [p.id for p in people]
    request = GroupingRequest(
        people=people, weights=WEIGHTS, size_min=4, size_max=4,
        keep_together=[(ids[0], ids[1]), (ids[1], ids[2])], keep_apart=[(ids[0], ids[3])],
    )  # fmt: skip
    proposal = propose(request)
    where = {pid: g for g, group in enumerate(proposal.groups) for pid in group}
    assert where[ids[0]] == where[ids[1]] == where[ids[2]] != where[ids[3]]
    assert proposal.quality.constraint_violations == 0


def test_without_weights_any_balanced_grouping_is_returned() -> None:
    proposal = propose(GroupingRequest(people=roster(30), weights={}))
    assert sum(proposal.quality.sizes) == 30
    assert proposal.quality.upper_bound == 0 and proposal.quality.gap == 0
