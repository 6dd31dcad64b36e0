"""Runner: dedupe -> load -> advance -> save state, audit and outbox, in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.commands import CommandError, parse
from bot.core.effects import (
    Audit,
    Cancel,
    CloseSpace,
    ComputeGroups,
    Effect,
    ExportData,
    Forget,
    OpenSpace,
    Reply,
    Schedule,
    Send,
    SendReport,
    ToChannel,
    ToSpace,
    ToUser,
)
from bot.core.events import CommandIssued, Event
from bot.core.model import Intervention, InterventionId
from bot.core.ports import Clock, OutMessage
from bot.erasure import erase, erased_message
from bot.flows.context import Facts, Policy
from bot.flows.engine import advance
from bot.flows.spec import Flow
from bot.flows.timing import next_humane
from bot.i18n.render import Reader, Renderer, reader_for
from bot.logs import ensure_request
from bot.storage.codec import encode
from bot.storage.store import ConcurrentUpdate, SqlStore, UnitOfWork

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Handled:
    """What the platform adapter shows the actor at once (ephemeral), and what happened."""

    replies: tuple[OutMessage, ...] = ()
    duplicate: bool = False
    refused: bool = False
    intervention: str | None = None
    effects: tuple[Effect, ...] = field(default=(), repr=False)


class Runner:
    """The one path every input takes: Slack, Discord, the demo and timers alike."""

    def __init__(
        self,
        store: SqlStore,
        flow: Flow,
        renderer: Renderer,
        clock: Clock,
        policy: Policy,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.flow = flow
        self.renderer = renderer
        self.clock = clock
        self.policy = policy
        self.on_enqueued = on_enqueued

    async def handle(self, event: Event) -> Handled:
        ensure_request()
        for _attempt in range(MAX_ATTEMPTS):
            try:
                handled = await self._handle_once(event)
                if not handled.duplicate:  # names and texts stay out: the kind and counts
                    log.info(
                        "%s handled on %s: %d effect(s)%s",
                        type(event).__name__,
                        handled.intervention or "-",
                        len(handled.effects),
                        ", refused" if handled.refused else "",
                    )
                return handled
            except ConcurrentUpdate:
                log.info("concurrent update on %s, retrying", event.meta.event_id)
        raise RuntimeError(f"event {event.meta.event_id} kept colliding")

    async def _handle_once(self, event: Event) -> Handled:
        now = self.clock.now()
        meta = event.meta
        queued = erased = False
        async with self.store.unit() as uow:
            if not await uow.first_time(meta.platform, meta.event_id, now):
                log.info("duplicate event %s:%s ignored", meta.platform, meta.event_id)
                return Handled(duplicate=True)
            state = await self._locate(uow, event)
            version = await uow.version_of(state.id) if state is not None else 0
            facts = await self._facts(uow, state, event)
            outcome = advance(
                state, event, flow=self.flow, now=now, policy=self.policy, facts=facts
            )
            after = outcome.state
            if after is not None and after != state:
                if state is not None and state.id != after.id:
                    # `start` in a channel whose intervention has closed: a new one begins.
                    after = await uow.save(None, after, 0)
                else:
                    after = await uow.save(state, after, version)
            replies: list[OutMessage] = []
            encoded: dict[int, Any] = {}  # a message sent to many is encoded once
            for effect in outcome.effects:
                if isinstance(effect, Forget):
                    assert after is not None
                    # Erased in this transaction; the person is told exactly what went.
                    done = await erase(uow, after, self.flow, effect.user, effect.erase_member)
                    effect = Reply(erased_message(after, effect, done))
                    erased = True
                if isinstance(effect, Reply):
                    reader = self._actor_reader(after or state, event)
                    replies.append(self._reply(after or state, effect, reader))
                    continue
                assert after is not None, effect
                queued |= await self._write(uow, after, effect, now, encoded)
        if erased:
            await self.store.scrub_files()
        if queued and self.on_enqueued is not None:
            self.on_enqueued()
        current = after or state
        return Handled(
            tuple(replies),
            refused=outcome.refused,
            intervention=current.id if current is not None else None,
            effects=outcome.effects,
        )

    async def _locate(self, uow: UnitOfWork, event: Event) -> Intervention | None:
        iid = getattr(event, "intervention", None)
        if iid is not None:
            return await uow.load(InterventionId(iid), lock=True)
        meta = event.meta
        if isinstance(event, CommandIssued) and meta.channel is not None:
            found = await uow.find(meta.platform, meta.workspace, meta.channel, lock=True)
            if found is not None or _is(event.text, "start"):
                return found
        if meta.user is not None:
            return await uow.find_for_user(meta.platform, meta.workspace, meta.user, lock=True)
        return None

    async def _facts(self, uow: UnitOfWork, state: Intervention | None, event: Event) -> Facts:
        """Counts the engine shows but cannot read itself, fetched only for `status`."""
        if state is None or not isinstance(event, CommandIssued) or not _is(event.text, "status"):
            return Facts()
        return Facts(undelivered=await uow.undelivered(state.id))

    def _actor_reader(self, state: Intervention | None, event: Event) -> Reader:
        if state is not None and event.meta.user in state.participants:
            # Their own choice first, then what their platform says of them right now.
            return reader_for(state, event.meta.user, event.meta.locale)
        locale = event.meta.locale or (state.locale if state else self.policy.locale)
        tz = event.meta.timezone or (state.timezone if state else self.policy.timezone)
        return Reader(locale, tz, state.address_form if state else self.policy.address_form)

    def _reply(self, state: Intervention | None, effect: Reply, reader: Reader) -> OutMessage:
        if state is None:
            segments = self.renderer.catalog.render(
                reader.locale,
                effect.message.key,
                {"k": self.policy.k_anonymity_min, **effect.message.params},
                reader.address,
                reader.timezone,
            )
            return OutMessage(tuple(segments))
        return self.renderer.message(state, effect.message, reader)

    def _due(self, state: Intervention, effect: Send, now: datetime) -> datetime:
        """Questions reach a person at a humane local hour (and not before the time they were
        planned for); everything else goes at once."""
        earliest = max(now, effect.at) if effect.at is not None else now
        if not isinstance(effect.to, ToUser) or effect.message.form_round is None:
            return earliest
        member = state.participants.get(effect.to.user)
        tz = member.timezone if member is not None and member.timezone else state.timezone
        return next_humane(earliest, tz, self.policy.quiet)

    async def _write(
        self,
        uow: UnitOfWork,
        state: Intervention,
        effect: Effect,
        now: Any,
        encoded: dict[int, Any],
    ) -> bool:
        """Queue what an effect asks for. `encoded` holds this event's encoded messages by
        identity (the effects hold them alive meanwhile), so a round's prompt to 1,000 people
        is encoded once."""
        iid = state.id
        match effect:
            case Audit():
                await uow.audit(iid, now, effect.actor, effect.action, effect.target)
                return False
            case Cancel():
                await uow.cancel(f"{iid}:{effect.key}")
                return False
            case Send():
                await uow.enqueue(
                    iid,
                    "send",
                    {"to": _audience(effect.to), "message": _encoded(effect.message, encoded)},
                    self._due(state, effect, now),
                )
            case OpenSpace():
                await uow.enqueue(
                    iid,
                    "open_space",
                    {"subgroup": effect.subgroup, "members": list(effect.members)},
                    now,
                )
            case CloseSpace():
                await uow.enqueue(iid, "close_space", {"subgroup": effect.subgroup}, now)
            case Schedule():
                await uow.enqueue(
                    iid,
                    "timer",
                    {"kind": effect.kind, "payload": dict(effect.payload)},
                    effect.due_at,
                    key=f"{iid}:{effect.key}",
                )
            case ComputeGroups():
                await uow.enqueue(
                    iid,
                    "groups",
                    {
                        "size_min": effect.size_min,
                        "size_max": effect.size_max,
                        "attributes": list(effect.attributes),
                        "seed": effect.seed,
                    },
                    now,
                )
            case ExportData():
                await uow.enqueue(iid, "export", {"user": effect.user}, now)
            case SendReport():
                await uow.enqueue(iid, "report", {"user": effect.user}, now)
            case Reply():
                return False
        return True


def _is(text: str, name: str) -> bool:
    try:
        return parse(text).name == name
    except CommandError:
        return False


def _audience(to: ToUser | ToChannel | ToSpace) -> dict[str, Any]:
    match to:
        case ToUser():
            return {"user": to.user}
        case ToSpace():
            return {"space": to.subgroup}
        case ToChannel():
            return {"channel": True}


def _encoded(message: object, encoded: dict[int, Any]) -> Any:
    key = id(message)
    if key not in encoded:
        encoded[key] = encode(message)
    return encoded[key]
