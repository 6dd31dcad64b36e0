"""One claimed batch delivered side by side: a few workers each take a whole lane and deliver its
rows in claim order; a barrier waits for what its intervention claimed before it."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from bot.lanes import BARRIERS, Lane, lane_of
from bot.metrics import Metrics
from bot.storage.outbox import SqlOutbox
from bot.storage.store import OutboxItem


@dataclass(frozen=True, slots=True)
class Delivered:
    """A row the platform took, waiting for its mark."""

    platform: str
    ref: str | None
    at: datetime


# Delivers one row: Delivered when the platform took it, else when it is due again (None when
# it is not: dead, or handled without a message).
Deliver = Callable[[OutboxItem], Awaitable[Delivered | datetime | None]]


@dataclass(eq=False, slots=True)
class _Stage:
    """Rows of one intervention between two barriers, or one barrier alone: a stage starts once
    the one before it is entirely done, marks included (a barrier changes the intervention
    through the runner, which reads what was delivered)."""

    barrier: bool
    opening: bool  # the intervention's first in the batch: it starts at once
    chains: dict[Lane, list[OutboxItem]] = field(default_factory=dict)
    left: int = 0  # rows not yet entirely done
    next: _Stage | None = None


class BatchRun:
    """Runs at most `width` deliveries at once, never two to one place: a worker takes a lane's
    rows one after the other, so no row waits on a future for the one before it. When a row
    must be retried, the rows behind it in its lane are given back to follow it.

    `settled` is done once every row has its outcome (its mark, if any, asked for): the
    dispatcher may start on the next batch. `marked` is done once every mark is written, and
    carries the first error a row or a mark met."""

    def __init__(
        self,
        items: Sequence[OutboxItem],
        deliver: Deliver,
        outbox: SqlOutbox,
        worker: str,
        metrics: Metrics,
        width: int,
    ) -> None:
        loop = asyncio.get_running_loop()
        self.settled: asyncio.Future[None] = loop.create_future()
        self.marked: asyncio.Future[None] = loop.create_future()
        self._deliver = deliver
        self._outbox = outbox
        self._worker = worker
        self._metrics = metrics
        self._width = max(1, width)
        self._ready: deque[tuple[_Stage, Lane, list[OutboxItem]]] = deque()
        self._workers = 0
        self._tasks: set[asyncio.Future[None]] = set()
        self._unsettled = self._unmarked = len(items)
        self._put_back: dict[Lane, datetime] = {}  # a lane's row due again: the rest follow it
        self._error: BaseException | None = None
        outbox.expect(len(items))
        if not items:
            self.settled.set_result(None)
            self.marked.set_result(None)
            return
        self._start(self._stages(items))

    @staticmethod
    def _stages(items: Sequence[OutboxItem]) -> list[tuple[_Stage, Lane, list[OutboxItem]]]:
        """Each intervention's rows cut into stages at its barriers; the lanes of the stages
        that may start now, in claim order."""
        latest: dict[str, _Stage] = {}
        first: list[tuple[_Stage, Lane]] = []  # in the claim order of their first row
        for item in items:
            iid, barrier, lane = item.intervention_id, item.kind in BARRIERS, lane_of(item)
            stage = latest.get(iid)
            if stage is None or barrier or stage.barrier:
                fresh = _Stage(barrier, opening=stage is None)
                if stage is not None:
                    stage.next = fresh
                latest[iid] = stage = fresh
            chain = stage.chains.get(lane)
            if chain is None:
                chain = stage.chains[lane] = []
                if stage.opening:
                    first.append((stage, lane))
            chain.append(item)
            stage.left += 1
        return [(stage, lane, stage.chains[lane]) for stage, lane in first]

    def _start(self, chains: Sequence[tuple[_Stage, Lane, list[OutboxItem]]]) -> None:
        self._ready.extend(chains)
        for _ in range(min(self._width - self._workers, len(self._ready))):
            self._workers += 1
            task = asyncio.ensure_future(self._work())
            self._tasks.add(task)  # held: the loop keeps only weak references to tasks
            task.add_done_callback(self._tasks.discard)

    async def _work(self) -> None:
        try:
            while self._ready:
                stage, lane, chain = self._ready.popleft()
                await self._chain(stage, lane, chain)
        finally:
            self._workers -= 1

    async def _chain(self, stage: _Stage, lane: Lane, chain: list[OutboxItem]) -> None:
        for at, item in enumerate(chain):
            behind = self._put_back.get(lane)
            if behind is not None:
                await self._give_back(stage, chain[at:], behind)
                return
            try:
                outcome = await self._deliver(item)
            except Exception as error:  # a database that failed to record a retry
                self._failed(error)
                outcome = None
            if isinstance(outcome, Delivered):
                self._mark(stage, item, outcome)
                continue
            if outcome is not None:
                self._put_back[lane] = outcome
            self._settle()
            self._done(stage)

    async def _give_back(self, stage: _Stage, rows: list[OutboxItem], due: datetime) -> None:
        """Rows behind a retried one in its lane wait for it, untried: due when it is."""
        try:
            await self._outbox.release([row.id for row in rows], self._worker, due)
        except Exception as error:  # their lease gives them back all the same, later
            self._failed(error)
        for _ in rows:
            self._settle()
            self._done(stage)

    def _mark(self, stage: _Stage, item: OutboxItem, outcome: Delivered) -> None:
        held: asyncio.Future[bool]
        if item.kind == "relay":
            # A safety-line message leaves no row behind once the platform has it.
            held = asyncio.ensure_future(self._outbox.done_blank(item.id, self._worker, outcome.at))
        else:
            # Asked for now, written with the batch's other marks in one commit.
            held = self._outbox.ask_done(item.id, self._worker, outcome.at, outcome.ref)
        held.add_done_callback(partial(self._held, stage, item, outcome))
        self._settle()

    def _held(
        self, stage: _Stage, item: OutboxItem, outcome: Delivered, held: asyncio.Future[bool]
    ) -> None:
        if held.cancelled():
            self._failed(asyncio.CancelledError())
        elif (error := held.exception()) is not None:
            self._failed(error)
        elif held.result():
            # Counted only when the mark holds: a worker that lost its lease reports nothing.
            lag = (outcome.at - item.due_at).total_seconds()
            self._metrics.delivered(outcome.platform, "done", lag)
        self._done(stage)

    def _failed(self, error: BaseException) -> None:
        if self._error is None:
            self._error = error

    def _settle(self) -> None:
        self._outbox.settled()
        self._unsettled -= 1
        if self._unsettled == 0:
            self.settled.set_result(None)

    def _done(self, stage: _Stage) -> None:
        """One row entirely done, its mark included."""
        stage.left -= 1
        if stage.left == 0 and stage.next is not None:
            following = stage.next
            self._start([(following, lane, chain) for lane, chain in following.chains.items()])
        self._unmarked -= 1
        if self._unmarked == 0:
            if self._error is not None:
                self.marked.set_exception(self._error)
            else:
                self.marked.set_result(None)
