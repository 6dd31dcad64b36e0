"""Compiled inner loops of the MDGP search: delta tables, tabu steps, perturbation, crossover."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Rng = np.random.Generator  # each search passes its own: no kernel draws from a process-wide stream
Fn = TypeVar("Fn", bound=Callable[..., Any])
EPS = 1e-9

# Indices into the int64 `state` array that carries a tabu run across kernel calls, so the
# Python driver can look at the clock between chunks without losing the run.
STEP, SINCE_BEST = 0, 1


def compiled(function: Fn) -> Fn:
    """numba's nopython JIT, cached on disk, keeping the Python signature for the type checker."""
    return cast(Fn, numba.njit(cache=True, nogil=True)(function))


@compiled
def build_contrib(dist: F64, labels: I64, groups: int) -> F64:
    """`contrib[i, g]` = sum of d(i, j) over the members j of group g: every gain reads it."""
    n = dist.shape[0]
    contrib = np.zeros((n, groups))
    for j in range(n):
        h = labels[j]
        for i in range(n):
            contrib[i, h] += dist[i, j]
    return contrib


@compiled
def value_of(contrib: F64, labels: I64) -> float:
    total = 0.0
    for i in range(labels.shape[0]):
        total += contrib[i, labels[i]]
    return 0.5 * total


@compiled
def apply_move(dist: F64, labels: I64, contrib: F64, sizes: I64, u: int, h: int) -> float:
    """Move u to group h in O(N) (two columns of contrib); returns the change of value."""
    a = labels[u]
    gain = float(contrib[u, h] - contrib[u, a])
    for i in range(dist.shape[0]):
        contrib[i, a] -= dist[i, u]
        contrib[i, h] += dist[i, u]
    labels[u] = h
    sizes[a] -= 1
    sizes[h] += 1
    return gain


@compiled
def apply_swap(dist: F64, labels: I64, contrib: F64, u: int, v: int) -> float:
    """Exchange the groups of u and v in O(N); returns the change of value."""
    a, b = labels[u], labels[v]
    gain = float(contrib[u, b] - contrib[u, a] + contrib[v, a] - contrib[v, b] - 2.0 * dist[u, v])
    for i in range(dist.shape[0]):
        delta = dist[i, v] - dist[i, u]
        contrib[i, a] += delta
        contrib[i, b] -= delta
    labels[u], labels[v] = b, a
    return gain


@compiled
def tabu_chunk(
    dist: F64,
    labels: I64,
    contrib: F64,
    sizes: I64,
    lo: I64,
    hi: I64,
    tabu_until: I64,
    state: I64,
    values: F64,
    run_best: I64,
    max_iters: int,
    stall: int,
    tenure_min: int,
    tenure_span: int,
    rng: Rng,
    floor: F64,
) -> bool:
    """Up to `max_iters` steps of best-improvement tabu search over moves and swaps.

    `values` holds (current value, best value of this run). Every step scans all N*G moves
    that keep the sizes within [lo, hi] and all swaps between groups, each gain read in O(1)
    from the delta table `gain[i, h] = contrib[i, h] - contrib[i, own group]`; the elements
    a step touches stay tabu for a random tenure unless a step beats the run's best (ties
    are broken at random, which matters on integer distances). Returns True once the run
    has gone `stall` steps without a new best: the caller then perturbs.

    Swaps are scanned group pair by group pair: the swaps of u with group b gain at most
    `gain[u, b] + max over v in b of gain[v, a] - floor[u]` (`floor[u]`: twice u's smallest
    distance), so a block that cannot reach the best gain seen so far is skipped whole. The
    skipped swaps are exactly those the full scan would have passed over, so this changes the
    speed only (about 3-5x fewer swaps read at n = 480).
    """
    n, groups = contrib.shape
    gain = np.empty((n, groups))
    reach = np.empty((groups, groups))  # reach[b, a]: best gain[v, a] over the members v of b
    start = np.empty(groups + 1, dtype=np.int64)
    members = np.empty(n, dtype=np.int64)  # elements sorted by group: start[b] .. start[b + 1]
    can_move = False
    for h in range(groups):
        if lo[h] < hi[h]:
            can_move = True
    for _ in range(max_iters):
        if state[SINCE_BEST] >= stall:
            return True
        state[STEP] += 1
        step = state[STEP]
        current, best = values[0], values[1]
        reach[:, :] = -np.inf
        for i in range(n):
            own = contrib[i, labels[i]]
            row = reach[labels[i]]
            for h in range(groups):
                gain[i, h] = contrib[i, h] - own
                row[h] = max(row[h], gain[i, h])
        start[0] = 0
        for h in range(groups):
            start[h + 1] = start[h] + sizes[h]
        fill = start[:groups].copy()
        for i in range(n):
            members[fill[labels[i]]] = i
            fill[labels[i]] += 1
        top = -np.inf
        ties = 0
        bu, bv, kind = -1, -1, 0
        if can_move:
            for u in range(n):
                a = labels[u]
                if sizes[a] <= lo[a]:
                    continue
                frozen = tabu_until[u] > step
                for h in range(groups):
                    if h == a or sizes[h] >= hi[h]:
                        continue
                    g = gain[u, h]
                    if g < top - EPS or (frozen and current + g <= best + EPS):
                        continue
                    if g > top + EPS:
                        top, ties, bu, bv, kind = g, 1, u, h, 1
                    else:
                        ties += 1
                        if rng.integers(0, ties) == 0:
                            bu, bv, kind = u, h, 1
        for u in range(n):
            a = labels[u]
            frozen_u = tabu_until[u] > step
            for b in range(a + 1, groups):  # u in the lower group: each pair once
                if gain[u, b] + reach[b, a] - floor[u] < top - EPS:
                    continue
                for slot in range(start[b], start[b + 1]):
                    v = members[slot]
                    g = gain[u, b] + gain[v, a] - 2.0 * dist[u, v]
                    if g < top - EPS:
                        continue
                    if (frozen_u or tabu_until[v] > step) and current + g <= best + EPS:
                        continue
                    if g > top + EPS:
                        top, ties, bu, bv, kind = g, 1, u, v, 0
                    else:
                        ties += 1
                        if rng.integers(0, ties) == 0:
                            bu, bv, kind = u, v, 0
        if bu < 0:  # every step is tabu: let the caller perturb
            state[SINCE_BEST] = stall
            return True
        if kind == 1:
            current += apply_move(dist, labels, contrib, sizes, bu, bv)
        else:
            current += apply_swap(dist, labels, contrib, bu, bv)
            tabu_until[bv] = step + tenure_min + rng.integers(0, tenure_span + 1)
        tabu_until[bu] = step + tenure_min + rng.integers(0, tenure_span + 1)
        values[0] = current
        if current > best + EPS:
            values[1] = current
            run_best[:] = labels
            state[SINCE_BEST] = 0
        else:
            state[SINCE_BEST] += 1
    return bool(state[SINCE_BEST] >= stall)


@compiled
def perturb(
    dist: F64,
    labels: I64,
    contrib: F64,
    sizes: I64,
    lo: I64,
    hi: I64,
    count: int,
    move_share: float,
    rng: Rng,
) -> float:
    """`count` random steps: swaps between groups, and with probability `move_share` a move
    that keeps the sizes in bounds (so `ds` sizes are shaken too). Returns the value change."""
    n, groups = contrib.shape
    change = 0.0
    done = 0
    tries = 0
    while done < count and tries < 20 * count + 20:
        tries += 1
        u = int(rng.integers(0, n))
        if move_share > 0.0 and rng.random() < move_share:
            h = int(rng.integers(0, groups))
            a = labels[u]
            if h != a and sizes[a] > lo[a] and sizes[h] < hi[h]:
                change += apply_move(dist, labels, contrib, sizes, u, h)
                done += 1
            continue
        v = int(rng.integers(0, n))
        if labels[u] != labels[v]:
            change += apply_swap(dist, labels, contrib, u, v)
            done += 1
    return change
