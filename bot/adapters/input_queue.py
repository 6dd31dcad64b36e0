"""InputQueue: what a platform edge does after its ack, in each person's order, by a few workers."""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Awaitable, Callable, Hashable
from types import TracebackType

log = logging.getLogger(__name__)
Work = Callable[[], Awaitable[None]]


class InputQueue:
    """The one per-person ordering of both platforms. Acks and the runner share one event
    loop: started as one task per input, the runner's work (ORM, rendering) for the first
    inputs of a burst interleaves with the acks of the later ones and delays them; taken
    from here by at most `workers` tasks, at most that many runner steps run between two
    steps of an ack (Slack). Without a bound (`None`), every person with an input ready is
    worked at once, which keeps the round trips of a burst overlapping (Discord, whose
    follow-ups are each a request). Workers start as work comes, up to the bound. Nothing
    accepted is refused or lost: it waits its turn.

    Work of one lane (one person) runs one at a time in the order its places were taken: a
    facilitator's `start` then `invite` must not race, the second overtaking the first
    because its ack came back sooner or its profile was already cached. A place is taken
    as the input arrives, before any await (`reserve`), and filled once the input is
    acknowledged; `put` does both at once. Different lanes run side by side; a lane with
    several inputs waiting goes back to the end of the line after each, so one busy person
    does not hold the others up."""

    def __init__(self, workers: int | None = 2) -> None:
        if workers is not None and workers < 1:
            raise ValueError("an input queue needs at least one worker")
        self.workers = workers
        self._queue: asyncio.Queue[Hashable] | None = None
        self._lanes: dict[Hashable, collections.deque[Place]] = {}  # places taken, by lane
        self._scheduled: set[Hashable] = set()  # lanes in the queue or being worked
        self._tasks: list[asyncio.Task[None]] = []
        self._idle = 0  # workers waiting for a lane

    def reserve(self, lane: Hashable | None = None) -> Place:
        """A place at the end of `lane` (without one, ordered with nothing else). Never
        waits. Fill it with `Place.run`; a place left unfilled when its `with` block ends
        (the ack failed, the input was cancelled) lets the lane go on."""
        if self._queue is None:
            self._queue = asyncio.Queue()
        key: Hashable = object() if lane is None else ("lane", lane)
        place = Place(self, key)
        self._lanes.setdefault(key, collections.deque()).append(place)
        return place

    def put(self, work: Work, lane: Hashable | None = None) -> None:
        """Queue `work` (a coroutine function, called when a worker takes it). Never waits."""
        self.reserve(lane).run(work)

    @property
    def pending(self) -> int:
        """Inputs accepted and not yet taken by a worker (filled or still being acked)."""
        return sum(len(places) for places in self._lanes.values())

    def _ready(self, key: Hashable) -> None:
        """Queue the lane when its first place can be worked and no worker has it."""
        places = self._lanes.get(key)
        if self._queue is None or key in self._scheduled or not places or not places[0].filled:
            return
        self._scheduled.add(key)
        self._queue.put_nowait(key)
        # A worker more when the lanes queued outnumber the idle workers, up to the bound.
        if self._queue.qsize() > self._idle and (
            self.workers is None or len(self._tasks) < self.workers
        ):
            self._idle += 1  # from now: it will take a lane once it runs
            self._tasks.append(asyncio.get_running_loop().create_task(self._work(self._queue)))

    async def _work(self, queue: asyncio.Queue[Hashable]) -> None:
        while True:
            try:
                key = await queue.get()
            finally:
                self._idle -= 1
            places = self._lanes[key]
            work = places.popleft().work
            try:
                if work is not None:
                    await work()
            except Exception:
                log.exception("work after an ack failed")
            finally:
                self._scheduled.discard(key)
                if not places:
                    del self._lanes[key]
                self._idle += 1  # this worker takes the next lane: none is started for it
                self._ready(key)  # before task_done, so settling still waits for it
                queue.task_done()

    async def settle(self) -> None:
        """Until everything filled so far, and anything it queued in turn, is done."""
        if self._queue is not None:
            await self._queue.join()

    async def close(self) -> None:
        """Finish what was accepted, then stop the workers."""
        await self.settle()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        self._queue = None
        self._lanes.clear()
        self._scheduled.clear()
        self._idle = 0


class Place:
    """One input's place in its lane, taken on arrival and filled once it is acknowledged."""

    def __init__(self, queue: InputQueue, key: Hashable) -> None:
        self._queue = queue
        self._key = key
        self.work: Work | None = None
        self.filled = False

    def run(self, work: Work | None) -> None:
        """What this input does when its turn comes (None: nothing, the lane goes on)."""
        if self.filled:
            raise RuntimeError("a place in a lane is filled once")
        self.work, self.filled = work, True
        self._queue._ready(self._key)

    def __enter__(self) -> Place:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if not self.filled:
            self.run(None)
