"""Dispatcher: claims due outbox rows, renders them for their reader, calls the port, marks them."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.batch_renders import BatchRenders
from bot.core.events import (
    DeliveryFailed,
    EventMeta,
    GroupsComputed,
    PersonUnreachable,
    SpaceOpened,
    TimerDue,
)
from bot.core.model import ConversationRef, Intervention, MessageRef, UserId, UserRef
from bot.core.ports import MEMBERSHIP, ChatPort, Clock, DeliveryError, KnowsLanguages, OutMessage
from bot.core.requests import begin_request
from bot.flows.group_requests import compute_groups
from bot.i18n.render import Reader, Renderer, knows_language, reader_for
from bot.lanes import BARRIERS, Lane, lane_of
from bot.metrics import Metrics
from bot.notices import refused_event, unreachable_event
from bot.reports.personal import my_data_message, report_message
from bot.retries import TOLD_FOR, DeliveryPolicy, next_try, place_of
from bot.runtime import Runner
from bot.storage import safety_rows
from bot.storage.outbox import SqlOutbox
from bot.storage.retention import RETENTION_KIND, Retention
from bot.storage.store import OutboxItem, SqlStore
from bot.web.links import Links

log = logging.getLogger(__name__)
# One load of each intervention per batch, shared by the deliveries running side by side.
StateCache = dict[str, "asyncio.Future[Intervention | None]"]


@dataclass(frozen=True, slots=True)
class Delivered:
    """A row the platform took, waiting for its mark."""

    platform: str
    ref: str | None
    at: datetime


class Dispatcher:
    """Delivers effects at least once; idempotency keys and fencing make it effectively once."""

    def __init__(
        self,
        store: SqlStore,
        ports: Mapping[str, ChatPort],
        runner: Runner,
        renderer: Renderer,
        clock: Clock,
        worker: str,
        policy: DeliveryPolicy | None = None,
        seed: int = 0,
        metrics: Metrics | None = None,
        retention: Retention | None = None,
        links: Links | None = None,  # bot/web's, None when the pages are not served
    ) -> None:
        self.store = store
        self.outbox = SqlOutbox(store)
        self.ports = ports
        self.runner = runner
        self.renderer = renderer
        self.clock = clock
        self.worker = worker
        self.policy = policy or DeliveryPolicy()
        self._jitter = random.Random(seed)
        self.metrics = metrics or Metrics()
        self.retention = retention  # the daily purge, run when its outbox row comes due
        self.links = links
        self.renders = BatchRenders(renderer)

    async def tick(self) -> int:
        """Deliver what is due now. Returns how many rows were handled."""
        now = self.clock.now()
        items = await self.outbox.claim(self.worker, now, self.policy.lease, self.policy.batch)
        if items:
            begin_request()
            await self._batch(items)
            log.info("delivery batch: %d item(s)", len(items))
        return len(items)

    async def _batch(self, items: Sequence[OutboxItem]) -> None:
        """Deliver a claimed batch, up to `policy.concurrency` rows at once. Rows to the same
        person, space or channel keep their claim order (one lane, one at a time), and when one
        must be retried the rows behind it in its lane are given back to follow it."""
        cache: StateCache = {}
        self.renders.clear()
        slots = asyncio.Semaphore(self.policy.concurrency)
        loop = asyncio.get_running_loop()
        tasks: list[asyncio.Task[datetime | None]] = []
        # A lane's next row waits for the outcome of the one before (taken by the platform,
        # or due again), not for its mark: the marks of a lane share a commit too. A barrier
        # waits for the rows before it entirely, marks included, and the rows after for it.
        lanes: dict[Lane, asyncio.Future[datetime | None]] = {}
        barrier: dict[str, asyncio.Task[datetime | None]] = {}
        since: dict[str, list[asyncio.Task[datetime | None]]] = {}
        self.outbox.expect(len(items))
        for item in items:
            lane, iid = lane_of(item), item.intervention_id
            ahead = lanes.get(lane)
            waits: list[asyncio.Future[Any]] = [t for t in (ahead, barrier.get(iid)) if t]
            if item.kind in BARRIERS:
                waits += since.pop(iid, [])
            known = lanes[lane] = loop.create_future()
            task = loop.create_task(self._in_lane(item, ahead, waits, slots, cache, known))
            if item.kind in BARRIERS:
                barrier[iid] = task
            else:
                since.setdefault(iid, []).append(task)
            tasks.append(task)
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome  # a mark that failed: its row comes back when the lease expires

    async def _in_lane(
        self,
        item: OutboxItem,
        ahead: asyncio.Future[datetime | None] | None,
        waits: Sequence[asyncio.Future[Any]],
        slots: asyncio.Semaphore,
        cache: StateCache,
        known: asyncio.Future[datetime | None],
    ) -> datetime | None:
        """Deliver `item` once what it waits for is done. Returns when it is due again if it
        was put back (retried, or behind a retried row of its lane), else None; `known` tells
        it as soon as it is known (its mark, if any, queued), to the lane's next row."""
        asked: asyncio.Future[bool] | None = None
        due: datetime | None = None
        try:
            if waits:
                await asyncio.wait(waits)
            behind = ahead.result() if ahead is not None else None
            if behind is not None:
                due = behind
                await self.outbox.release([item.id], self.worker, behind)
                return behind
            async with slots:
                outcome = await self._one(item, cache)
            if not isinstance(outcome, Delivered):
                due = outcome
                return due
            if item.kind != "relay":
                # Marked outside the slot: the platform has it, and the marks of a batch's
                # quick deliveries then share a commit instead of each holding a slot.
                asked = self.outbox.ask_done(item.id, self.worker, outcome.at, outcome.ref)
        finally:
            known.set_result(due)
            self.outbox.settled()
        # A safety-line message leaves no row behind once the platform has it. (A mark's wait
        # is not shielded: were it cancelled, the mark is written all the same.)
        if asked is None:
            asked = asyncio.ensure_future(self.outbox.done_blank(item.id, self.worker, outcome.at))
        held = await asked
        # Counted only when the mark holds: a worker that lost its lease reports nothing.
        if held:
            lag = (outcome.at - item.due_at).total_seconds()
            self.metrics.delivered(outcome.platform, "done", lag)
        return None

    async def drain(self, limit: int = 1000) -> int:
        """Tick until nothing is due (used by the demo and tests with a manual clock)."""
        total = 0
        for _ in range(limit):
            handled = await self.tick()
            total += handled
            if handled == 0:
                break
        return total

    async def _state(self, iid: str, cache: StateCache) -> Intervention | None:
        loading = cache.get(iid)
        if loading is None:
            # As stored now: the store's kept copy while its version has not moved, so a
            # fan-out does not reload its roster for every batch.
            loading = cache[iid] = asyncio.ensure_future(self.store.current(iid))
        try:
            # Shielded: one delivery giving up does not cancel the load the others await.
            return await asyncio.shield(loading)
        except Exception:
            if cache.get(iid) is loading:
                del cache[iid]  # the next delivery tries again
            raise

    async def _one(self, item: OutboxItem, cache: StateCache) -> Delivered | datetime | None:
        """Deliver one row: Delivered when the platform took it, else when it is due again
        (None when it is not: dead, or handled)."""
        platform = "unknown"  # the intervention is gone, or the database failed to say
        try:
            state = await self._state(item.intervention_id, cache)
            platform = state.platform if state is not None else platform
            ref = await self._deliver(item, state, cache)
        except DeliveryError as error:
            return await self._failed(item, error, platform)
        except Exception as error:
            log.exception("delivery %s failed", item.id)
            return await self._failed(item, DeliveryError(repr(error), permanent=False), platform)
        return Delivered(platform, ref, self.clock.now())

    async def _failed(
        self, item: OutboxItem, error: DeliveryError, platform: str
    ) -> datetime | None:
        delay = next_try(self.policy, item, error, self._jitter)
        if delay is None:
            log.warning("delivery %s dead: %s (%s)", item.id, error.cause, error.reason)
            unreachable = await unreachable_event(self.store, item, error)
            # A safety-line message that cannot be delivered keeps nothing of what it carried.
            kept: dict[str, object] | None = {} if item.kind == "relay" else None
            if await self.outbox.dead(item.id, self.worker, error.cause, kept):
                self.metrics.delivered(platform, "dead")
                if unreachable is not None:  # the engine decides whom to tell, and how
                    await self._notify(unreachable, item)
            return None
        place = place_of(item)
        # A place that refused the bot for the first time: the facilitators hear of it once.
        first = error.cause in MEMBERSHIP and place is not None and item.attempts == 1
        now = self.clock.now()
        told = first and await self.outbox.waiting(
            item.intervention_id, error.cause, item.id, now - TOLD_FOR
        )
        due = now + timedelta(seconds=delay)
        if await self.outbox.retry(item.id, self.worker, due, error.cause):
            self.metrics.delivered(platform, "retry")
            if first and place is not None:
                log.warning("delivery %s held: %s (%s)", item.id, error.cause, error.reason)
                # The engine decides whom to tell, and how, that a place refused the bot.
                await self._notify(refused_event(item, error, place, told), item)
        return due

    async def _notify(self, event: DeliveryFailed | PersonUnreachable, item: OutboxItem) -> None:
        try:
            await self.runner.handle(event)
        except Exception:  # the row is held or dead all the same; only the notice is lost
            log.exception("notice for delivery %s failed", item.id)

    def _port(self, state: Intervention) -> ChatPort:
        port = self.ports.get(state.platform)
        if port is None:
            raise DeliveryError(f"no port for {state.platform}", permanent=False)
        return port

    def _meta(self, item: OutboxItem, state: Intervention) -> EventMeta:
        # A keyed timer re-planned after it fired (a weekly check-in, a second "not now") reuses
        # its row: the due time tells one firing from the next, while a re-delivery of the same
        # firing (a lease that expired mid-way) keeps the id and is ignored as a duplicate.
        event_id = f"outbox:{item.id}:{item.due_at.isoformat()}"
        return EventMeta(platform=state.platform, event_id=event_id, workspace=state.workspace)

    async def _deliver(
        self, item: OutboxItem, state: Intervention | None, cache: StateCache
    ) -> str | None:
        if item.kind == RETENTION_KIND:
            if self.retention is None:
                raise DeliveryError("no retention job in this process", permanent=False)
            await self.retention.run(self.clock.now())
            return None
        if state is None:
            raise DeliveryError("intervention gone", permanent=True, cause="gone")
        p: dict[str, Any] = item.payload
        match item.kind:
            case "send" | "relay":
                key = f"dlv-{item.id}"
                return await self._send(state, p["to"], p["message"], key)
            case "withdraw":
                await self._withdraw(state, p["posted"], p["message"])
                return None
            case "open_space":
                return await self._open_space(item, state, p, cache)
            case "close_space":
                group = next((g for g in state.subgroups if g.index == p["subgroup"]), None)
                if group is not None and group.space is not None:
                    await self._port(state).close_space(
                        ConversationRef(state.platform, state.workspace, group.space)
                    )
                return None
            case "timer":
                meta = self._meta(item, state)
                await self._feed(TimerDue(meta, state.id, p["kind"], p.get("payload", {})), cache)
                return None
            case "groups":
                meta, seconds = self._meta(item, state), self.policy.grouping_seconds
                await self._feed(await compute_groups(state, p, meta, seconds), cache)
                return None
            case "export":
                user = UserId(p["user"])
                msg = await my_data_message(self.store, self.renderer, state, user)
                return await self._direct(state, user, msg)
            case "report":
                user, markdown = UserId(p["user"]), bool(p.get("markdown"))
                reader = await self._reader(state, user)
                msg = await report_message(self.store, self.renderer, state, reader, markdown)
                return await self._direct(state, user, msg)
            case "link" if self.links is not None:  # a fresh token at each try, never stored
                msg = await self.links.message(state, UserId(p["user"]), p["page"], self._reader)
                return await self._direct(state, UserId(p["user"]), msg)
        raise DeliveryError(f"unknown outbox kind {item.kind}", permanent=True)

    async def _feed(
        self, event: TimerDue | GroupsComputed | SpaceOpened, cache: StateCache
    ) -> None:
        """Hand the engine an event that changes the state: the batch's loaded copy goes before
        (the engine reads the store) and after (another lane may have loaded it meanwhile)."""
        cache.pop(event.intervention, None)
        await self.runner.handle(event)
        cache.pop(event.intervention, None)

    async def _send(
        self, state: Intervention, to: dict[str, Any], message: dict[str, Any], key: str
    ) -> str:
        port = self._port(state)
        if "user" in to:
            user = UserId(to["user"])
            member = state.participants.get(user)
            if member is None:
                raise DeliveryError("recipient erased", permanent=True, cause="gone")
            out = self.renders.render(state, message, await self._reader(state, user))
            return await self._direct(state, user, replace(out, idempotency_key=key))
        out = replace(
            self.renders.render(state, message, reader_for(state, None)), idempotency_key=key
        )
        if "space" in to:
            group = next((g for g in state.subgroups if g.index == to["space"]), None)
            if group is None:
                raise DeliveryError("no such sub-group", permanent=True, cause="gone")
            if group.space is None:
                # The space is being created: try again shortly, after its OpenSpace row.
                raise DeliveryError(
                    "space not open yet", permanent=False, retry_after=1.0, cause="unavailable"
                )
            conv = ConversationRef(state.platform, state.workspace, group.space)
            ref = await port.post(conv, out)
        else:
            ref = await port.post(state.conversation, out)
        posted = str(message.get("item") or "")
        if posted:
            # Where a flaggable item went, so a facilitator's withdrawal can edit it later.
            async with self.store.unit() as uow:
                await safety_rows.record_published(
                    uow.session, state.id, posted, ref.conversation.channel, ref.message_id
                )
        return ref.message_id

    async def _withdraw(self, state: Intervention, posted: str, message: dict[str, Any]) -> None:
        """Edit every message the bot posted for a withdrawn item (the platform lets a bot
        edit its own messages only, which these are)."""
        async with self.store.unit() as uow:
            places = await safety_rows.published(uow.session, state.id, posted)
        out = self.renders.render(state, message, reader_for(state, None))
        for channel, message_id in places:
            conv = ConversationRef(state.platform, state.workspace, channel)
            await self._port(state).edit(MessageRef(conv, message_id), out)

    async def _reader(self, state: Intervention, user: UserId) -> Reader:
        """How a person reads. Someone whose language the bot does not know yet (invited, and
        not heard from since) is looked up where the platform can tell (Slack's users.info);
        otherwise, and on Discord, which tells nothing before they interact, they read in
        the intervention's language until their first click."""
        port = self._port(state)
        told = None
        if not knows_language(state, user) and isinstance(port, KnowsLanguages):
            told = await port.locale_of(UserRef(state.platform, state.workspace, user))
        return reader_for(state, user, told)

    async def _direct(self, state: Intervention, user: UserId, out: OutMessage) -> str:
        ref = await self._port(state).send_direct(
            UserRef(state.platform, state.workspace, user), out
        )
        return ref.message_id

    async def _open_space(
        self,
        item: OutboxItem,
        state: Intervention,
        p: dict[str, Any],
        cache: StateCache,
    ) -> str:
        members = [UserRef(state.platform, state.workspace, UserId(u)) for u in p["members"]]
        reader = reader_for(state, None)
        label = self.renderer.text(reader, "groups.space_name", group=p["subgroup"])
        # The intervention's id in the name: a later intervention in the same channel must never
        # adopt (or collide with) an earlier one's private space, archived or not.
        name = f"{label}-{state.id[:6]}"
        space = await self._port(state).open_space(state.conversation, name, members)
        meta = self._meta(item, state)
        await self._feed(SpaceOpened(meta, state.id, p["subgroup"], space.channel), cache)
        return space.channel
