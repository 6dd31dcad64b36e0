"""Iterated tabu search for the dense MDGP: the driver around the compiled kernels."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from bot.grouping import kernels as k

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Clock = Callable[[], float]
EPS = 1e-9


@dataclass(frozen=True, slots=True)
class TabuParams:
    """Knobs of the iterated tabu search (defaults tuned on the `_01`/`_02` MDGPLIB instances
    at fixed step counts, checked on the others)."""

    stall_per_element: float = 5.0  # steps without a new run best, per element, then perturb
    tenure_min: int = 3
    tenure_span: float = 0.05  # extra random tenure, as a fraction of N
    strength_min: float = 0.12  # random steps per perturbation, as a fraction of N
    strength_max: float = 0.12
    move_share: float = 0.3  # share of perturbation steps that are moves, when sizes may vary
    from_best: bool = False  # perturb the best grouping so far, not where the run ended
    max_steps: int | None = None  # a step budget makes the result independent of the machine
    bound_swaps: bool = True  # skip blocks of swaps that cannot win; False scans every swap


@dataclass(slots=True)
class TabuResult:
    labels: I64
    value: float
    steps: int
    perturbations: int


@cache
def _compile() -> None:
    """Compile (or load from the on-disk cache) every kernel before a budget starts ticking."""
    dist = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]])
    labels = np.array([0, 1, 1], dtype=np.int64)
    lo, hi = np.array([1, 1], dtype=np.int64), np.array([2, 2], dtype=np.int64)
    iterated_tabu(dist, lo, hi, labels, 10.0, 0, TabuParams(max_steps=3))


def search_mdgp(
    dist: F64,
    lo: I64,
    hi: I64,
    start: I64,
    seconds: float,
    seed: int,
    params: TabuParams | None = None,
    clock: Clock = time.perf_counter,
) -> TabuResult:
    """Best grouping found from `start` within `seconds` of `clock` (or `params.max_steps`)."""
    _compile()
    return iterated_tabu(dist, lo, hi, start, seconds, seed, params or TabuParams(), clock)


def iterated_tabu(
    dist: F64,
    lo: I64,
    hi: I64,
    start: I64,
    seconds: float,
    seed: int,
    p: TabuParams,
    clock: Clock = time.perf_counter,
) -> TabuResult:
    """Tabu search runs, each ended by `stall` steps without progress, then restarted from
    the best grouping so far shaken by a random number of random swaps and moves (the
    iterated tabu search of the MDGP literature: Palubeckis et al. 2015, Lai & Hao 2016)."""
    deadline = clock() + seconds
    rng = np.random.default_rng(seed)  # this call's own stream: two searches never share one
    n, groups = int(dist.shape[0]), int(lo.shape[0])
    labels = start.astype(np.int64)
    sizes = np.bincount(labels, minlength=groups).astype(np.int64)
    contrib = k.build_contrib(dist, labels, groups)
    value = k.value_of(contrib, labels)
    best_labels, best_value = labels.copy(), value
    run_best = labels.copy()
    values = np.array([value, value])
    state = np.zeros(2, dtype=np.int64)
    tabu_until = np.zeros(n, dtype=np.int64)
    # twice each element's smallest distance bounds its swap gains; -inf disables the bound
    floor = np.full(n, -np.inf)
    if p.bound_swaps and n > 1:
        floor = 2.0 * (dist + np.diag(np.full(n, np.inf))).min(axis=1)
    stall = max(50, int(p.stall_per_element * n))
    span = int(p.tenure_span * n)
    chunk = max(8, 2_000_000 // (n * n + n * groups))  # a few ms between looks at the clock
    perturbations = 0
    while clock() < deadline:
        steps = chunk
        if p.max_steps is not None:
            steps = min(chunk, p.max_steps - int(state[k.STEP]))
            if steps <= 0:
                break
        stalled = k.tabu_chunk(
            dist, labels, contrib, sizes, lo, hi, tabu_until, state, values, run_best,
            steps, stall, p.tenure_min, span, rng, floor,
        )  # fmt: skip
        if values[1] > best_value + EPS:
            best_value, best_labels = float(values[1]), run_best.copy()
        if stalled:
            perturbations += 1
            if p.from_best:
                labels[:] = best_labels
                sizes[:] = np.bincount(labels, minlength=groups)
                contrib = k.build_contrib(dist, labels, groups)
            strength = rng.uniform(p.strength_min, p.strength_max)
            count = max(2, int(strength * n))
            value = float(values[0]) if not p.from_best else best_value
            value += k.perturb(dist, labels, contrib, sizes, lo, hi, count, p.move_share, rng)
            values[:] = value
            run_best[:] = labels
            tabu_until[:] = 0
            state[k.SINCE_BEST] = 0
    # the running value accumulates float rounding: report the exact value of the best labels
    exact = k.value_of(k.build_contrib(dist, best_labels, groups), best_labels)
    return TabuResult(best_labels, exact, int(state[k.STEP]), perturbations)
