"""Copy-on-write mappings: a change costs the change, the old map stays as it was, and what
changed between two versions is found without comparing every entry."""

from __future__ import annotations

import random
from collections.abc import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.overlay import FOLD_AT, Overlay, changes, lookup, put, put_all, related, without

KEYS = st.integers(0, 300)  # past FOLD_AT distinct keys: the folds are exercised too
# (key, value) to set, or (key, None) to remove
STEPS = st.lists(st.tuples(KEYS, st.one_of(st.none(), st.integers(0, 3))), max_size=600)


def apply(m: Mapping[int, int], step: tuple[int, int | None]) -> Mapping[int, int]:
    key, value = step
    return without(m, (key,)) if value is None else put(m, key, value)


def naive(before: Mapping[int, int], after: Mapping[int, int]) -> tuple[dict[int, int], set[int]]:
    changed = {k: v for k, v in after.items() if k not in before or before[k] != v}
    return changed, {k for k in before if k not in after}


@given(STEPS, st.integers(0, 399))
@settings(max_examples=300)
def test_an_overlay_holds_what_a_dict_would_and_old_versions_do_not_move(
    steps: list[tuple[int, int | None]], cut: int
) -> None:
    plain: dict[int, int] = {k: k for k in range(10)}
    versions: list[tuple[Mapping[int, int], dict[int, int]]] = []
    m: Mapping[int, int] = dict(plain)
    for step in steps:
        m = apply(m, step)
        key, value = step
        if value is None:
            plain.pop(key, None)
        else:
            plain[key] = value
        versions.append((m, dict(plain)))
        assert dict(m.items()) == plain and len(m) == len(plain)
        assert m == plain and plain == m
        assert all((k in m) == (k in plain) for k in range(-1, 302))
    for version, expected in versions:  # every earlier version still reads as it did
        assert dict(version.items()) == expected


@given(STEPS, st.integers(0, 400))
@settings(max_examples=300)
def test_changes_between_two_versions_are_what_a_full_comparison_finds(
    steps: list[tuple[int, int | None]], cut: int
) -> None:
    m: Mapping[int, int] = {k: k for k in range(10)}
    history = [m]
    for step in steps:
        m = apply(m, step)
        history.append(m)
    before = history[min(cut, len(history) - 1)]
    changed, removed = changes(before, m)
    assert (changed, set(removed)) == naive(before, m)


def test_without_removals_the_order_is_a_dicts() -> None:
    m: Mapping[str, int] = {"b": 1, "a": 2}
    for key in ["c", "a", "d"] * 100:
        m = put(m, key, len(key))
    assert list(m) == ["b", "a", "c", "d"]


class Counted:
    """A value that counts how often it is compared."""

    compared = 0

    def __init__(self, n: int) -> None:
        self.n = n

    def __eq__(self, other: object) -> bool:
        Counted.compared += 1
        return isinstance(other, Counted) and other.n == self.n

    __hash__ = None  # type: ignore[assignment]


def test_one_change_among_ten_thousand_compares_at_most_the_delta() -> None:
    group: Mapping[int, Counted] = {i: Counted(i) for i in range(10_000)}
    # A kept copy that went through many events, past a fold, then one more change.
    for i in range(FOLD_AT * 3 + 5):
        group = put(group, i % 500, Counted(-i))
    before = group
    after = put(before, 9_999, Counted(7))
    Counted.compared = 0
    changed, removed = changes(before, after)
    assert list(changed) == [9_999] and not removed
    assert Counted.compared <= FOLD_AT + 1
    assert related(before, after)


def test_unrelated_maps_are_compared_entry_by_entry() -> None:
    a = {i: Counted(i) for i in range(50)}
    b = {i: Counted(i) for i in range(50)}
    Counted.compared = 0
    assert changes(a, put(b, 3, Counted(-3))) == ({3: put(b, 3, Counted(-3))[3]}, [])
    assert not related(a, put(b, 3, Counted(-3)))
    assert Counted.compared >= 49


def test_an_overlay_is_read_only_and_unhashable() -> None:
    m = put({1: 1}, 2, 2)
    assert isinstance(m, Overlay)
    assert not hasattr(m, "__setitem__")
    assert put_all(m, []) == {1: 1, 2: 2}


class Watched(dict[int, int]):
    """A dict that counts how often it is walked through (a copy walks it)."""

    walked = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        Watched.walked += 1
        return super().__iter__()

    def keys(self):  # type: ignore[no-untyped-def]
        Watched.walked += 1
        return super().keys()


def test_a_change_does_not_copy_the_map() -> None:
    m: Mapping[int, int] = Watched({i: i for i in range(10_000)})
    Watched.walked = 0
    for i in range(FOLD_AT):
        m = put(m, i, -i)
    assert m[5] == -5 and len(m) == 10_000
    assert Watched.walked == 0


def parity(value: int) -> int:
    return value % 2


@given(STEPS, st.integers(0, 400))
@settings(max_examples=300)
def test_lookup_finds_what_a_filter_finds_in_every_version(
    steps: list[tuple[int, int | None]], probe: int
) -> None:
    m: Mapping[int, int] = {k: k for k in range(10)}
    versions = [m]
    for step in steps:
        m = apply(m, step)
        versions.append(m)
        if len(versions) % 7 == 0:  # indexes are built along the way, then moved on by folds
            lookup(m, parity, 0)
    for version in (versions[min(probe, len(versions) - 1)], m):
        for group in (0, 1):
            expected = sorted(v for v in version.values() if v % 2 == group)
            assert sorted(lookup(version, parity, group)) == expected


def test_a_lookup_after_many_changes_reads_its_group_not_the_map() -> None:
    calls = 0

    def odd(value: int) -> bool:
        nonlocal calls
        calls += 1
        return value % 2 == 1

    m: Mapping[int, int] = {i: i for i in range(10_000)}
    m = put(m, 0, 0)
    lookup(m, odd, True)  # the first lookup of a loaded map builds the index once
    for i in range(FOLD_AT * 3):  # three folds into new bases
        m = put(m, 10_000 + i, 7)
    calls = 0
    assert len(lookup(m, odd, True)) == 5_000 + FOLD_AT * 3
    assert calls <= FOLD_AT * 4  # the changes since, never the 10,000 entries


def test_long_histories_with_folds_keep_changes_and_lookups_exact() -> None:
    for seed in range(20):
        rng = random.Random(seed)
        m: Mapping[int, int] = {k: k for k in range(300)}
        versions = [m]
        for n in range(1_500):
            key = rng.randrange(400)
            m = without(m, (key,)) if rng.random() < 0.1 else put(m, key, rng.randrange(4))
            versions.append(m)
            if n % 50 == 0:
                lookup(m, parity, 1)
        for before in (versions[rng.randrange(len(versions))], versions[-2]):
            changed, removed = changes(before, m)
            assert (changed, set(removed)) == naive(before, m)
        for group in (0, 1):
            assert sorted(lookup(m, parity, group)) == sorted(
                v for v in m.values() if v % 2 == group
            )
