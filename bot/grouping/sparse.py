"""Sparse symmetric pair scores (history penalty, hard-constraint big-M) in CSR form."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
DENSE_LIMIT = 200  # small rosters keep a dense copy: plain gathers beat CSR bookkeeping


class PairTable:
    """P(i, j) for the few pairs that carry one; every other pair scores 0."""

    def __init__(self, n: int, entries: Iterable[tuple[int, int, float]]) -> None:
        acc: dict[tuple[int, int], float] = {}
        for i, j, w in entries:
            if i == j:
                continue
            key = (min(i, j), max(i, j))
            acc[key] = acc.get(key, 0.0) + w
        self.n = n
        self.pairs = {k: w for k, w in acc.items() if w != 0.0}
        both = [(i, j, w) for (i, j), w in self.pairs.items()]
        both += [(j, i, w) for (i, j), w in self.pairs.items()]
        both.sort()
        src = np.array([e[0] for e in both], dtype=np.int64)
        self.indices = np.array([e[1] for e in both], dtype=np.int64)
        self.data = np.array([e[2] for e in both], dtype=np.float64)
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=self.indptr[1:])
        self.empty = not both
        self.dense: F64 | None = None
        if n <= DENSE_LIMIT and not self.empty:
            self.dense = np.zeros((n, n))
            self.dense[src, self.indices] = self.data

    def get(self, i: int, j: int) -> float:
        return self.pairs.get((min(i, j), max(i, j)), 0.0)

    def row(self, i: int) -> tuple[I64, F64]:
        """Partners of i and their scores (views into the CSR arrays)."""
        lo, hi = int(self.indptr[i]), int(self.indptr[i + 1])
        return self.indices[lo:hi], self.data[lo:hi]

    def _gather(self, rows: I64) -> tuple[I64, I64, F64]:
        """(position of the owning row, column, value) for every stored entry of `rows`."""
        rows = rows.ravel()
        valid = rows >= 0
        safe = np.where(valid, rows, 0)
        length = np.where(valid, self.indptr[safe + 1] - self.indptr[safe], 0)
        total = int(length.sum())
        owner = np.repeat(np.arange(rows.shape[0]), length)
        first = np.cumsum(length) - length
        at = np.arange(total) - np.repeat(first, length) + np.repeat(self.indptr[safe], length)
        return owner, self.indices[at], self.data[at]

    def rows(self, rows: I64, n: int) -> F64:
        """P(rows[r], v) as a rows x n array."""
        if self.empty:
            return np.zeros((rows.shape[0], n))
        if self.dense is not None:
            return self.dense[rows]
        owner, col, val = self._gather(rows)
        return _dense(owner, col, val, rows.shape[0], n)

    def to_groups(self, rows: I64, labels: I64, groups: int) -> F64:
        """Sum of P(rows[r], j) over the members j of each group, as rows x groups."""
        if self.empty:
            return np.zeros((rows.shape[0], groups))
        if self.dense is not None:
            onehot = (labels[:, None] == np.arange(groups)[None, :]).astype(np.float64)
            out: F64 = self.dense[rows] @ onehot
            return out
        owner, col, val = self._gather(rows)
        return _dense(owner, labels[col], val, rows.shape[0], groups)

    def to_members(self, slots: I64, n: int) -> F64:
        """Sum of P(j, v) over the listed members j of each row of `slots` (-1 = empty)."""
        if self.empty:
            return np.zeros((slots.shape[0], n))
        if self.dense is not None:
            picked = self.dense[np.maximum(slots, 0)] * (slots >= 0)[:, :, None]
            total: F64 = picked.sum(axis=1)
            return total
        owner, col, val = self._gather(slots)
        return _dense(owner // slots.shape[1], col, val, slots.shape[0], n)

    def to_own_group(self, members: I64, labels: I64) -> F64:
        """Sum of P(m, j) over the other members j of m's own group."""
        if self.empty:
            return np.zeros(members.shape[0])
        if self.dense is not None:
            mates = labels[None, :] == labels[members][:, None]
            mine: F64 = (self.dense[members] * mates).sum(axis=1)
            return mine
        owner, col, val = self._gather(members)
        keep = labels[col] == labels[members[owner]]
        out = np.bincount(owner[keep], weights=val[keep], minlength=members.shape[0])
        return out.astype(np.float64, copy=False)


def _dense(owner: I64, col: I64, val: F64, rows: int, cols: int) -> F64:
    """Scatter-add (owner, col, val) triples into a rows x cols array (bincount is the fast
    scatter-add in numpy; np.add.at is several times slower)."""
    flat = np.bincount(owner * cols + col, weights=val, minlength=rows * cols)
    return flat.astype(np.float64, copy=False).reshape(rows, cols)
