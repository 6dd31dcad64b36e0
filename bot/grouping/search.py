"""Iterated tabu search over swap and move neighbourhoods, shared by every grouping model."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
Table = npt.NDArray[np.floating[Any]]
I64 = npt.NDArray[np.int64]
NEG = -np.inf
INFEASIBLE = -1e17  # models may mark forbidden steps with any value below this
EPS = 1e-9


class Model(Protocol):
    """A grouping state that can score and apply swaps and moves incrementally."""

    n: int
    g: int
    labels: I64
    value: float

    def reset(self, labels: I64) -> None: ...
    def gains(self, rows: I64 | None) -> tuple[Table, Table | None]: ...
    def swap_gain(self, u: int, v: int) -> float: ...
    def move_gain(self, u: int, h: int) -> float: ...
    def swap(self, u: int, v: int) -> None: ...
    def move(self, u: int, h: int) -> None: ...


@dataclass(frozen=True, slots=True)
class SearchParams:
    """Knobs of the search; the defaults were tuned on MDGPLIB and synthetic rosters."""

    full_scan_limit: int = 600  # above this N, scan a random batch of rows per step
    batch_rows: int = 48
    tenure_min: int = 3
    tenure_span: float = 0.05  # extra random tenure, as a fraction of N
    stall_steps: int = 0  # steps without a new best before a kick; 0 derives it from N
    kick_fraction: float = 0.07  # random swaps per perturbation, as a fraction of N
    from_best: bool = False  # kick the current state (a walk) rather than the best one
    kick_moves: float = 0.3  # share of kick steps that try a move (shakes the group sizes)
    patience: int | None = None  # perturbations without progress before giving up
    max_steps: int | None = None


@dataclass(slots=True)
class SearchResult:
    labels: I64
    value: float
    steps: int
    optimal: bool


def search(
    model: Model,
    rng: np.random.Generator,
    seconds: float,
    target: float = np.inf,
    params: SearchParams | None = None,
) -> SearchResult:
    """Maximise `model.value`; stop at `target` (a proven bound), the patience or the clock.

    A best-improvement tabu search (the moved elements stay frozen for a random tenure,
    unless a step beats the best value) runs from the current state. When it stalls, the
    state (or, with `from_best`, the best state found so far) is kicked with random swaps:
    an iterated tabu search, the family that leads the MDGP literature.
    """
    p = params or SearchParams()
    deadline = time.perf_counter() + seconds
    n = model.n
    full = n <= p.full_scan_limit
    descend(model, rng, deadline, n if full else p.batch_rows)
    stall_steps = p.stall_steps or (12 * n if full else max(200, n // 4))
    best_value = model.value
    best_labels = model.labels.copy()
    frozen = np.zeros(n, dtype=np.int64)
    step = since_best = kicks_without_progress = 0
    while best_value < target - EPS:
        if time.perf_counter() >= deadline or (p.max_steps is not None and step >= p.max_steps):
            break
        step += 1
        rows = None if full else rng.choice(n, size=min(p.batch_rows, n), replace=False)
        picked = _pick(model, rows, frozen > step, best_value - model.value)
        if picked is None:
            since_best = stall_steps
        else:
            u, v, kind = picked
            if kind == 0:
                model.swap(u, v)
                frozen[v] = step + p.tenure_min + int(rng.integers(0, 1 + int(p.tenure_span * n)))
            else:
                model.move(u, v)
            frozen[u] = step + p.tenure_min + int(rng.integers(0, 1 + int(p.tenure_span * n)))
            since_best += 1
            if model.value > best_value + EPS:
                best_value = model.value
                best_labels = model.labels.copy()
                since_best = kicks_without_progress = 0
        if since_best >= stall_steps:
            kicks_without_progress += 1
            if p.patience is not None and kicks_without_progress > p.patience:
                break
            if p.from_best:
                model.reset(best_labels)
            kick(model, rng, max(2, int(p.kick_fraction * n)), p.kick_moves)
            frozen[:] = 0
            since_best = 0
    if model.value < best_value - EPS or not np.array_equal(model.labels, best_labels):
        model.reset(best_labels)
    return SearchResult(best_labels, best_value, step, best_value >= target - EPS)


def _pick(
    model: Model, rows: I64 | None, tabu: npt.NDArray[np.bool_], aspiration: float
) -> tuple[int, int, int] | None:
    """Best admissible step as (u, v-or-group, 0 for a swap / 1 for a move), or None."""
    swap, mv = model.gains(rows)
    row_ids = np.arange(model.n) if rows is None else rows
    candidates: list[tuple[float, int, int, int]] = []
    for kind, table in ((0, swap), (1, mv)):
        if table is None or table.size == 0:
            continue
        flat = int(np.argmax(table))
        top = float(table.flat[flat])
        if top > aspiration + EPS:
            r, c = divmod(flat, table.shape[1])
            candidates.append((top, int(row_ids[r]), c, kind))
            continue
        frozen = np.flatnonzero(tabu)
        if frozen.size:
            table[np.flatnonzero(tabu[row_ids])] = NEG
            if kind == 0:
                table[:, frozen] = NEG
            flat = int(np.argmax(table))
            top = float(table.flat[flat])
        if top > INFEASIBLE:
            r, c = divmod(flat, table.shape[1])
            candidates.append((top, int(row_ids[r]), c, kind))
    if not candidates:
        return None
    _, u, v, kind = max(candidates)
    return u, v, kind


def descend(model: Model, rng: np.random.Generator, deadline: float, batch: int) -> None:
    """Batched first-improvement descent for large N: score a block of rows, then apply each
    row's best step if it still improves (earlier steps in the block may have changed it)."""
    n = model.n
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        order = rng.permutation(n)
        for start in range(0, n, batch):
            if time.perf_counter() >= deadline:
                return
            rows = order[start : start + batch]
            swap, mv = model.gains(rows)
            best_v = np.argmax(swap, axis=1)
            best_s = swap[np.arange(len(rows)), best_v]
            best_h = np.argmax(mv, axis=1) if mv is not None else None
            for i, u in enumerate(rows.tolist()):
                if best_h is not None and mv is not None:
                    h = int(best_h[i])
                    if mv[i, h] > best_s[i] and model.move_gain(u, h) > EPS:
                        model.move(u, h)
                        improved = True
                        continue
                v = int(best_v[i])
                if (
                    best_s[i] > EPS
                    and model.labels[u] != model.labels[v]
                    and model.swap_gain(u, v) > EPS
                ):
                    model.swap(u, v)
                    improved = True


def kick(model: Model, rng: np.random.Generator, count: int, moves: float = 0.0) -> None:
    """Random swaps between elements of different groups, and optionally random feasible
    moves (which also shake the group sizes): the perturbation of the ILS."""
    n = model.n
    for _ in range(count):
        u, v = (int(x) for x in rng.integers(0, n, size=2))
        if moves and rng.random() < moves:
            h = int(rng.integers(0, model.g))
            if np.isfinite(model.move_gain(u, h)):
                model.move(u, h)
                continue
        if model.labels[u] != model.labels[v]:
            model.swap(u, v)
