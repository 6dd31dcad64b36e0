"""Grouping state over categorical attributes: value counts per group, no N x N matrix.

The pair score is d(i, j) = sum_a w_a [x_ia != x_ja] + P(i, j), where the sparse P carries the
history penalty and the big-M terms of the hard constraints. A group-level token penalty
(a value held by exactly one member, on the no-singleton attributes) is tracked from counts.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bot.grouping.sparse import PairTable

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
NEG = -np.inf
SAME = -1e18  # marks "same group" in move tables; see search.INFEASIBLE


class CategoricalModel:
    """Assignment plus per-group value counts, a member table and each element's own score."""

    def __init__(
        self,
        codes: I64,
        weights: F64,
        pairs: PairTable,
        token_attrs: I64,
        token_penalty: float,
        labels: I64,
        lo: I64,
        hi: I64,
    ) -> None:
        self.n = int(codes.shape[0])
        self.g = int(lo.shape[0])
        self.lo, self.hi = lo, hi
        self.can_move = bool(np.any(lo < hi))
        offsets = np.concatenate(([0], np.cumsum(codes.max(axis=0) + 1)[:-1])).astype(np.int64)
        self.keys = codes + offsets  # global value column of (element, attribute)
        self.width = int(self.keys.max()) + 1 if self.keys.size else 0
        self.weights = weights
        self.total_weight = float(weights.sum())
        self.pairs = pairs
        self.token_keys = self.keys[:, token_attrs] if token_attrs.size else self.keys[:, :0]
        self.mu = token_penalty
        self.cap = int(hi.max())
        self.labels = labels.copy()
        self.reset(labels)

    # ----- state -------------------------------------------------------------------------
    def reset(self, labels: I64) -> None:
        """Load an assignment and rebuild counts, member table, own scores and the value."""
        self.labels[:] = labels
        self.sizes: I64 = np.bincount(labels, minlength=self.g).astype(np.int64)
        self.counts: F64 = np.zeros((self.g, self.width))
        for a in range(self.keys.shape[1]):
            np.add.at(self.counts, (labels, self.keys[:, a]), 1.0)
        self.slots = np.full((self.g, self.cap), -1, dtype=np.int64)
        self.pos = np.zeros(self.n, dtype=np.int64)
        fill = np.zeros(self.g, dtype=np.int64)
        for i, grp in enumerate(labels.tolist()):
            self.slots[grp, fill[grp]] = i
            self.pos[i] = fill[grp]
            fill[grp] += 1
        self.own = np.zeros(self.n)
        self._refresh_own(np.arange(self.n))
        tok = self.token_keys
        singles = sum(int(np.sum(self.counts[labels, tok[:, t]] == 1)) for t in range(tok.shape[1]))
        self.value = float(0.5 * self.own.sum() - self.mu * singles)

    def _refresh_own(self, members: I64) -> None:
        grp = self.labels[members]
        div = self.total_weight * self.sizes[grp]
        for a, w in enumerate(self.weights.tolist()):
            div = div - w * self.counts[grp, self.keys[members, a]]
        self.own[members] = div + self.pairs.to_own_group(members, self.labels)

    def _members(self, grp: int) -> I64:
        return self.slots[grp, : self.sizes[grp]]

    # ----- neighbourhood scan ------------------------------------------------------------
    def gains(self, rows: I64 | None) -> tuple[F64, F64 | None]:
        """Swap gains (rows x N) and move gains (rows x G); infeasible entries are hopeless."""
        rows = np.arange(self.n) if rows is None else rows
        r = np.arange(rows.shape[0])
        a = self.labels[rows]
        # Only O(rows x N x attributes) gathers: a one-hot matmul would cost O(values) per
        # pair, and a team attribute alone can have N/8 values.
        contrib = np.repeat(self.total_weight * self.sizes[None, :], rows.shape[0], axis=0)
        back = np.repeat(self.total_weight * self.sizes[a][:, None], self.n, axis=1)
        match = np.zeros((rows.shape[0], self.n))
        for t, w in enumerate(self.weights.tolist()):
            if w == 0:
                continue
            ku, kv = self.keys[rows, t], self.keys[:, t]
            contrib -= w * self.counts[:, ku].T
            back -= w * self.counts[a][:, kv]
            match += w * (ku[:, None] == kv[None, :])
        contrib += self.pairs.to_groups(rows, self.labels, self.g)
        move = contrib - contrib[r, a][:, None]
        token_move = np.zeros_like(move)
        for t in range(self.token_keys.shape[1]):
            c = self.counts[:, self.token_keys[rows, t]].T  # count of u's value in each group
            c_own = c[r, a][:, None]
            token_move += _tok_in(c) + _tok_out(c_own)
        move -= self.mu * token_move
        move[r, a] = SAME
        # Partner side: C[v, a] - own[v] with a the row's group, plus the pair term.
        back += self.pairs.to_members(self.slots[a], self.n)
        back -= self.own[None, :]
        swap = np.take(move, self.labels, axis=1) + back
        swap -= 2.0 * (self.total_weight - match)
        swap -= 2.0 * self.pairs.rows(rows, self.n)
        if self.token_keys.shape[1]:
            swap -= self.mu * self._token_swap(rows, a)
            # The move table's token term already counted u's side as a move; remove it.
            swap += self.mu * np.take(token_move, self.labels, axis=1)
        if not self.can_move:
            return swap, None
        mv = move
        mv[self.sizes[a] <= self.lo[a]] = NEG
        mv[:, self.sizes >= self.hi] = NEG
        return swap, mv

    def _token_swap(self, rows: I64, a: I64) -> F64:
        """Change in token cases for swapping each row u (group a) with every v (group b)."""
        total = np.zeros((rows.shape[0], self.n))
        b = self.labels
        for t in range(self.token_keys.shape[1]):
            xu, xv = self.token_keys[rows, t], self.token_keys[:, t]
            ca_u = self.counts[a, xu][:, None]
            cb_u = self.counts[:, xu].T[:, b]
            cb_v = self.counts[b, xv][None, :]
            ca_v = self.counts[a][:, xv]
            delta = _tok_out(ca_u) + _tok_in(cb_u) + _tok_out(cb_v) + _tok_in(ca_v)
            delta[xu[:, None] == xv[None, :]] = 0.0
            total += delta
        return total

    # ----- exact single steps --------------------------------------------------------------
    def swap_gain(self, u: int, v: int) -> float:
        """Exact gain of one swap from a handful of counts (no row scan)."""
        a, b = int(self.labels[u]), int(self.labels[v])
        if a == b:
            return SAME
        ku, kv = self.keys[u], self.keys[v]
        c = self.counts
        moved = c[b, ku] - c[a, ku] + c[a, kv] - c[b, kv]
        gain = -float(self.weights @ moved)
        gain -= 2.0 * (self.total_weight - float(self.weights @ (ku == kv)))
        gain += self._pair_shift(u, a, b) + self._pair_shift(v, b, a) - 2.0 * self.pairs.get(u, v)
        for t in range(self.token_keys.shape[1]):
            xu, xv = int(self.token_keys[u, t]), int(self.token_keys[v, t])
            if xu != xv:
                delta = _out(c[a, xu]) + _in(c[b, xu]) + _out(c[b, xv]) + _in(c[a, xv])
                gain -= self.mu * delta
        return gain

    def move_gain(self, u: int, h: int) -> float:
        """Exact gain of moving u to group h, or -inf when the sizes forbid it."""
        a = int(self.labels[u])
        if a == h or self.sizes[a] <= self.lo[a] or self.sizes[h] >= self.hi[h]:
            return NEG
        ku, c = self.keys[u], self.counts
        gain = self.total_weight * float(self.sizes[h] - self.sizes[a])
        gain -= float(self.weights @ (c[h, ku] - c[a, ku]))
        gain += self._pair_shift(u, a, h)
        for t in range(self.token_keys.shape[1]):
            x = int(self.token_keys[u, t])
            gain -= self.mu * (_out(c[a, x]) + _in(c[h, x]))
        return gain

    def _pair_shift(self, u: int, src: int, dst: int) -> float:
        """Change in u's pair terms when u leaves group src for group dst."""
        cols, vals = self.pairs.row(u)
        if cols.size == 0:
            return 0.0
        where = self.labels[cols]
        return float(vals[where == dst].sum() - vals[where == src].sum())

    def swap(self, u: int, v: int) -> None:
        gain = self.swap_gain(u, v)
        a, b = int(self.labels[u]), int(self.labels[v])
        ku, kv = self.keys[u], self.keys[v]
        self.counts[a, ku] -= 1.0
        self.counts[a, kv] += 1.0
        self.counts[b, kv] -= 1.0
        self.counts[b, ku] += 1.0
        self.labels[u], self.labels[v] = b, a
        pu, pv = int(self.pos[u]), int(self.pos[v])
        self.slots[a, pu], self.slots[b, pv] = v, u
        self.pos[u], self.pos[v] = pv, pu
        self._refresh_own(np.concatenate((self._members(a), self._members(b))))
        self.value += gain

    def move(self, u: int, h: int) -> None:
        gain = self.move_gain(u, h)
        a = int(self.labels[u])
        self.counts[a, self.keys[u]] -= 1.0
        self.counts[h, self.keys[u]] += 1.0
        last = int(self.slots[a, self.sizes[a] - 1])
        self.slots[a, self.pos[u]] = last
        self.pos[last] = self.pos[u]
        self.slots[a, self.sizes[a] - 1] = -1
        self.slots[h, self.sizes[h]] = u
        self.pos[u] = self.sizes[h]
        self.labels[u] = h
        self.sizes[a] -= 1
        self.sizes[h] += 1
        self._refresh_own(np.concatenate((self._members(a), self._members(h))))
        self.value += gain


def _in(c: float) -> float:
    return float(c == 0) - float(c == 1)


def _out(c: float) -> float:
    return float(c == 2) - float(c == 1)


def _tok_in(c: F64) -> F64:
    """Token change when one more member with this value joins a group holding c of them."""
    out: F64 = (c == 0).astype(np.float64) - (c == 1)
    return out


def _tok_out(c: F64) -> F64:
    """Token change when one member with this value leaves a group holding c of them."""
    out: F64 = (c == 2).astype(np.float64) - (c == 1)
    return out
