"""Quality of a grouping: diversity against a closed-form bound, repeats, tokens, constraints."""

from __future__ import annotations

from collections.abc import Sequence
from math import comb

import numpy as np
import numpy.typing as npt

from bot.grouping.model import GroupingError, GroupingRequest, QualityReport
from bot.grouping.roster import Roster, encode

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def _pairs_in(sizes: Sequence[int] | I64) -> int:
    return sum(comb(int(s), 2) for s in sizes)


def diversity_bound(codes: I64, weights: F64, sizes: Sequence[int] | I64) -> float:
    """UB_D: spreading each value as evenly as possible over the groups minimises same-value
    pairs attribute by attribute (separable convex), so no grouping can beat this."""
    g = len(sizes)
    total = 0.0
    for a, w in enumerate(weights.tolist()):
        if w == 0:
            continue
        same = 0
        for count in np.bincount(codes[:, a]).tolist():
            q, r = divmod(count, g)
            same += r * comb(q + 1, 2) + (g - r) * comb(q, 2)
        total += w * (_pairs_in(sizes) - same)
    return total


def random_expectation(codes: I64, weights: F64, sizes: Sequence[int] | I64) -> float:
    """Expected diversity of a uniformly random grouping with the same sizes."""
    n = codes.shape[0]
    if n < 2:
        return 0.0
    per_pair = 0.0
    for a, w in enumerate(weights.tolist()):
        counts = np.bincount(codes[:, a]).astype(np.float64)
        per_pair += w * (1.0 - float((counts * (counts - 1)).sum()) / (n * (n - 1)))
    return _pairs_in(sizes) * per_pair


def labels_of(roster: Roster, groups: Sequence[Sequence[str]]) -> I64:
    """Group index of every person; refuses unknown, repeated or missing ids."""
    labels = np.full(roster.n, -1, dtype=np.int64)
    for g, group in enumerate(groups):
        for pid in group:
            i = roster.index.get(pid)
            if i is None:
                raise GroupingError("unknown_person", f"{pid!r} is not in the request")
            if labels[i] >= 0:
                raise GroupingError("duplicate_person", f"{pid!r} is placed twice")
            labels[i] = g
    missing = [roster.ids[i] for i in np.flatnonzero(labels < 0).tolist()]
    if missing:
        raise GroupingError("incomplete_grouping", f"not placed: {', '.join(missing)}")
    return labels


def diversity(codes: I64, weights: F64, labels: I64, groups: int) -> float:
    """Weighted count of within-group pairs that differ, attribute by attribute."""
    sizes = np.bincount(labels, minlength=groups)
    total = 0.0
    for a, w in enumerate(weights.tolist()):
        if w == 0:
            continue
        values = int(codes[:, a].max()) + 1
        counts = np.bincount(labels * values + codes[:, a], minlength=groups * values)
        total += w * (_pairs_in(sizes) - int((counts * (counts - 1) // 2).sum()))
    return total


def token_cases(roster: Roster, labels: I64, groups: int) -> int:
    """Values held by exactly one member of a group, on the no-singleton attributes."""
    cases = 0
    for a in roster.token_attrs.tolist():
        values = int(roster.codes[:, a].max()) + 1
        counts = np.bincount(labels * values + roster.codes[:, a], minlength=groups * values)
        cases += int(np.sum(counts == 1))
    return cases


def report(request: GroupingRequest, roster: Roster, labels: I64, groups: int) -> QualityReport:
    sizes = np.bincount(labels, minlength=groups)
    div = diversity(roster.codes, roster.weights, labels, groups)
    ub = diversity_bound(roster.codes, roster.weights, sizes)
    rand = random_expectation(roster.codes, roster.weights, sizes)
    repeats = sum(1 for (i, j) in roster.history if labels[i] == labels[j])
    violations = sum(1 for i, j in roster.apart if labels[i] == labels[j])
    violations += sum(1 for i, j in roster.together if labels[i] != labels[j])
    violations += int(np.sum((sizes < request.size_min) | (sizes > request.size_max)))
    return QualityReport(
        diversity=div,
        upper_bound=ub,
        random_expected=rand,
        gap=(ub - div) / ub if ub > 0 else 0.0,
        closed=(div - rand) / (ub - rand) if ub - rand > 1e-12 else 1.0,
        repeated_pairs=repeats,
        token_cases=token_cases(roster, labels, groups),
        constraint_violations=violations,
        sizes=tuple(int(s) for s in sizes),
    )


def evaluate(request: GroupingRequest, groups: Sequence[Sequence[str]]) -> QualityReport:
    """Quality of any grouping of the request's people, e.g. after a facilitator's edits."""
    roster = encode(request)
    return report(request, roster, labels_of(roster, groups), len(groups))
