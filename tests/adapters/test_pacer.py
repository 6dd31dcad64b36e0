"""The pacer of both platforms holds its rate when the event loop wakes callers late, never lets
more than one extra call through in any stretch of time, and paces each key on its own."""

from __future__ import annotations

import asyncio
import itertools

from bot.adapters.pacer import Pacer

INTERVAL = 0.05  # 20 DMs a second


class LateLoop:
    """Virtual time whose sleeps end `late` seconds after they should (a busy event loop)."""

    def __init__(self, late: float) -> None:
        self.now = 100.0
        self.late = late

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + self.late


async def paced(loop: LateLoop, calls: int, idle_every: int = 0) -> list[float]:
    pacer = Pacer(INTERVAL, loop.clock, loop.sleep)
    stamps = []
    for n in range(calls):
        if idle_every and n % idle_every == 0:
            loop.now += 1.0  # nothing to send for a second
        await pacer.wait()
        stamps.append(loop.now)
    return stamps


async def test_late_wake_ups_do_not_slow_the_rate_down() -> None:
    loop = LateLoop(late=0.4 * INTERVAL)
    stamps = await paced(loop, 200)
    # 200 calls take 199 intervals (plus the last wake-up's lateness), not 199 x 1.4.
    assert stamps[-1] - stamps[0] <= 199 * INTERVAL + loop.late + 1e-9


async def test_no_stretch_ever_holds_more_than_one_call_beyond_the_rate() -> None:
    for late in (0.0, 0.3 * INTERVAL, 0.9 * INTERVAL, 2.5 * INTERVAL):
        stamps = await paced(LateLoop(late), 120, idle_every=40)
        for i in range(len(stamps)):
            for j in range(i + 1, len(stamps)):
                calls = j - i + 1
                assert calls <= 2 + (stamps[j] - stamps[i]) / INTERVAL + 1e-6, (late, i, j)


async def test_on_time_calls_are_one_interval_apart_even_after_a_pause() -> None:
    stamps = await paced(LateLoop(late=0.0), 80, idle_every=40)
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= INTERVAL - 1e-9


async def test_callers_are_served_in_arrival_order() -> None:
    loop = LateLoop(late=0.01)
    pacer = Pacer(INTERVAL, loop.clock, loop.sleep)
    order: list[int] = []

    async def caller(n: int) -> None:
        await pacer.wait()
        order.append(n)

    await asyncio.gather(*(caller(n) for n in range(10)))
    assert order == list(range(10))


async def test_each_key_keeps_its_own_schedule() -> None:
    """Slack paces per channel: a message to one channel never waits for another's."""
    loop = LateLoop(late=0.0)
    pacer = Pacer(INTERVAL, loop.clock, loop.sleep)
    await pacer.wait("C1")
    await pacer.wait("C2")  # another channel: at once
    assert loop.now == 100.0
    await pacer.wait("C1")  # the same channel: one interval later
    assert loop.now == 100.0 + INTERVAL


async def test_no_interval_paces_nothing() -> None:
    loop = LateLoop(late=0.0)
    pacer = Pacer(0.0, loop.clock, loop.sleep)
    for _ in range(5):
        await pacer.wait("C1")
    assert loop.now == 100.0
