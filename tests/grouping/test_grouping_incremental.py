"""The incremental gains of the roster model and of the compiled MDGP kernels agree with the
objective recomputed from scratch."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bot.grouping import GroupingRequest, kernels
from bot.grouping.categorical import CategoricalModel
from bot.grouping.roster import big_m, check_constraints, encode, initial_labels, pair_table
from bot.grouping.synthetic import WEIGHTS, roster


def _roster_model(seed: int) -> CategoricalModel:
    people = roster(30, seed=seed)
    ids = [p.id for p in people]
    history = [[ids[k : k + 4] for k in range(0, 28, 4)], [ids[k::7] for k in range(7)]]
    request = GroupingRequest(
        people=people, weights=WEIGHTS, history=history, no_singleton=["site", "gender"],
        keep_apart=[(ids[0], ids[9])], keep_together=[(ids[3], ids[17])],
    )  # fmt: skip
    r = encode(request)
    sizes = np.array([5, 5, 4, 4, 4, 4, 4])
    comps = check_constraints(r, sizes)
    pairs = pair_table(r, comps, big_m(r, sizes))
    labels = initial_labels(r, comps, sizes, np.random.default_rng(seed))
    lo, hi = np.full(7, 4), np.full(7, 5)
    return CategoricalModel(r.codes, r.weights, pairs, r.token_attrs, 1.5, labels, lo, hi)


def _check(model: CategoricalModel, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(60):
        swap, _ = model.gains(None)
        u, v = (int(x) for x in rng.integers(0, model.n, size=2))
        if model.labels[u] != model.labels[v]:
            assert np.isclose(swap[u, v], model.swap_gain(u, v))
            before = model.value
            model.swap(u, v)
            fresh = model.labels.copy()
            model.reset(fresh)
            assert np.isclose(model.value - before, swap[u, v])
        h = int(rng.integers(0, model.g))
        gain = model.move_gain(u, h)
        _, move = model.gains(None)
        if np.isfinite(gain):
            assert move is not None and np.isclose(move[u, h], gain)
            before = model.value
            model.move(u, h)
            incremental = model.value
            model.reset(model.labels.copy())
            assert np.isclose(model.value, incremental)
            assert np.isclose(model.value - before, gain)


def test_count_model_gains_match_recomputed_objective() -> None:
    for seed in range(3):
        _check(_roster_model(seed), seed)


def _distances(n: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    d = rng.uniform(0, 10, size=(n, n))
    return np.triu(d, 1) + np.triu(d, 1).T


def _exact_contrib(
    d: npt.NDArray[np.float64], labels: npt.NDArray[np.int64], g: int
) -> npt.NDArray[np.float64]:
    return d @ np.eye(g)[labels]


def test_kernel_moves_and_swaps_keep_the_delta_table_exact() -> None:
    """Each applied step returns exactly the change of the objective, and the O(N) update of
    the contrib table equals the table rebuilt from scratch, moves included (sizes 4..6)."""
    rng = np.random.default_rng(3)
    d = _distances(25, rng)
    labels = rng.permutation(np.repeat(np.arange(5), 5)).astype(np.int64)
    sizes = np.bincount(labels, minlength=5).astype(np.int64)
    lo, hi = np.full(5, 4, dtype=np.int64), np.full(5, 6, dtype=np.int64)
    contrib = kernels.build_contrib(d, labels, 5)
    moves = 0
    for _ in range(200):
        before = objective_of(d, labels)
        u, v, h = (int(x) for x in rng.integers(0, 25, size=3))
        h %= 5
        a = int(labels[u])
        if rng.random() < 0.5 and h != a and sizes[a] > lo[a] and sizes[h] < hi[h]:
            change = kernels.apply_move(d, labels, contrib, sizes, u, h)
            moves += 1
        elif labels[u] != labels[v]:
            change = kernels.apply_swap(d, labels, contrib, u, v)
        else:
            continue
        assert np.isclose(objective_of(d, labels) - before, change)
        assert np.allclose(contrib, _exact_contrib(d, labels, 5))
        assert np.array_equal(sizes, np.bincount(labels, minlength=5))
        assert np.all(sizes >= lo) and np.all(sizes <= hi)
    assert moves > 20


def test_tabu_steps_track_the_objective_and_never_leave_the_size_bounds() -> None:
    rng = np.random.default_rng(4)
    d = _distances(30, rng)
    labels = rng.permutation(np.repeat(np.arange(6), 5)).astype(np.int64)
    sizes = np.bincount(labels, minlength=6).astype(np.int64)
    lo, hi = np.full(6, 3, dtype=np.int64), np.full(6, 7, dtype=np.int64)
    contrib = kernels.build_contrib(d, labels, 6)
    start = objective_of(d, labels)
    values, state = np.array([start, start]), np.zeros(2, dtype=np.int64)
    run_best = labels.copy()
    kernels.tabu_chunk(
        d, labels, contrib, sizes, lo, hi, np.zeros(30, dtype=np.int64), state, values,
        run_best, 300, 10**6, 3, 2, np.random.default_rng(0), np.zeros(30),
    )  # fmt: skip
    assert state[kernels.STEP] == 300
    assert np.isclose(values[0], objective_of(d, labels))
    assert np.isclose(values[1], objective_of(d, run_best)) and values[1] > start
    assert np.allclose(contrib, _exact_contrib(d, labels, 6))
    assert np.all(sizes >= lo) and np.all(sizes <= hi)
    assert not np.array_equal(np.sort(sizes), np.full(6, 5))  # the search used moves


def objective_of(d: npt.NDArray[np.float64], labels: npt.NDArray[np.int64]) -> float:
    return float(np.triu(d * (labels[:, None] == labels[None, :]), 1).sum())
