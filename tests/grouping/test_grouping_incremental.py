"""The incremental gains of both models agree with the objective recomputed from scratch."""

from __future__ import annotations

import numpy as np

from bot.grouping import GroupingRequest
from bot.grouping.categorical import CategoricalModel
from bot.grouping.dense import DenseModel
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


def _dense_model(seed: int) -> DenseModel:
    rng = np.random.default_rng(seed)
    d = rng.uniform(0, 10, size=(25, 25))
    d = np.triu(d, 1) + np.triu(d, 1).T
    labels = rng.permutation(np.repeat(np.arange(5), 5))
    return DenseModel(d, labels, np.full(5, 4), np.full(5, 6))


def _check(model: CategoricalModel | DenseModel, seed: int) -> None:
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


def test_dense_model_gains_match_recomputed_objective() -> None:
    for seed in range(3):
        _check(_dense_model(seed), seed)
