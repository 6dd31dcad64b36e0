"""Facilitator commands planned ahead: open, close or remind a round at a given time, weekly
check-ins at each person's local hour, and the list, change and cancel of what is planned."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.commands import Command
from bot.core.effects import Cancel, Message, Schedule, ToUser, UserText, When
from bot.core.model import Intervention, ScheduledAction, UserId
from bot.core.vocabulary import round_names
from bot.core.when import parse_when
from bot.flows.checkins import invite, opted_in
from bot.flows.context import Ctx
from bot.flows.recurrence import Weekly, local_instant, next_run, parse_weekly, run_day
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
    _not_paused(ctx, state)
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
    action_id = _next_id(state)
    assert ctx.actor is not None
    action = ScheduledAction(action_id, command, due, ctx.actor)
    ctx.add(Schedule(f"sched:{action_id}", due, "command", {"id": str(action_id)}))
    ctx.reply("schedule.added_reply", id=action_id, verb=cmd.sub, round=spec.key, when=When(due))
    ctx.audit_target = f"{command}@{due.isoformat()}"
    return replace(state, scheduled=(*state.scheduled, action))


def _not_paused(ctx: Ctx, state: Intervention) -> None:
    """While paused, everything planned waits and moves on by the pause's length when the
    process resumes: planning a new time meanwhile would make "when" mean two things."""
    if state.status == "paused":
        ctx.refuse("error.paused")


def _next_id(state: Intervention) -> int:
    return max((a.id for a in state.scheduled), default=0) + 1


def participant_zones(state: Intervention) -> dict[UserId, str]:
    """Each person asked in a check-in (those who asked for it), with the timezone their
    local hour is read in."""
    return {u: _timezone(state, u) for u in opted_in(state)}


def _opening_zones(state: Intervention) -> list[str]:
    """The timezones a run must be open in time for: everyone who may ask for the check-ins,
    not only those who have so far. A person who says yes after the run was planned still
    gets it at their own hour (Tokyo's 9:00 comes before Paris's)."""
    return [_timezone(state, u) for u in state.askable()]


def every(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`schedule every barometer monday 9am`: a weekly check-in at 9:00 in each person's own
    timezone. Each run closes the previous one, so answers are compared week by week."""
    _not_paused(ctx, state)
    if len(cmd.words) < 2:
        ctx.refuse("error.schedule_every_syntax")
    spec = resolve_round(ctx, state, cmd.words[0], repeatable_only=True)
    if not spec.repeatable:
        repeatable = [r.key for s in ctx.flow.steps for r in s.rounds if r.repeatable]
        ctx.refuse("error.schedule_not_repeatable", round=spec.key, rounds=round_names(repeatable))
    rule = parse_weekly(cmd.words[1:])
    if rule is None:
        ctx.refuse("error.schedule_every_syntax")
    if len(state.scheduled) >= MAX_SCHEDULED:
        ctx.refuse("error.schedule_too_many", limit=MAX_SCHEDULED)
    command = f"round open {spec.key}"
    if any(a.every and a.command == command for a in state.scheduled):
        ctx.refuse("error.schedule_every_exists", round=spec.key)
    due = next_run(rule, ctx.now, _opening_zones(state), state.timezone)
    assert ctx.actor is not None
    action = ScheduledAction(_next_id(state), command, due, ctx.actor, rule.encode())
    ctx.add(Schedule(f"sched:{action.id}", due, "command", {"id": str(action.id)}))
    ctx.reply("schedule.every_added_reply", (), **_every_params(state, action, rule, ctx.actor))
    ctx.audit_target = f"{command} every {action.every}"
    invite(ctx, state, spec.key)
    return replace(state, scheduled=(*state.scheduled, action))


def _every_params(
    state: Intervention, action: ScheduledAction, rule: Weekly, reader: UserId | None
) -> dict[str, object]:
    """What a weekly check-in looks like to `reader`: its next run at their own hour."""
    day = run_day(rule, action.due, state.timezone)
    return {
        "id": action.id,
        "round": action.command.rsplit(" ", 1)[1],
        "weekday": rule.code,
        "time": f"{rule.at:%H:%M}",
        "when": When(local_instant(day, rule.at, _timezone(state, reader))),
    }


def rearm(ctx: Ctx, state: Intervention, action: ScheduledAction) -> Intervention:
    """A weekly check-in ran (or tried to): plan its next run, with today's timezones."""
    rule = Weekly.decode(action.every)
    due = next_run(rule, ctx.now, _opening_zones(state), state.timezone)
    ctx.add(Schedule(f"sched:{action.id}", due, "command", {"id": str(action.id)}))
    return _replace_action(state, replace(action, due=due))


def run_times(ctx: Ctx, state: Intervention, action: ScheduledAction) -> dict[UserId, datetime]:
    """When each person gets this run's prompt: the rule's hour on their own clock."""
    rule = Weekly.decode(action.every)
    day = run_day(rule, ctx.now, state.timezone)
    return {u: local_instant(day, rule.at, tz) for u, tz in participant_zones(state).items()}


def change(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`schedule change 3 tuesday 10am`: a new time for a planned action (or a new day and
    hour for a weekly check-in), checked like a new one."""
    _not_paused(ctx, state)
    word = cmd.words[0].lstrip("#") if cmd.words else ""
    action = next((a for a in state.scheduled if str(a.id) == word), None)
    if action is None:
        ctx.refuse("error.schedule_unknown", id=word[:10])
    if len(cmd.words) < 2:
        ctx.refuse("error.schedule_change_syntax")
    if action.every:
        rule = parse_weekly(cmd.words[1:])
        if rule is None:
            ctx.refuse("error.schedule_every_syntax")
        due = next_run(rule, ctx.now, _opening_zones(state), state.timezone)
        moved = replace(action, due=due, every=rule.encode())
    else:
        when_text = " ".join(cmd.words[1:])
        parsed = parse_when(when_text, ctx.now, _timezone(state, ctx.actor))
        if parsed is None:
            ctx.refuse("error.schedule_unparseable", text=UserText(when_text[:80]))
        if parsed <= ctx.now:
            ctx.refuse("error.schedule_past", when=When(parsed))
        _check_order(ctx, state, action, parsed)
        moved = replace(action, due=parsed)
    ctx.add(Schedule(f"sched:{action.id}", moved.due, "command", {"id": str(action.id)}))
    ctx.reply("schedule.changed_reply", id=action.id, when=When(moved.due))
    ctx.audit_target = f"{action.command}@{moved.due.isoformat()}"
    return _replace_action(state, moved)


def _replace_action(state: Intervention, moved: ScheduledAction) -> Intervention:
    return replace(
        state, scheduled=tuple(moved if a.id == moved.id else a for a in state.scheduled)
    )


def _check_order(ctx: Ctx, state: Intervention, action: ScheduledAction, due: datetime) -> None:
    """Moving an opening after its planned closing (or a closing before its opening) would
    leave a plan that cannot run: refuse it now rather than fail later."""
    verb, _, key = action.command.removeprefix("round ").partition(" ")
    for other in state.scheduled:
        other_verb, _, other_key = other.command.removeprefix("round ").partition(" ")
        if other.every or other_key != key or other.id == action.id:
            continue
        if verb == "open" and other_verb in ("close", "remind") and other.due <= due:
            ctx.refuse("error.schedule_close_before_open", round=key)
        if verb in ("close", "remind") and other_verb == "open" and other.due >= due:
            rnd = state.rounds.get(key)
            if rnd is None or rnd.status != "open":
                ctx.refuse("error.schedule_close_before_open", round=key)


def listing(ctx: Ctx, state: Intervention) -> Intervention:
    if not state.scheduled:
        ctx.reply("schedule.none")
        return state
    for a in sorted(state.scheduled, key=lambda a: a.due):
        if a.every:
            rule = Weekly.decode(a.every)
            ctx.reply("schedule.item_every", (), **_every_params(state, a, rule, ctx.actor))
            continue
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
