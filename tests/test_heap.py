"""What `tst run` does to the garbage collector once started: start-up objects set aside,
everything made afterwards still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.heap import release, settle


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def settled() -> Iterator[int]:
    try:
        yield settle()
    finally:
        release()  # the rest of the suite runs with the collector as it was


def test_start_up_objects_are_set_aside_and_new_cycles_are_still_collected(
    settled: int,
) -> None:
    assert settled > 0
    assert all(o is not settle for o in gc.get_objects())  # made at import: set aside
    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: only the collector can free it
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is None


def test_stopping_hands_them_back() -> None:
    settle()
    release()
    assert gc.get_freeze_count() == 0
