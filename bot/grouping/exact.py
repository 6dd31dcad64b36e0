"""Exact optimum for small rosters by enumerating every partition into the given sizes."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from math import factorial, prod

import numpy as np
import numpy.typing as npt

from bot.grouping.roster import Roster
from bot.grouping.sparse import PairTable

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
EXACT_LIMIT = 20_000  # N=12 in groups of 3 has 15,400 partitions; scoring them takes ~0.1 s
EXACT_MAX_PEOPLE = 16  # scoring builds partitions x N x N arrays; groups of 1 have 1 partition


def exact_is_cheap(sizes: I64) -> bool:
    return int(sizes.sum()) <= EXACT_MAX_PEOPLE and partition_count(sizes) <= EXACT_LIMIT


def partition_count(sizes: I64) -> int:
    """Unlabelled partitions of sum(sizes) elements into groups of exactly these sizes."""
    n = int(sizes.sum())
    denom = prod(factorial(int(s)) for s in sizes)
    denom *= prod(factorial(m) for m in Counter(sizes.tolist()).values())
    return factorial(n) // denom


def all_partitions(sizes: I64) -> I64:
    """Every partition as a row of group labels; group k is the one opened k-th."""
    n = int(sizes.sum())
    rows: list[list[int]] = []
    labels = [-1] * n
    left = Counter(sizes.tolist())

    def fill(rest: list[int], group: int) -> None:
        if not rest:
            rows.append(labels.copy())
            return
        first, others = rest[0], rest[1:]
        for size in sorted(left):
            if left[size] == 0:
                continue
            left[size] -= 1
            for mates in combinations(range(len(others)), size - 1):
                chosen = {others[k] for k in mates}
                for i in (first, *chosen):
                    labels[i] = group
                fill([x for x in others if x not in chosen], group + 1)
            left[size] += 1

    fill(list(range(n)), 0)
    return np.array(rows, dtype=np.int64).reshape(len(rows), n)


def best_partition(roster: Roster, pairs: PairTable, sizes: I64) -> I64:
    """Labels of the best partition for the full objective (first one on ties)."""
    n, g = roster.n, len(sizes)
    parts = all_partitions(sizes)
    codes, weights = roster.codes, roster.weights
    diff = (codes[:, None, :] != codes[None, :, :]).astype(np.float64) @ weights
    for (i, j), w in pairs.pairs.items():
        diff[i, j] += w
        diff[j, i] += w
    iu, ju = np.triu_indices(n, 1)
    scores = (parts[:, iu] == parts[:, ju]).astype(np.float64) @ diff[iu, ju]
    offset = np.arange(parts.shape[0])[:, None]
    for a in roster.token_attrs.tolist():
        values = int(codes[:, a].max()) + 1
        cell = (offset * g + parts) * values + codes[None, :, a]
        counts = np.bincount(cell.ravel(), minlength=parts.shape[0] * g * values)
        singles = (counts.reshape(parts.shape[0], -1) == 1).sum(axis=1)
        scores -= roster.token_penalty * singles
    best: I64 = parts[int(np.argmax(scores))]
    return best
