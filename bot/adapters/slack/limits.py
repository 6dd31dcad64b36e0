"""Slack's rate limits as the port keeps them: per-channel pacing, Retry-After gates, and the
per-method budget learned from 429s."""

from __future__ import annotations

import asyncio
import bisect
import dataclasses
import time
from collections.abc import Callable, Mapping

Key = tuple[str, str]  # (workspace, method): Slack counts "per API method per workspace"
# Calls per minute Slack guarantees at least, by method: its tiers are floors (Tier 2 = 20+,
# Tier 3 = 50+, Tier 4 = 100+; docs.slack.dev/apis/web-api/rate-limits, tiers per method in
# PLATFORMS.md 1.7). chat.postMessage is "Special", "several hundred per minute" per
# workspace: Tier 4's floor is the cautious reading. A budget is never learned below these:
# a 429 seen by a process that sent little (another of our processes used the workspace's
# budget, or Slack had a hiccup) must not leave it crawling for minutes.
TIER_FLOORS: dict[str, int] = {
    "chat.postMessage": 100,
    "chat.update": 50,
    "conversations.open": 50,
    "conversations.invite": 50,
    "conversations.create": 20,
    "conversations.list": 20,
    "conversations.archive": 20,
    "conversations.close": 20,
}
# Where a budget starts before Slack refused anything: the documented rate of each method, so
# a first cold round is paced from its first call instead of paying its 429s to learn it.
# chat.postMessage's "several hundred messages per minute" per workspace is read as three
# hundred (PERFORMANCE.md B1); the tiers' "+" and Slack's bursts are found by the probes
# below, and a 429 still lowers a start that was too high (never under the floor).
TIER_STARTS: dict[str, int] = {**TIER_FLOORS, "chat.postMessage": 300}
PROBE_AFTER = 3  # windows at a learned budget without a 429 before trying one call more
# A probe Slack refused means the budget sits at its limit: the next waits twice as long,
# up to this many windows, so a long round at the limit pays a 429 rarely, not every few.
PROBE_AFTER_MAX = 48
# A documented start is held half an hour before its first probe: a first round goes at the
# documented rate without paying 429s, and a long-running process still finds Slack's "+".
START_HOLD = 30


class ChannelPacer:
    """chat.postMessage allows about one message per second per channel: wait our turn."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def turn(self, channel: str) -> None:
        if self.interval <= 0:
            return
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            now = time.monotonic()
            due = self._next.get(channel, now)
            if due > now:
                await asyncio.sleep(due - now)
            self._next[channel] = max(due, now) + self.interval


class MethodGate:
    """What the 429s taught: per (workspace, method), no call before the last Retry-After ends.
    Callers that would wait at most `max_wait` seconds wait here (and retry) instead of going
    back to the dispatcher, which counts every claim as an attempt."""

    def __init__(self, max_wait: float) -> None:
        self.max_wait = max_wait
        self._until: dict[Key, float] = {}
        self._lines: dict[Key, asyncio.Lock] = {}
        self._limited_at: dict[Key, float] = {}

    def line(self, key: Key) -> asyncio.Lock:
        """Where callers that found the gate shut wait their turn: each tries alone once it
        opens, so a limit that frees one call at a time costs one 429 at most, not one per
        waiting caller."""
        return self._lines.setdefault(key, asyncio.Lock())

    def block(self, key: Key, seconds: float) -> None:
        now = time.monotonic()
        self._until[key] = max(self._until.get(key, 0.0), now + seconds)
        self._limited_at[key] = now

    def hot(self, key: Key) -> bool:
        """Refused within the last `max_wait` seconds: the limit is near, calls go in line."""
        return time.monotonic() - self._limited_at.get(key, -1e9) < self.max_wait

    def remaining(self, key: Key) -> float:
        return max(0.0, self._until.get(key, 0.0) - time.monotonic())


@dataclasses.dataclass
class _Budget:
    """What one (workspace, method) has learned, and the stamps it learns from."""

    capacity: int | None = None  # calls per window; None: nothing known, nothing held back
    step: int = 1  # the next raise; doubles while raises hold, back to 1 on a refusal
    climbing: bool = False  # the last change was a raise (not a refusal)
    changed_at: float = 0.0
    probe_after: float = PROBE_AFTER  # windows held before the next raise
    sent: list[float] = dataclasses.field(default_factory=list)  # send times, for the pacing
    # When accepted calls came back: Slack counts calls as they arrive, and under load they
    # do not arrive in the order they went.
    accepted: list[float] = dataclasses.field(default_factory=list)


class LearnedBudget:
    """How many calls of a method Slack accepts per window (a minute) in a workspace, learned
    from its refusals. A method starts at its documented rate (`starts`; one with none goes
    as its calls come until the first 429); a 429 sets the budget to the calls accepted in
    the window before it (never below the tier's floor); a call waits for a free place
    among those.

    A budget learned low (a burst allowance that ended, another process of ours sharing the
    workspace) must not stay low: after a few windows spent at the budget without a refusal
    it grows by one, then by 2, 4, 8... a window apart while each raise holds, and back to
    one at a time after a refusal. Held at Slack's limit, that costs one refused call every
    few windows."""

    def __init__(
        self,
        window: float,
        floors: Mapping[str, int] = TIER_FLOORS,
        clock: Callable[[], float] = time.monotonic,
        learning: bool = True,
        starts: Mapping[str, int] = TIER_STARTS,
    ) -> None:
        self.window = window  # Slack's minute, or the bench's time-scaled one
        self.floors = floors  # per window, by method; 1 for a method not listed
        self.starts = starts  # per window, by method, before any refusal
        self.clock = clock
        # Off, nothing is counted or learned and no call waits (a port that leaves every
        # wait to the dispatcher).
        self.learning = learning
        self._budgets: dict[Key, _Budget] = {}

    def capacity(self, key: Key) -> int | None:
        """Calls per window for `key`: its start, or what was learned; None when neither."""
        return self._budget(key).capacity

    def pause(self, key: Key) -> float:
        """Seconds until a call on `key` fits in its budget (0: it may go now)."""
        b = self._budget(key)
        if b.capacity is None:  # nothing learned yet, or not learning
            return 0.0
        now = self.clock()
        sent = self._kept(b.sent, now)
        # One place is kept free: a call that takes longer than the one before it to reach
        # Slack lands in the same window as the calls after it.
        places = max(1, b.capacity - 1)
        held = self.window if b.climbing else b.probe_after * self.window
        if len(sent) >= places and now - b.changed_at >= held:
            b.capacity += b.step
            b.step *= 2
            b.climbing, b.changed_at = True, now
            places = b.capacity - 1
        if len(sent) < places:
            return 0.0
        return sent[len(sent) - places] + self.window - now

    def take(self, key: Key) -> float:
        """Count a call on `key` sent now; the stamp identifies it if Slack refuses it."""
        now = self.clock()
        if self.learning:
            self._kept(self._budget(key).sent, now).append(now)
        return now

    def accepted(self, key: Key, stamp: float) -> None:
        """Slack accepted the call on `key` sent at `stamp`, answered now. Its place frees a
        window after the answer, not after the sending: Slack counted it on arrival, somewhere
        in between, and a call that travelled slowly must not let the next one in early."""
        if self.learning:
            now = self.clock()
            b = self._budget(key)
            if stamp in b.sent:
                b.sent.remove(stamp)
                bisect.insort(b.sent, now)
            self._kept(b.accepted, now).append(now)

    def refused(self, key: Key, stamp: float) -> None:
        """Slack answered 429 to the call sent at `stamp`: that call did not count, and the
        calls it accepted in the window before now are the budget."""
        if not self.learning:
            return
        b = self._budget(key)
        if stamp in b.sent:
            b.sent.remove(stamp)
        now = self.clock()
        floor = self.floors.get(key[1], 1)
        learned = max(floor, len(self._kept(b.accepted, now)))
        b.capacity = learned if b.capacity is None else min(b.capacity, learned)
        if b.climbing:  # the raise was one too many
            b.probe_after = min(PROBE_AFTER_MAX, b.probe_after * 2)
        b.step, b.climbing, b.changed_at = 1, False, now

    def _budget(self, key: Key) -> _Budget:
        found = self._budgets.get(key)
        if found is None:
            # A start is held a few windows like a learned budget before it is probed upward.
            start = self.starts.get(key[1]) if self.learning else None
            found = self._budgets[key] = _Budget(
                capacity=start,
                changed_at=self.clock(),
                probe_after=START_HOLD if start is not None else PROBE_AFTER,
            )
        return found

    def _kept(self, stamps: list[float], now: float) -> list[float]:
        """`stamps` without those older than a window."""
        old = bisect.bisect_right(stamps, now - self.window)
        if old:
            del stamps[:old]
        return stamps
