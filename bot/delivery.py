"""Dispatcher: claims due outbox rows, renders them for their reader, calls the port, marks them."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot.batch_renders import BatchRenders
from bot.batch_run import BatchRun, Delivered
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
from bot.lanes import BARRIERS
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
        # Claiming the next batch while delivering one: PostgreSQL only (see `tick`).
        self.ahead = store.engine.dialect.name == "postgresql"
        self.stopping = False  # set when the process stops: the batches in hand finish, no more

    async def tick(self) -> int:
        """Deliver what is due now; returns, once every mark is written, how many rows were
        handled.

        A full batch means more may be due. On PostgreSQL the next batch is claimed while this
        one is delivered, and it starts once every row here has its outcome (a place's
        messages keep their order), while this batch's marks are still being written: the
        claim's and the marks' round trips and commits then cost no time. SQLite has one writer
        at a time: a claim ahead would only queue behind the marks, so there it waits."""
        items = await self._claim()
        handled = 0
        marking: list[asyncio.Future[None]] = []  # batches in hand whose marks are written
        barrier_before = False  # the batch before held a barrier
        try:
            while items:
                ahead: asyncio.Future[list[OutboxItem]] | None = None
                if len(items) == self.policy.batch and self.ahead and not self.stopping:
                    ahead = asyncio.ensure_future(self._claim())
                try:
                    begin_request()
                    barrier = any(item.kind in BARRIERS for item in items)
                    if marking and (barrier or barrier_before):
                        # A barrier waits for the rows before it entirely, marks included,
                        # and the rows after it for the barrier, as within a batch.
                        await marking.pop()
                    barrier_before = barrier
                    marking.append(await self._batch(items))
                    if len(marking) > 1:
                        await marking.pop(0)  # the batch before, once this one has settled
                except BaseException:
                    if ahead is not None:
                        await self._give_back(ahead)
                    raise
                log.info("delivery batch: %d item(s)", len(items))
                handled += len(items)
                items = await ahead if ahead is not None else []
        except BaseException:
            # What is in hand finishes before the tick does; the first failure is the one told.
            await asyncio.gather(*marking, return_exceptions=True)
            raise
        for batch in marking:
            await batch  # a mark that failed: its row comes back when the lease expires
        return handled

    async def _claim(self) -> list[OutboxItem]:
        now = self.clock.now()
        return await self.outbox.claim(self.worker, now, self.policy.lease, self.policy.batch)

    async def _give_back(self, ahead: asyncio.Future[list[OutboxItem]]) -> None:
        """The batch claimed ahead goes back untried when the one before it failed: due as
        they were, for whoever claims next, rather than waiting out their lease."""
        try:
            items = await ahead
            await self.outbox.release([item.id for item in items], self.worker)
        except Exception:  # the lease gives them back all the same, later
            log.exception("giving back a batch claimed ahead failed")

    async def _batch(self, items: Sequence[OutboxItem]) -> asyncio.Future[None]:
        """Deliver a claimed batch, up to `policy.concurrency` rows at once (see BatchRun).
        Returns once every row has its outcome, with what finishes once its marks are written."""
        cache: StateCache = {}
        self.renders.clear()
        run = BatchRun(
            items,
            partial(self._one, cache=cache),
            self.outbox,
            self.worker,
            self.metrics,
            self.policy.concurrency,
        )
        await asyncio.shield(run.settled)
        return run.marked

    async def drain(self, limit: int = 1000) -> int:
        """Tick until nothing is due (used by the demo and tests with a manual clock)."""
        total = 0
        for _ in range(limit):
            handled = await self.tick()
            total += handled
            if handled == 0:
                break
        return total

    async def _state(self, item: OutboxItem, cache: StateCache) -> Intervention | None:
        iid = item.intervention_id
        loading = cache.get(iid)
        if loading is None:
            # As stored now: the store's kept copy while its version is the one the claim
            # read, so a fan-out does not reload its roster for every batch.
            current = self.store.current(iid, item.version)
            loading = cache[iid] = asyncio.ensure_future(current)
        try:
            if loading.done():
                return loading.result()
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
            state = await self._state(item, cache)
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
            return await self._direct(state, user, out.keyed(key))
        out = self.renders.render(state, message, reader_for(state, None)).keyed(key)
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
