"""WorkQueue: what a platform edge does after its ack, run by a few workers, never dropped."""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)
Work = Callable[[], Awaitable[None]]


class WorkQueue:
    """Acks and the runner share one event loop. Started as one task per input, the runner's
    work (ORM, rendering) for the first requests of a burst interleaves with the acks of the
    later ones and delays them; taken from this queue by `workers` tasks, at most that many
    runner steps run between two steps of an ack. The queue itself has no bound: an input
    that was acknowledged is never refused or lost, it waits its turn.

    Work put with the same `lane` (one person) runs one at a time in the order it arrived:
    a facilitator's `start` then `invite` must not race, the second overtaking the first
    because its profile was already cached. Different lanes run side by side; a lane with
    several inputs waiting goes back to the end of the line after each, so one busy person
    does not hold the others up."""

    def __init__(self, workers: int = 2) -> None:
        if workers < 1:
            raise ValueError("a work queue needs at least one worker")
        self.workers = workers
        self._queue: asyncio.Queue[Hashable] | None = None
        self._lanes: dict[Hashable, collections.deque[Work]] = {}  # what waits, by lane
        self._tasks: list[asyncio.Task[None]] = []

    def put(self, work: Work, lane: Hashable | None = None) -> None:
        """Queue `work` (a coroutine function, called when a worker takes it). Never waits.
        Without a lane, the work is ordered with nothing else."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            loop = asyncio.get_running_loop()
            self._tasks = [loop.create_task(self._work()) for _ in range(self.workers)]
        key: Hashable = object() if lane is None else ("lane", lane)
        waiting = self._lanes.get(key)
        if waiting is not None:  # the lane is queued or being worked: it will come to this
            waiting.append(work)
            return
        self._lanes[key] = collections.deque([work])
        self._queue.put_nowait(key)

    @property
    def pending(self) -> int:
        """Inputs waiting for a worker (not counting those being worked on)."""
        return sum(len(waiting) for waiting in self._lanes.values())

    async def _work(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            key = await queue.get()
            waiting = self._lanes[key]
            work = waiting.popleft()
            try:
                await work()
            except Exception:
                log.exception("work after an ack failed")
            finally:
                if waiting:
                    queue.put_nowait(key)  # before task_done, so settling still waits for it
                else:
                    del self._lanes[key]
                queue.task_done()

    async def settle(self) -> None:
        """Until everything queued so far, and anything it queued in turn, is done."""
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
