"""General MDGP mode: read MDGPLIB instances and solve them with the shared search."""

from __future__ import annotations

import gzip
import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.grouping.tabu import Clock, TabuParams, search_mdgp

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class MdgpInstance:
    """n elements, a symmetric distance matrix and one size interval per group."""

    name: str
    dist: F64
    lo: I64
    hi: I64

    @property
    def n(self) -> int:
        return int(self.dist.shape[0])

    @property
    def groups(self) -> int:
        return int(self.lo.shape[0])


def read_instance(path: str | Path) -> MdgpInstance:
    """Parse the MDGPLIB text format (header `n G ss|ds lo hi ...`, then `i j d` lines), plain
    or gzip-compressed (`.gz`). A file that is not one raises ValueError saying what is wrong,
    in one line."""
    path = Path(path)
    with io.StringIO(_read_text(path)) as handle:
        header = handle.readline().split()
        try:
            n, g = int(header[0]), int(header[1])
            bounds = np.array([int(x) for x in header[3 : 3 + 2 * g]], dtype=np.int64)
        except (IndexError, ValueError):
            raise ValueError("header must read `n G ss|ds lo hi ...` with whole numbers") from None
        try:
            body = np.loadtxt(handle, dtype=np.float64, ndmin=2)
        except ValueError as error:
            raise ValueError(f"a line is not `i j distance`: {error}") from None
    if n < 1 or g < 1 or bounds.shape[0] != 2 * g:
        raise ValueError(f"header has {bounds.shape[0]} bounds, expected {2 * max(g, 0)}")
    lo, hi = bounds[0::2].copy(), bounds[1::2].copy()
    if np.any(lo < 1) or np.any(lo > hi) or lo.sum() > n or hi.sum() < n:
        raise ValueError(f"group sizes {lo.tolist()}..{hi.tolist()} cannot hold {n} elements")
    dist = np.zeros((n, n))
    if body.size:
        if body.shape[1] != 3:
            raise ValueError("each line after the header must be `i j distance`")
        i, j = body[:, 0].astype(np.int64), body[:, 1].astype(np.int64)
        outside = (i < 0) | (i >= n) | (j < 0) | (j >= n)
        if outside.any():
            row = int(np.argmax(outside))
            raise ValueError(f"element {max(i[row], j[row])} outside 0..{n - 1}")
        if not np.all(np.isfinite(body[:, 2])):
            raise ValueError(
                f"{body[np.argmax(~np.isfinite(body[:, 2])), 2]} is not a finite distance"
            )
        dist[i, j] = body[:, 2]
        dist[j, i] = body[:, 2]
    return MdgpInstance(instance_name(path), dist, lo, hi)


def instance_name(path: Path) -> str:
    """`RanInt_n120_ds_01` for `RanInt_n120_ds_01.txt` and `RanInt_n120_ds_01.txt.gz`."""
    name = path.name
    for suffix in (".gz", ".txt"):
        name = name.removesuffix(suffix)
    return name


def _read_text(path: Path) -> str:
    if path.suffix != ".gz":
        return path.read_text()
    try:
        return gzip.decompress(path.read_bytes()).decode()
    except (gzip.BadGzipFile, EOFError) as error:
        raise ValueError(f"not a readable gzip file ({error})") from None


def objective(instance: MdgpInstance, labels: list[int] | I64) -> float:
    """Sum of d(i, j) over the unordered pairs that share a group."""
    lab = np.asarray(labels, dtype=np.int64)
    same = lab[:, None] == lab[None, :]
    return float(np.triu(instance.dist * same, 1).sum())


def is_feasible(instance: MdgpInstance, labels: list[int] | I64) -> bool:
    lab = np.asarray(labels, dtype=np.int64)
    if lab.shape != (instance.n,) or lab.min() < 0 or lab.max() >= instance.groups:
        return False
    sizes = np.bincount(lab, minlength=instance.groups)
    return bool(np.all(sizes >= instance.lo) and np.all(sizes <= instance.hi))


def most_pairs_sizes(lo: I64, hi: I64, n: int, rng: np.random.Generator) -> I64:
    """Group sizes within [lo, hi] summing to n with the most within-group pairs, sum C(s, 2).

    With non-negative distances every extra pair adds value, and TPSDP's best `ds` solutions
    all sit on (or one pair from) this maximum, so the search starts there instead of on random
    sizes; its moves then leave it where that pays (RanInt_n120_ds_02: 51,439 on sizes
    8..16, above TPSDP's 51,372). Exact DP over (groups, elements placed); random tie-breaks.
    """
    g = int(lo.shape[0])
    if int(lo.sum()) > n or int(hi.sum()) < n:
        raise ValueError(f"group sizes {lo.tolist()}..{hi.tolist()} cannot hold {n} elements")
    worst = np.iinfo(np.int64).min // 4
    table = np.full((g + 1, n + 1), worst, dtype=np.int64)  # best pairs for k groups, t placed
    table[0, 0] = 0
    for k in range(g):
        for s in range(int(lo[k]), int(hi[k]) + 1):
            cand = table[k, : n + 1 - s] + s * (s - 1) // 2
            np.maximum(table[k + 1, s:], cand, out=table[k + 1, s:])
    sizes = np.zeros(g, dtype=np.int64)
    left = n
    for k in range(g - 1, -1, -1):  # walk back, picking one optimal size per group at random
        options = [
            s
            for s in range(int(lo[k]), min(int(hi[k]), left) + 1)
            if table[k, left - s] > worst
            and table[k, left - s] + s * (s - 1) // 2 == table[k + 1, left]
        ]
        sizes[k] = options[int(rng.integers(len(options)))]
        left -= int(sizes[k])
    return sizes


def random_feasible(instance: MdgpInstance, rng: np.random.Generator) -> I64:
    """A random assignment whose group sizes have the most within-group pairs."""
    sizes = most_pairs_sizes(instance.lo, instance.hi, instance.n, rng)
    labels = np.repeat(np.arange(instance.groups, dtype=np.int64), sizes)
    return rng.permutation(labels)


def solve(
    instance: MdgpInstance,
    seconds: float,
    seed: int = 0,
    params: TabuParams | None = None,
    clock: Clock = time.perf_counter,
) -> tuple[float, list[int]]:
    """Best objective found within `seconds` of `clock`, and the 0-based group of each element."""
    rng = np.random.default_rng(seed)
    start = random_feasible(instance, rng)
    dist, lo, hi = instance.dist, instance.lo, instance.hi
    result = search_mdgp(dist, lo, hi, start, seconds, seed, params, clock)
    labels = result.labels.tolist()
    return objective(instance, labels), labels
