"""Facilitator commands planned ahead: open, close or remind a round at a given time."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.commands import Command
from bot.core.effects import Cancel, Message, Schedule, ToUser, UserText, When
from bot.core.model import Intervention, ScheduledAction, UserId
from bot.core.when import parse_when
from bot.flows.context import Ctx
from bot.flows.rounds import resolve_round

MAX_SCHEDULED = 50
COMMANDS = {"open": "round open", "close": "round close", "remind": "round remind"}


def _timezone(state: Intervention, user: UserId | None) -> str:
    member = state.participants.get(user) if user is not None else None
    return member.timezone if member is not None and member.timezone else state.timezone


def _planned(state: Intervention, command: str) -> datetime | None:
    return next((a.due for a in state.scheduled if a.command == command), None)


def add(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`schedule open intake lundi 9h`: checked now, confirmed in the facilitator's timezone."""
    if len(cmd.words) < 2:
        ctx.refuse("error.schedule_syntax")
    spec = resolve_round(ctx, state, cmd.words[0])
    when_text = cmd.text.partition(" ")[2].strip()
    tz = _timezone(state, ctx.actor)
    due = parse_when(when_text, ctx.now, tz)
    if due is None:
        ctx.refuse("error.schedule_unparseable", text=UserText(when_text[:80]))
    if due <= ctx.now:
        ctx.refuse("error.schedule_past", when=When(due))
    if len(state.scheduled) >= MAX_SCHEDULED:
        ctx.refuse("error.schedule_too_many", limit=MAX_SCHEDULED)
    rnd = state.rounds.get(spec.key)
    if cmd.sub in ("close", "remind"):
        opens = _planned(state, f"round open {spec.key}")
        already_open = rnd is not None and rnd.status == "open"
        if not already_open and (opens is None or opens >= due):
            ctx.refuse("error.schedule_close_before_open", round=spec.key)
    elif rnd is not None:
        ctx.refuse("error.round_already_ran", round=spec.key)
    command = f"{COMMANDS[cmd.sub]} {spec.key}"
    action_id = max((a.id for a in state.scheduled), default=0) + 1
    assert ctx.actor is not None
    action = ScheduledAction(action_id, command, due, ctx.actor)
    ctx.add(Schedule(f"sched:{action_id}", due, "command", {"id": str(action_id)}))
    ctx.reply("schedule.added_reply", id=action_id, verb=cmd.sub, round=spec.key, when=When(due))
    ctx.audit_target = f"{command}@{due.isoformat()}"
    return replace(state, scheduled=(*state.scheduled, action))


def listing(ctx: Ctx, state: Intervention) -> Intervention:
    if not state.scheduled:
        ctx.reply("schedule.none")
        return state
    for a in sorted(state.scheduled, key=lambda a: a.due):
        verb, _, key = a.command.removeprefix("round ").partition(" ")
        ctx.reply("schedule.item", id=a.id, verb=verb, round=key, when=When(a.due))
    return state


def cancel(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    word = cmd.words[0].lstrip("#") if cmd.words else ""
    action = next((a for a in state.scheduled if str(a.id) == word), None)
    if action is None:
        ctx.refuse("error.schedule_unknown", id=word[:10])
    ctx.add(Cancel(f"sched:{action.id}"))
    ctx.reply("schedule.cancelled_reply", id=action.id)
    ctx.audit_target = action.command
    return replace(state, scheduled=tuple(a for a in state.scheduled if a.id != action.id))


def due_action(state: Intervention, action_id: str) -> ScheduledAction | None:
    return next((a for a in state.scheduled if str(a.id) == action_id), None)


def failed(ctx: Ctx, action: ScheduledAction) -> None:
    """A planned action that cannot run any more is reported to its author, never dropped."""
    verb, _, round_key = action.command.removeprefix("round ").partition(" ")
    ctx.send(
        ToUser(action.actor),
        Message("schedule.failed", {"id": action.id, "verb": verb, "round": round_key}),
    )
