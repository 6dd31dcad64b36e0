"""The compiled tabu step takes a best admissible move or swap: skipping blocks of swaps by
their bound never skips the best one, whatever the distances (random, clustered, negative)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from bot.grouping import kernels

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
EPS = 1e-9


def _distances(kind: str, n: int, rng: np.random.Generator) -> F64:
    if kind == "uniform":  # like RanReal
        d = rng.uniform(0, 100, (n, n))
    elif kind == "integer":  # like RanInt: many equal gains
        d = rng.integers(0, 10, (n, n)).astype(np.float64)
    elif kind == "points":  # like Geo: every distance far from zero
        points = rng.uniform(0, 10, (n, 3))
        d = np.linalg.norm(points[:, None] - points[None, :], axis=2) + 50.0
    else:  # signed weights, as a general MDGP may carry
        d = rng.normal(0, 30, (n, n))
    d = np.triu(d, 1)
    return d + d.T


def _value(d: F64, labels: I64) -> float:
    return float(np.triu(d * (labels[:, None] == labels[None, :]), 1).sum())


def _best_admissible(
    d: F64, labels: I64, lo: I64, hi: I64, tabu_until: I64, step: int, current: float, best: float
) -> float | None:
    """Every move and swap evaluated from scratch, with the tabu rule and its aspiration."""
    sizes = np.bincount(labels, minlength=lo.shape[0])
    top: float | None = None
    n = labels.shape[0]
    candidates: list[tuple[list[int], I64]] = []
    for u in range(n):
        a = int(labels[u])
        for h in range(lo.shape[0]):
            if h != a and sizes[a] > lo[a] and sizes[h] < hi[h]:
                moved = labels.copy()
                moved[u] = h
                candidates.append(([u], moved))
        for v in range(u + 1, n):
            if labels[v] != a:
                swapped = labels.copy()
                swapped[u], swapped[v] = labels[v], a
                candidates.append(([u, v], swapped))
    for touched, after in candidates:
        gain = _value(d, after) - current
        frozen = any(tabu_until[x] > step for x in touched)
        if frozen and current + gain <= best + EPS:
            continue
        top = gain if top is None else max(top, gain)
    return top


@pytest.mark.parametrize("kind", ["uniform", "integer", "points", "signed"])
@pytest.mark.parametrize("intervals", [False, True])
def test_every_step_takes_a_best_admissible_move_or_swap(kind: str, intervals: bool) -> None:
    rng = np.random.default_rng(11)
    n, groups = 24, 4
    d = _distances(kind, n, rng)
    lo = np.full(groups, 4 if intervals else 6, dtype=np.int64)
    hi = np.full(groups, 8 if intervals else 6, dtype=np.int64)
    labels = rng.permutation(np.repeat(np.arange(groups), 6)).astype(np.int64)
    sizes = np.bincount(labels, minlength=groups).astype(np.int64)
    contrib = kernels.build_contrib(d, labels, groups)
    start = _value(d, labels)
    values, state = np.array([start, start]), np.zeros(2, dtype=np.int64)
    tabu_until, run_best = np.zeros(n, dtype=np.int64), labels.copy()
    floor = 2.0 * (d + np.diag(np.full(n, np.inf))).min(axis=1)
    step_rng = np.random.default_rng(3)
    checked = 0
    for _ in range(60):
        expected = _best_admissible(
            d, labels, lo, hi, tabu_until, int(state[kernels.STEP]) + 1, values[0], values[1]
        )
        before = float(values[0])
        kernels.tabu_chunk(
            d, labels, contrib, sizes, lo, hi, tabu_until, state, values, run_best,
            1, 10**6, 2, 3, step_rng, floor,
        )  # fmt: skip
        if expected is None:  # every step tabu: the kernel hands back to the caller
            assert state[kernels.SINCE_BEST] == 10**6
            break
        assert values[0] - before == pytest.approx(expected, abs=1e-6)
        assert values[0] == pytest.approx(_value(d, labels), abs=1e-6)
        checked += 1
    assert checked >= 20
