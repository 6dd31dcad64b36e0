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
        self._lock = asyncio.Lock()

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
        if self._lock.locked():
            return
        async with self._lock:
            try:
                while await self.dispatcher.tick():
                    pass
            except Exception:  # the loop must survive a bad row or a database blip
                log.exception("dispatcher tick failed")
            due = await self.dispatcher.outbox.next_due()
        if due is not None:
            self._arm(max(due, self.clock.now()))

    async def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
