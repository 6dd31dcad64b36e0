"""Turns: one person's inputs reach the runner in the order they arrived, acks still at once."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Iterator
from contextlib import contextmanager


class Turns:
    """A platform hands each input its own task; the ack (a network round trip) comes first,
    so a person's second command can reach the runner before their first: `invite` before
    the `start` that makes the intervention. `take` is entered as the input arrives, before
    any await, and reserves its place in the person's line; the work waits inside the block
    for the one before it, never the ack. Different people never wait for each other."""

    def __init__(self) -> None:
        self._last: dict[Hashable, asyncio.Future[None]] = {}

    @contextmanager
    def take(self, person: Hashable) -> Iterator[Turn]:
        before = self._last.get(person)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last[person] = mine
        try:
            yield Turn(before)
        finally:
            mine.set_result(None)
            if self._last.get(person) is mine:
                del self._last[person]

    @property
    def people_waiting(self) -> int:
        """People with an input in progress (for tests: nothing is left behind)."""
        return len(self._last)


class Turn:
    """A place in a person's line: `ready()` returns once the input before it is finished."""

    def __init__(self, before: asyncio.Future[None] | None) -> None:
        self._before = before

    async def ready(self) -> None:
        if self._before is not None and not self._before.done():
            await asyncio.shield(self._before)
