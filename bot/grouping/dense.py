"""Grouping state over a dense distance matrix, with incremental swap and move gains."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
NEG = -np.inf
# Marks "same group" in the move table so that swap gains inside one group come out hugely
# negative without an N x N mask; anything below INFEASIBLE is treated as forbidden.
SAME = -1e18


class DenseModel:
    """Assignment plus `contrib[i, g]` = sum of d(i, j) over the members j of group g.

    Every gain is read from `contrib`, and applying a swap or a move touches two of its
    columns, so one step costs O(N) and a full neighbourhood scan O(N^2) in a few numpy calls.
    """

    def __init__(self, dist: F64, labels: I64, lo: I64, hi: I64) -> None:
        self.n = int(dist.shape[0])
        self.g = int(lo.shape[0])
        self.dist = dist
        # Gain tables are float32: half the memory traffic of the N x N scan, which is what
        # bounds the step rate; exact float64 gains are recomputed for the chosen step.
        self.dist2 = (2.0 * dist).astype(np.float32)
        self.lo = lo
        self.hi = hi
        self.can_move = bool(np.any(lo < hi))
        self.labels = labels.copy()
        self.reset(labels)

    def reset(self, labels: I64) -> None:
        """Load an assignment and rebuild every cache from scratch."""
        self.labels[:] = labels
        onehot = np.zeros((self.n, self.g))
        onehot[np.arange(self.n), labels] = 1.0
        self.contrib: F64 = self.dist @ onehot
        self.sizes: I64 = np.bincount(labels, minlength=self.g).astype(np.int64)
        self.value = float(0.5 * self.contrib[np.arange(self.n), labels].sum())

    def gains(self, rows: I64 | None) -> tuple[F32, F32 | None]:
        """Swap gains (rows x N) and move gains (rows x G); infeasible entries are -inf."""
        labels = self.labels
        own = self.contrib[np.arange(self.n), labels]
        move = (self.contrib - own[:, None]).astype(np.float32)
        move[np.arange(self.n), labels] = SAME
        if rows is None:
            bg = np.take(move, labels, axis=1)
            swap = bg + bg.T
            swap -= self.dist2
            sub = move
            row_labels = labels
        else:
            row_labels = labels[rows]
            swap = np.take(move[rows], labels, axis=1)
            swap += np.take(move, row_labels, axis=1).T
            swap -= self.dist2[rows]
            sub = move[rows]
        if not self.can_move:
            return swap, None
        mv = sub.copy()
        mv[self.sizes[row_labels] <= self.lo[row_labels]] = NEG
        mv[:, self.sizes >= self.hi] = NEG
        return swap, mv

    def swap_gain(self, u: int, v: int) -> float:
        a, b = self.labels[u], self.labels[v]
        c = self.contrib
        return float(c[u, b] - c[u, a] + c[v, a] - c[v, b] - 2.0 * self.dist[u, v])

    def move_gain(self, u: int, h: int) -> float:
        a = self.labels[u]
        if a == h or self.sizes[a] <= self.lo[a] or self.sizes[h] >= self.hi[h]:
            return NEG
        return float(self.contrib[u, h] - self.contrib[u, a])

    def swap(self, u: int, v: int) -> None:
        gain = self.swap_gain(u, v)
        a, b = int(self.labels[u]), int(self.labels[v])
        delta = self.dist[:, v] - self.dist[:, u]
        self.contrib[:, a] += delta
        self.contrib[:, b] -= delta
        self.labels[u], self.labels[v] = b, a
        self.value += gain

    def move(self, u: int, h: int) -> None:
        gain = self.move_gain(u, h)
        a = int(self.labels[u])
        col = self.dist[:, u]
        self.contrib[:, a] -= col
        self.contrib[:, h] += col
        self.labels[u] = h
        self.sizes[a] -= 1
        self.sizes[h] += 1
        self.value += gain
