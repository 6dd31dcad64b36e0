"""Pause and resume (`temps mort`): while paused nothing planned reaches the group, nothing is
lost, and on resuming the whole schedule moves on by the pause's length."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.commands import Command
from bot.core.effects import Hold, Message, Release, ToChannel
from bot.core.model import Intervention
from bot.flows.context import Ctx


def shifted(due: datetime, paused_at: datetime, now: datetime) -> datetime:
    """Where a planned moment lands after a pause from `paused_at` to `now`: what was due
    during the pause (or before it, still waiting) comes at once, the rest as much later
    as the pause lasted. The outbox rows of the pause are moved by the same rule."""
    return max(due, paused_at) + (now - paused_at)


def pause(ctx: Ctx, state: Intervention, _cmd: Command | None = None) -> Intervention:
    if state.status != "active":
        ctx.refuse("error.not_active")
    # Held first: the announcement below is the one message that still goes out.
    ctx.add(Hold())
    ctx.send(ToChannel(), Message("intervention.paused"), through_pause=True)
    ctx.reply("intervention.paused_reply")
    # Open time-out requests are answered by the pause itself.
    requests = tuple(
        replace(r, status="handled") if r.kind == "timeout" and r.status == "open" else r
        for r in state.requests
    )
    return replace(state, status="paused", paused_at=ctx.now, requests=requests)


def resume(ctx: Ctx, state: Intervention, _cmd: Command | None = None) -> Intervention:
    if state.status != "paused":
        ctx.refuse("error.not_paused")
    paused_at = state.paused_at or ctx.now
    ctx.add(Release(paused_at))
    ctx.send(ToChannel(), Message("intervention.resumed"))
    ctx.reply("intervention.resumed_reply")
    scheduled = tuple(replace(a, due=shifted(a.due, paused_at, ctx.now)) for a in state.scheduled)
    return replace(state, status="active", paused_at=None, scheduled=scheduled)
