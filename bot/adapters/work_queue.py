"""WorkQueue: what a platform edge does after its ack, run by a few workers, never dropped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)
Work = Callable[[], Awaitable[None]]


class WorkQueue:
    """Acks and the runner share one event loop. Started as one task per input, the runner's
    work (ORM, rendering) for the first requests of a burst interleaves with the acks of the
    later ones and delays them; taken from this queue by `workers` tasks, at most that many
    runner steps run between two steps of an ack. The queue itself has no bound: an input
    that was acknowledged is never refused or lost, it waits its turn."""

    def __init__(self, workers: int = 2) -> None:
        if workers < 1:
            raise ValueError("a work queue needs at least one worker")
        self.workers = workers
        self._queue: asyncio.Queue[Work] | None = None
        self._tasks: list[asyncio.Task[None]] = []

    def put(self, work: Work) -> None:
        """Queue `work` (a coroutine function, called when a worker takes it). Never waits."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            loop = asyncio.get_running_loop()
            self._tasks = [loop.create_task(self._work()) for _ in range(self.workers)]
        self._queue.put_nowait(work)

    @property
    def pending(self) -> int:
        """Inputs waiting for a worker (not counting those being worked on)."""
        return self._queue.qsize() if self._queue is not None else 0

    async def _work(self) -> None:
        assert self._queue is not None
        while True:
            work = await self._queue.get()
            try:
                await work()
            except Exception:
                log.exception("work after an ack failed")
            finally:
                self._queue.task_done()

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
