"""Copy-on-write mappings: changing one entry of a 10,000-entry map costs O(1), not a copy.

The engine is pure: an event returns a new aggregate and leaves the old one as it was. With
plain dicts, recording one answer or one person's language copied the whole participants (or
answers) map, and the store then compared every entry of the two copies to find the one row
to write: one answer cost O(group size). An `Overlay` is an immutable mapping made of a
shared `base` that nobody mutates and a small `delta` of what changed since that base, so a
change copies only the delta, and `changes(before, after)` finds what an event changed by
reading the deltas, not the maps. When the delta has grown past a bound it is folded into a
new base once (a dict copy, fast even at 10,000), and the new map remembers which keys the
fold covered, so the next diff is still read from deltas.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, ItemsView, Iterable, Iterator, Mapping, ValuesView
from typing import Any, Final, TypeVar, cast

K = TypeVar("K")
V = TypeVar("V")
H = TypeVar("H", bound=Hashable)
# Per base, per grouping function: the keys of the base's entries by group (see `lookup`).
Indexes = dict[Callable[[Any], Any], dict[Any, tuple[Any, ...]]]

# A delta larger than this is folded into a new base: copying a dict is a memcpy-like loop,
# while a long delta is copied on every change and read on every diff.
FOLD_AT: Final = 128


class Gone:
    """Marks a key removed since the base (a value never stored in a map)."""

    __slots__ = ()


GONE: Final = Gone()


class Overlay(Mapping[K, V]):
    """An immutable mapping: `base` (shared, never mutated) with `delta` applied on top.

    Iteration follows the base's order, then keys added since, as a dict would (a key removed
    and added again keeps its first place)."""

    __slots__ = ("_base", "_delta", "_folded", "_indexes", "_len")

    def __init__(
        self,
        base: Mapping[K, V],
        delta: Mapping[K, V | Gone] | None = None,
        folded: tuple[Mapping[K, V], tuple[K, ...]] | None = None,
        indexes: Indexes | None = None,
    ) -> None:
        self._base = base
        self._delta: Mapping[K, V | Gone] = delta or {}
        # (the base this one was folded from, the keys changed since that base)
        self._folded = folded
        # Shared by every overlay of this base (the base never changes, nor do they).
        self._indexes: Indexes = {} if indexes is None else indexes
        size = len(base)
        for key, value in self._delta.items():
            # a key new to the base counts one more, a removed one one less (both: neither)
            size += (key not in base) - (value is GONE)
        self._len = size

    def __getitem__(self, key: K) -> V:
        if key in self._delta:
            value = self._delta[key]
            if value is GONE:
                raise KeyError(key)
            return cast(V, value)
        return self._base[key]

    def __contains__(self, key: object) -> bool:
        if key in self._delta:
            return self._delta[key] is not GONE  # type: ignore[index]
        return key in self._base

    def get(self, key: K, default: Any = None) -> Any:
        if key in self._delta:
            value = self._delta[key]
            return default if value is GONE else value
        return self._base.get(key, default)

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[K]:
        delta = self._delta
        if not delta:
            yield from self._base
            return
        for key in self._base:
            if key not in delta or delta[key] is not GONE:
                yield key
        for key, value in delta.items():
            if key not in self._base and value is not GONE:
                yield key

    def items(self) -> ItemsView[K, V]:
        return _Items(self)

    def values(self) -> ValuesView[V]:
        return _Values(self)

    def _pairs(self) -> Iterator[tuple[K, V]]:
        delta, base = self._delta, self._base
        if not delta:
            yield from base.items()
            return
        for key, value in base.items():
            if key not in delta:
                yield key, value
            elif (changed := delta[key]) is not GONE:
                yield key, cast(V, changed)
        for key, changed in delta.items():
            if key not in base and changed is not GONE:
                yield key, cast(V, changed)

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Mapping):
            return NotImplemented
        if len(self) != len(other):
            return False
        keys = _touched(self, other)
        if keys is None:  # no shared base: entry by entry
            return all(k in other and _same(other[k], v) for k, v in self.items())
        return all(_same(self.get(k, GONE), other.get(k, GONE)) for k in keys)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Overlay({dict(self.items())!r})"


class _Items(ItemsView[K, V]):
    _mapping: Overlay[K, V]

    def __iter__(self) -> Iterator[tuple[K, V]]:
        return self._mapping._pairs()


class _Values(ValuesView[V]):
    _mapping: Overlay[Any, V]

    def __iter__(self) -> Iterator[V]:
        return (value for _, value in self._mapping._pairs())


def _parts(m: Mapping[K, V]) -> tuple[Mapping[K, V], Mapping[K, Any], Any]:
    if isinstance(m, Overlay):
        return m._base, m._delta, m._folded
    return m, {}, None


def _touched(a: Mapping[K, Any], b: Mapping[K, Any]) -> Iterable[K] | None:
    """The keys whose entries may differ between `a` and `b`, read from their deltas, or
    None when they share no base (then only a full comparison can tell). In the order they
    were changed (rows are then written in a stable order)."""
    base_a, delta_a, folded_a = _parts(a)
    base_b, delta_b, folded_b = _parts(b)
    if base_a is base_b:
        return dict.fromkeys([*delta_b, *delta_a])
    if folded_a is not None and folded_a[0] is base_b:
        return dict.fromkeys([*folded_a[1], *delta_b, *delta_a])
    if folded_b is not None and folded_b[0] is base_a:
        return dict.fromkeys([*folded_b[1], *delta_a, *delta_b])
    return None


def _same(a: object, b: object) -> bool:
    return a is b or a == b


def put(m: Mapping[K, V], key: K, value: V) -> Mapping[K, V]:
    """`m` with `key` set to `value`; `m` itself is unchanged (and must never be mutated)."""
    return put_all(m, ((key, value),))


def put_all(m: Mapping[K, V], entries: Iterable[tuple[K, V | Gone]]) -> Mapping[K, V]:
    """`m` with each entry set (GONE removes the key); O(delta), not O(len(m))."""
    base, delta, _ = _parts(m)
    changed: dict[K, V | Gone] = {**delta}
    for key, value in entries:
        changed[key] = value
    indexes = m._indexes if isinstance(m, Overlay) else None
    if len(changed) <= FOLD_AT:
        return Overlay(base, changed, m._folded if isinstance(m, Overlay) else None, indexes)
    # Fold: a new base, remembering which keys changed since the old one for `changes`, and
    # the old base's indexes moved on by the same changes (not rebuilt from every entry).
    merged = dict(base)
    for key, value in changed.items():
        if value is GONE:
            merged.pop(key, None)
        else:
            merged[key] = cast(V, value)
    moved = {by: _moved(index, by, base, changed) for by, index in (indexes or {}).items()}
    return Overlay(merged, None, (base, tuple(changed)), moved)


def _moved(
    index: dict[Any, tuple[Any, ...]],
    by: Callable[[Any], Any],
    base: Mapping[Any, Any],
    changed: Mapping[Any, Any],
) -> dict[Any, tuple[Any, ...]]:
    out = dict(index)
    for key, value in changed.items():
        if key in base:
            group = by(base[key])
            out[group] = tuple(k for k in out[group] if k != key)
        if value is not GONE:
            group = by(value)
            out[group] = (*out.get(group, ()), key)
    return out


def lookup(m: Mapping[K, V], by: Callable[[V], H], group: H) -> list[V]:
    """The entries `e` of `m` with `by(e) == group` (for instance one author's answers in one
    round): O(entries found + delta) once the base's index exists; it is built on the first
    lookup after a load (O(len)) and then moved on with each fold, never rebuilt."""
    if not isinstance(m, Overlay):
        return [value for value in m.values() if by(value) == group]
    index = m._indexes.get(by)
    if index is None:
        built: dict[Any, list[K]] = {}
        for key, value in m._base.items():
            built.setdefault(by(value), []).append(key)
        index = m._indexes[by] = {g: tuple(keys) for g, keys in built.items()}
    delta, base = m._delta, m._base
    found = [base[k] for k in index.get(group, ()) if k not in delta]
    found += [cast(V, v) for v in delta.values() if v is not GONE and by(cast(V, v)) == group]
    return found


def without(m: Mapping[K, V], keys: Iterable[K]) -> Mapping[K, V]:
    """`m` without these keys."""
    return put_all(m, ((k, GONE) for k in keys if k in m))


def related(before: Mapping[K, Any], after: Mapping[K, Any]) -> bool:
    """Whether `changes(before, after)` reads deltas (True) or must compare every entry."""
    return _touched(before, after) is not None


def changes(before: Mapping[K, V], after: Mapping[K, V]) -> tuple[dict[K, V], list[K]]:
    """What changed from `before` to `after`: (new or changed entries, removed keys). Read
    from the deltas when `after` was made from `before` by `put`, `put_all` or `without`
    (O(changes)); else a full comparison (O(len), as for two unrelated maps)."""
    touched = _touched(before, after)
    keys: Iterable[K] = (
        touched if touched is not None else [*after, *(k for k in before if k not in after)]
    )
    changed: dict[K, V] = {}
    removed: list[K] = []
    for key in keys:
        old, new = before.get(key, GONE), after.get(key, GONE)
        if _same(old, new):
            continue
        if new is GONE:
            removed.append(key)
        else:
            changed[key] = cast(V, new)
    return changed, removed
