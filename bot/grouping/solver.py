"""Propose one round of heterogeneous sub-groups, or plan several rounds in a row."""

from __future__ import annotations

from dataclasses import replace
from math import comb

import numpy as np
import numpy.typing as npt

from bot.grouping.categorical import CategoricalModel
from bot.grouping.exact import best_partition, exact_is_cheap
from bot.grouping.model import GroupingError, GroupingRequest, Proposal
from bot.grouping.quality import diversity_bound, report
from bot.grouping.roster import (
    Roster,
    big_m,
    check_constraints,
    encode,
    initial_labels,
    pair_table,
    target_sizes,
)
from bot.grouping.search import SearchParams, search
from bot.grouping.sparse import PairTable

I64 = npt.NDArray[np.int64]

# Row scans of the count model cost O(rows * N * attributes), so past about a hundred people
# a sampled batch of rows per step beats a full scan. The search ends at the bound or after
# two fruitless kicks: the groups then depend on the seed only, not on the machine's speed.
ROSTER_PARAMS = SearchParams(
    full_scan_limit=100, batch_rows=32, patience=2, stall_steps=120, from_best=True
)


def propose(request: GroupingRequest) -> Proposal:
    """The most diverse grouping found that satisfies the hard constraints, with its report."""
    roster = encode(request)
    sizes = target_sizes(roster.n, request.size_min, request.size_max)
    comps = check_constraints(roster, sizes)
    m = big_m(roster, sizes)
    pairs = pair_table(roster, comps, m)
    if exact_is_cheap(sizes):
        labels = best_partition(roster, pairs, sizes)
    else:
        rng = np.random.default_rng(request.seed)
        start = initial_labels(roster, comps, sizes, rng)
        labels = _search_bound(roster, pairs, comps, sizes, m, start, request.seconds, rng)
    quality = report(request, roster, labels, len(sizes))
    if quality.constraint_violations:
        raise GroupingError(
            "conflicting_constraints",
            f"no grouping found that meets every constraint ({quality.constraint_violations} "
            "still violated); relax keep-apart or keep-together pairs",
        )
    return Proposal(_groups(roster, labels, len(sizes)), quality)


def plan_rounds(request: GroupingRequest, rounds: int) -> list[Proposal]:
    """Several rounds in a row, each one penalising every pair already grouped before."""
    history = [list(map(list, r)) for r in request.history]
    plan: list[Proposal] = []
    for k in range(rounds):
        proposal = propose(replace(request, history=tuple(history), seed=request.seed + k))
        plan.append(proposal)
        history.append([list(g) for g in proposal.groups])
    return plan


def _search_bound(
    roster: Roster,
    pairs: PairTable,
    comps: list[list[int]],
    sizes: I64,
    m: float,
    start: I64,
    seconds: float,
    rng: np.random.Generator,
) -> I64:
    """Run the shared search; stop early at the bound (diversity UB, no repeat, no token)."""
    q = int(sizes.min())
    lo = np.full(len(sizes), q, dtype=np.int64)
    hi = np.full(len(sizes), int(sizes.max()), dtype=np.int64)
    model = CategoricalModel(
        roster.codes,
        roster.weights,
        pairs,
        roster.token_attrs,
        roster.token_penalty,
        start,
        lo,
        hi,
    )
    target = diversity_bound(roster.codes, roster.weights, sizes)
    target += m * sum(comb(len(c), 2) for c in comps)
    return search(model, rng, seconds, target, ROSTER_PARAMS).labels


def _groups(roster: Roster, labels: I64, count: int) -> tuple[tuple[str, ...], ...]:
    """Groups in order of their first member, members in roster order: stable to read."""
    members: list[list[str]] = [[] for _ in range(count)]
    for i, g in enumerate(labels.tolist()):
        members[g].append(roster.ids[i])
    return tuple(
        tuple(g) for g in sorted((g for g in members if g), key=lambda g: roster.index[g[0]])
    )
