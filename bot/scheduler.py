"""The wake-up clock: APScheduler (memory job store) runs the dispatcher at the next due time.

The outbox table is the only source of truth; this process re-arms from it on start and after
every tick, so a restart loses nothing and no pickled job store exists."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.ports import Clock
from bot.delivery import Dispatcher

log = logging.getLogger(__name__)
WAKE_JOB = "dispatcher-wake"


class Wakeup:
    """Runs dispatcher ticks when something is due, never two at once in this process."""

    def __init__(self, dispatcher: Dispatcher, clock: Clock, idle_seconds: float) -> None:
        self.dispatcher = dispatcher
        self.clock = clock
        self.idle = timedelta(seconds=idle_seconds)
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._stopping = False
        self._work: asyncio.Task[None] | None = None

    def start(self) -> None:
        # A slow heartbeat covers rows written by other processes (PostgreSQL, several workers).
        self.scheduler.add_job(
            self.run,
            "interval",
            seconds=self.idle.total_seconds(),
            id="dispatcher-heartbeat",
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.start()
        self.poke()

    def poke(self) -> None:
        """Something was just enqueued: tick as soon as possible."""
        self._arm(self.clock.now())

    def _arm(self, when: datetime) -> None:
        self.scheduler.add_job(
            self.run,
            "date",
            run_date=when,
            id=WAKE_JOB,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    async def run(self) -> None:
        """One wake-up: start delivering unless a delivery run is already going (it re-arms
        from the table when it ends, so nothing enqueued meanwhile waits for the heartbeat).
        The work is a task of its own that this job does not wait for: APScheduler's shutdown
        cancels the jobs it is running, and a cancellation between a send and its mark would
        re-deliver that message after the restart; and a heartbeat job still running would
        make every later heartbeat a "skipped: maximum number of running instances" warning
        for as long as a large round takes to go out."""
        if self._stopping:
            return
        if self._work is None or self._work.done():
            self._work = asyncio.create_task(self._deliver_due())

    async def _deliver_due(self) -> None:
        # Only `run` starts this, and never while the last run is going: one at a time.
        try:
            while not self._stopping and await self.dispatcher.tick():
                pass
        except Exception:  # the loop must survive a bad row or a database blip
            log.exception("dispatcher tick failed")
        due = await self.dispatcher.outbox.next_due()
        if due is not None and not self._stopping:
            self._arm(max(due, self.clock.now()))

    async def stop(self) -> None:
        """Stop waking up, and let the batch in hand finish: rows it claimed are delivered
        and marked now, rather than left to a lease that only expires after the restart."""
        self._stopping = True
        self.dispatcher.stopping = True  # no batch claimed ahead of the one in hand
        self.scheduler.shutdown(wait=False)
        if self._work is not None:
            await asyncio.wait([self._work])
