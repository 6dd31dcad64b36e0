"""Turn a GroupingRequest into arrays: attribute codes, sizes, constraints and pair scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import comb

import numpy as np
import numpy.typing as npt

from bot.grouping.model import GroupingError, GroupingRequest
from bot.grouping.sparse import PairTable

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
MISSING = ""  # an undeclared value is one shared category, so it never looks like diversity


@dataclass(frozen=True, slots=True)
class Roster:
    """The request in index form; `codes[i, a]` is person i's value number on attribute a."""

    ids: tuple[str, ...]
    index: dict[str, int]
    attributes: tuple[str, ...]
    codes: I64
    weights: F64
    token_attrs: I64
    history: dict[tuple[int, int], int]
    apart: tuple[tuple[int, int], ...]
    together: tuple[tuple[int, int], ...]
    repeat_penalty: float
    token_penalty: float

    @property
    def n(self) -> int:
        return len(self.ids)


def encode(request: GroupingRequest) -> Roster:
    """Validate ids and constraints and index everything; raises GroupingError."""
    ids = tuple(p.id for p in request.people)
    index = {pid: i for i, pid in enumerate(ids)}
    if len(index) != len(ids):
        dup = sorted({pid for pid in ids if ids.count(pid) > 1})
        raise GroupingError("duplicate_person", f"people listed twice: {', '.join(dup)}")
    for name, w in request.weights.items():
        if not np.isfinite(w) or w < 0:
            raise GroupingError("invalid_weight", f"weight of {name!r} must be >= 0, got {w}")
    weighted = sorted(a for a, w in request.weights.items() if w > 0)
    attributes = tuple(weighted + sorted(set(request.no_singleton) - set(weighted)))
    codes = np.zeros((len(ids), len(attributes)), dtype=np.int64)
    for a, name in enumerate(attributes):
        values: dict[str, int] = {}
        for i, person in enumerate(request.people):
            value = person.attributes.get(name, MISSING)
            codes[i, a] = values.setdefault(value, len(values))
    weights = np.array([float(request.weights.get(a, 0.0)) for a in attributes])
    tokens = np.array([attributes.index(a) for a in sorted(set(request.no_singleton))], dtype=int)
    history: dict[tuple[int, int], int] = {}
    for past_round in request.history:
        for group in past_round:
            known = sorted(index[pid] for pid in set(group) if pid in index)
            for x, i in enumerate(known):
                for j in known[x + 1 :]:
                    history[(i, j)] = history.get((i, j), 0) + 1
    penalty = request.repeat_penalty
    return Roster(
        ids=ids,
        index=index,
        attributes=attributes,
        codes=codes,
        weights=weights,
        token_attrs=tokens.astype(np.int64),
        history=history,
        apart=_pairs(request.keep_apart, index, "keep_apart"),
        together=_pairs(request.keep_together, index, "keep_together"),
        repeat_penalty=float(weights.sum()) if penalty is None else float(penalty),
        token_penalty=float(request.token_penalty),
    )


def _pairs(
    pairs: Sequence[tuple[str, str]], index: dict[str, int], what: str
) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for a, b in pairs:
        for pid in (a, b):
            if pid not in index:
                raise GroupingError("unknown_person", f"{what} names {pid!r}, who is not listed")
        if a == b:
            raise GroupingError("invalid_pair", f"{what} pairs {a!r} with themselves")
        i, j = sorted((index[a], index[b]))
        out.append((i, j))
    return tuple(sorted(set(out)))


def target_sizes(n: int, size_min: int, size_max: int) -> I64:
    """Balanced sizes (differing by at most one) near the middle of [size_min, size_max]."""
    if size_min < 1 or size_max < size_min:
        raise GroupingError(
            "invalid_sizes", f"group sizes must satisfy 1 <= min <= max, got {size_min}..{size_max}"
        )
    if n < size_min or n == 0:
        raise GroupingError(
            "too_few_people", f"{n} people cannot form a group of at least {size_min}"
        )
    fewest, most = -(-n // size_max), n // size_min
    if fewest > most:
        raise GroupingError(
            "sizes_infeasible", f"{n} people cannot be split into groups of {size_min}-{size_max}"
        )
    middle = (size_min + size_max) / 2
    count = min(max(int(n / middle + 0.5), fewest), most)
    q, r = divmod(n, count)
    return np.array([q + 1] * r + [q] * (count - r), dtype=np.int64)


def clusters(roster: Roster) -> list[list[int]]:
    """Keep-together components (union-find), each sorted; singletons included."""
    parent = list(range(roster.n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in roster.together:
        parent[root(i)] = root(j)
    comps: dict[int, list[int]] = {}
    for i in range(roster.n):
        comps.setdefault(root(i), []).append(i)
    return list(comps.values())


def check_constraints(roster: Roster, sizes: I64) -> list[list[int]]:
    """Refuse contradictory constraints; return the keep-together components."""
    comps = clusters(roster)
    where = {i: c for c, comp in enumerate(comps) for i in comp}
    for i, j in roster.apart:
        if where[i] == where[j]:
            a, b = roster.ids[i], roster.ids[j]
            raise GroupingError(
                "conflicting_constraints",
                f"{a} and {b} must be kept apart but keep-together links them",
            )
    biggest = max(len(c) for c in comps)
    if biggest > int(sizes.max()):
        raise GroupingError(
            "keep_together_too_large",
            f"{biggest} people must stay together but groups hold at most {int(sizes.max())}",
        )
    return comps


def big_m(roster: Roster, sizes: I64) -> float:
    """A constraint weight larger than any swing of the soft objective."""
    pairs = int(sum(comb(int(s), 2) for s in sizes))
    soft = float(roster.weights.sum()) * pairs
    soft += roster.repeat_penalty * float(sum(roster.history.values()))
    soft += roster.token_penalty * int(sizes.max()) * len(sizes) * len(roster.token_attrs)
    return 1.0 + 2.0 * soft


def pair_table(roster: Roster, comps: list[list[int]], m: float) -> PairTable:
    """History penalty, keep-apart and keep-together (whole components) as sparse scores."""
    entries = [(i, j, -roster.repeat_penalty * h) for (i, j), h in roster.history.items()]
    entries += [(i, j, -m) for i, j in roster.apart]
    for comp in comps:
        entries += [(i, j, m) for x, i in enumerate(comp) for j in comp[x + 1 :]]
    return PairTable(roster.n, entries)


def initial_labels(
    roster: Roster, comps: list[list[int]], sizes: I64, rng: np.random.Generator
) -> I64:
    """Place keep-together components best-fit-decreasing, then singles at random, avoiding
    keep-apart conflicts whenever some group with room allows it."""
    room = sizes.copy()
    labels = np.full(roster.n, -1, dtype=np.int64)
    apart: dict[int, set[int]] = {}
    for i, j in roster.apart:
        apart.setdefault(i, set()).add(j)
        apart.setdefault(j, set()).add(i)
    order = [comps[k] for k in rng.permutation(len(comps))]
    # Components first (largest first), then people with keep-apart pairs, then the rest,
    # who just take the free seats in random order.
    order.sort(key=lambda comp: (len(comp), any(i in apart for i in comp)), reverse=True)
    free = [comp[0] for comp in order if len(comp) == 1 and comp[0] not in apart]
    for comp in order[: len(order) - len(free)]:
        fits = np.flatnonzero(room >= len(comp))
        if fits.size == 0:
            raise GroupingError(
                "conflicting_constraints",
                "the keep-together groups cannot be packed into groups of sizes "
                + "/".join(str(s) for s in sorted(set(sizes.tolist()))),
            )
        blocked = {int(labels[j]) for i in comp for j in apart.get(i, ()) if labels[j] >= 0}
        clean = [int(g) for g in fits if int(g) not in blocked] or [int(g) for g in fits]
        if len(comp) > 1:
            choice = min(clean, key=lambda g: (room[g], g))
        else:
            choice = clean[int(rng.integers(len(clean)))]
        labels[comp] = choice
        room[choice] -= len(comp)
    seats = rng.permutation(np.repeat(np.arange(len(sizes), dtype=np.int64), room))
    labels[np.array(free, dtype=np.int64)] = seats
    return labels
