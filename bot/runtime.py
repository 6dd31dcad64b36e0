"""Runner: dedupe -> load -> advance -> save state, audit and outbox, in one transaction."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.core.commands import fold
from bot.core.effects import (
    Audit,
    Cancel,
    CloseSpace,
    ComputeGroups,
    DeleteTemplate,
    Effect,
    ExportData,
    Forget,
    Handled,
    Hold,
    OpenSpace,
    Release,
    Reply,
    SaveTemplate,
    Schedule,
    Send,
    SendLink,
    SendReport,
    ToChannel,
    ToSpace,
    ToUser,
    Withdraw,
)
from bot.core.events import CommandIssued, Event, PersonUnreachable
from bot.core.model import Intervention, InterventionId
from bot.core.ports import Clock, OutMessage
from bot.core.requests import ensure_request
from bot.erasure import erase, erased_message
from bot.flows.command_table import TABLE
from bot.flows.context import Facts, Policy
from bot.flows.engine import advance
from bot.flows.pause import shifted
from bot.flows.reach import NOTICES
from bot.flows.seal import PAD_BYTES
from bot.flows.spec import Flow
from bot.flows.timing import next_humane
from bot.i18n.render import Reader, Renderer, reader_for
from bot.storage import safety_rows
from bot.storage.codec import encode
from bot.storage.store import ConcurrentUpdate, SqlStore, UnitOfWork

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# Rows released by a resumption come a moment after its announcement, so the group reads
# "the process resumes" before what was held.
AFTER_ANNOUNCEMENT = timedelta(milliseconds=1)


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
                    done = await erase(
                        uow, after, self.flow, effect.user, effect.erase_member, effect.texts
                    )
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
        """Counts the engine shows but cannot read itself, fetched only for `status`, and
        fresh randomness (the private line's pads must not be guessable from anything)."""
        entropy = secrets.token_bytes(PAD_BYTES)
        if state is not None and isinstance(event, PersonUnreachable):
            # Read under the intervention's lock: two people bouncing at once count two.
            people = await uow.unreachable(state.id, event.cause)
            queued = frozenset([n for n in NOTICES if await uow.queued(state.id, n)])
            return Facts(unreachable=len(people), queued=queued, entropy=entropy)
        if isinstance(event, CommandIssued) and (
            _is(event.text, "start") or _is(event.text, "template")
        ):
            meta = event.meta
            kept = await uow.templates(meta.platform, meta.workspace)
            return Facts(entropy=entropy, templates=kept)
        if state is None or not isinstance(event, CommandIssued) or not _is(event.text, "status"):
            return Facts(entropy=entropy)
        return Facts(undelivered=await uow.undelivered(state.id), entropy=entropy)

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
        # While paused, what is planned waits (bot/flows/pause.py): new rows are held too.
        paused = "held" if state.status == "paused" else "pending"
        match effect:
            case Audit():
                await uow.audit(iid, now, effect.actor, effect.action, effect.target)
                return False
            case SaveTemplate():
                key = fold(effect.template.name)
                await uow.save_template(state.platform, state.workspace, key, effect.template, now)
                return False
            case DeleteTemplate():
                await uow.delete_template(state.platform, state.workspace, effect.name)
                return False
            case Cancel():
                await uow.cancel(f"{iid}:{effect.key}")
                return False
            case Send():
                goes = effect.relay or effect.through_pause
                await uow.enqueue(
                    iid,
                    # A safety-line message: never held, and blanked once delivered.
                    "relay" if effect.relay else "send",
                    {"to": _audience(effect.to), "message": _encoded(effect.message, encoded)},
                    self._due(state, effect, now)
                    if goes
                    else _held(state, self._due(state, effect, now), now),
                    status="pending" if goes else paused,
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
                    _held(state, effect.due_at, now),
                    key=f"{iid}:{effect.key}",
                    status=paused,
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
                await uow.enqueue(
                    iid, "report", {"user": effect.user, "markdown": effect.markdown}, now
                )
            case SendLink():
                # Only who and which page: the token is made at delivery, never stored.
                await uow.enqueue(iid, "link", {"user": effect.user, "page": effect.page}, now)
            case Hold():
                await uow.write_outbox()  # rows this event queued before the pause wait too
                held = await safety_rows.hold(uow.session, iid)
                log.info("pause: %d outbox rows of %s held", held, iid)
                return False
            case Release():
                await self._release(uow, state, effect, now)
            case Withdraw():
                if effect.cancel_waiting:
                    await safety_rows.cancel_posted(uow.session, iid, effect.posted)
                await uow.enqueue(
                    iid,
                    "withdraw",
                    {"posted": effect.posted, "message": encode(effect.replacement)},
                    now,
                )
            case Reply():
                return False
        return True

    async def _release(
        self, uow: UnitOfWork, state: Intervention, effect: Release, now: datetime
    ) -> None:
        """Held rows wait again, moved on by the pause's length; a question moved into
        someone's night waits for their morning, as when it was first planned."""
        dues: list[tuple[int, datetime]] = []
        for row in await safety_rows.held(uow.session, state.id):
            due = shifted(row.due_at, effect.paused_at, now) + AFTER_ANNOUNCEMENT
            to = row.payload.get("to") or {}
            message = row.payload.get("message") or {}
            member = state.participants.get(to.get("user", "")) if "user" in to else None
            if member is not None and message.get("form_round"):
                tz = member.timezone or state.timezone
                due = next_humane(due, tz, self.policy.quiet)
            dues.append((row.id, due))
        await safety_rows.release(uow.session, dues)
        log.info("resume: %d outbox rows of %s released", len(dues), state.id)


def _held(state: Intervention, due: datetime, now: datetime) -> datetime:
    """A row queued during a pause is written as if queued when the pause began, so the
    resumption moves it on by the part of the pause still to come when it was queued: a
    pause stops the clock of everything planned, whenever it was planned."""
    if state.status != "paused" or state.paused_at is None:
        return due
    return due - (now - state.paused_at)


def _is(text: str, name: str) -> bool:
    """Whether a command's first word names `name`. The runner only needs to know where to
    look and what to fetch: the command itself is parsed once, by the engine."""
    spec = TABLE.find(text.strip().partition(" ")[0])
    return spec is not None and spec.name == name


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
