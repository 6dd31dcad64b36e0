"""Pacer: at most one call per interval and per key, in arrival order, for both platforms."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable


class Pacer:
    """At most one call per `interval` seconds on average for each key, in arrival order:
    Slack's "about one message per second" per channel, Discord's DM fan-out well under its
    global 50/s and its undocumented DM anti-spam (one key for all). The schedule is kept,
    not restarted from each wake-up: a caller woken late (a busy event loop) leaves the next
    one less to wait, so late wake-ups do not add up to a slower rate. Two calls may then
    come closer than `interval`, never more than `2 + elapsed / interval` in a stretch. An
    interval of 0 or less paces nothing."""

    def __init__(
        self,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._next: dict[Hashable, float] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}

    async def wait(self, key: Hashable = None) -> None:
        """Returns when a call on `key` may go."""
        if self.interval <= 0:
            return
        async with self._locks.setdefault(key, asyncio.Lock()):
            delay = self._next.get(key, 0.0) - self.clock()
            if delay > 0:
                await self.sleep(delay)
                self._next[key] += self.interval  # on schedule, however late this wake-up was
            else:  # idle (or more than an interval behind): the schedule starts again now
                self._next[key] = self.clock() + self.interval
