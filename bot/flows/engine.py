"""The pure engine: advance(state, event) -> Outcome; the TST rules that hold everywhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.core.commands import Command, CommandError, parse
from bot.core.effects import (
    Audit,
    Effect,
    ExportData,
    Message,
    Reply,
    SendReport,
    ToChannel,
    ToUser,
)
from bot.core.events import (
    AnswerSubmitted,
    AppRemoved,
    ChoiceMade,
    CommandIssued,
    DeliveryFailed,
    Event,
    GroupsComputed,
    NoteSubmitted,
    PersonUnreachable,
    SpaceOpened,
    TimerDue,
    VisibilityChanged,
)
from bot.core.model import STEP_KINDS, Intervention, ScheduledAction, UserId
from bot.flows import (
    apart,
    board,
    curation,
    groups,
    line,
    membership,
    pause,
    queries,
    reach,
    rounds,
    safety,
    schedule,
)
from bot.flows.context import Ctx, Facts, Policy, Refused
from bot.flows.spec import Flow

Handler = Callable[[Ctx, Intervention, Command], Intervention]


@dataclass(frozen=True, slots=True)
class Outcome:
    """The new state (None when there is no intervention) and the effects to commit with it."""

    state: Intervention | None
    effects: tuple[Effect, ...]
    refused: bool = False


def advance(
    state: Intervention | None,
    event: Event,
    *,
    flow: Flow,
    now: datetime,
    policy: Policy | None = None,
    facts: Facts | None = None,
) -> Outcome:
    """Compute what an event does. Pure: no clock, no I/O; refusals leave state untouched."""
    ctx = Ctx(event.meta, now, flow, policy or Policy(), facts=facts or Facts())
    try:
        new_state = _dispatch(ctx, state, event)
    except Refused as refusal:
        return Outcome(state, (Reply(Message(refusal.key, refusal.params)),), refused=True)
    except CommandError as error:
        return Outcome(state, (Reply(Message(error.key, dict(error.params))),), refused=True)
    if _is_safety(event):
        # A safety-line event changes nothing else, not even the language kept for its
        # author: nothing written beside an anonymous note may point at who sent it.
        return Outcome(new_state, tuple(ctx.effects))
    return Outcome(membership.keep_platform_language(new_state, event.meta), tuple(ctx.effects))


SAFETY_CHOICES = frozenset({"timeout", "withdraw", "handled", "pausenow", "inbox"})


def _is_safety(event: Event) -> bool:
    return isinstance(event, NoteSubmitted) or (
        isinstance(event, ChoiceMade) and event.action in SAFETY_CHOICES
    )


def _dispatch(ctx: Ctx, state: Intervention | None, event: Event) -> Intervention | None:
    if isinstance(event, CommandIssued):
        return _command(ctx, state, parse(event.text))
    if state is None:
        ctx.refuse("error.no_intervention")
    if isinstance(event, DeliveryFailed):  # the closing words too must reach the channel
        return reach.delivery_failed(ctx, state, event)
    if isinstance(event, AppRemoved):
        return _app_removed(ctx, state)
    if isinstance(event, PersonUnreachable):
        return reach.person_unreachable(ctx, state, event)
    if state.status == "closed":
        ctx.refuse("error.closed")
    match event:
        case AnswerSubmitted():
            return rounds.answer(ctx, state, event)
        case VisibilityChanged():
            return rounds.change_visibility(ctx, state, event)
        case ChoiceMade(action="consent"):
            return membership.consent(ctx, state, event.value)
        case ChoiceMade(action="skip"):
            return rounds.skip_all(ctx, state, event.value)
        case ChoiceMade(action="notnow"):
            return rounds.not_now(ctx, state, event.value)
        case ChoiceMade(action="myprompts"):
            return reach.my_prompts(ctx, state)
        case ChoiceMade(action="contributions"):
            return membership.contributions(ctx, state, event.value)
        case ChoiceMade(action="timeout"):
            return safety.ask_timeout(ctx, state, event.value)
        case ChoiceMade(action="withdraw"):
            return safety.withdraw(ctx, state, event.value)
        case ChoiceMade(action="handled"):
            return safety.settle(ctx, state, event.value)
        case ChoiceMade(action="pausenow"):
            return safety.pause_now(ctx, state, event.value)
        case ChoiceMade(action="inbox"):
            return safety.inbox(ctx, state)
        case NoteSubmitted():
            return safety.note(ctx, state, event)
        case ChoiceMade():
            ctx.refuse("error.unknown_action")
        case TimerDue(kind="resend"):
            user = UserId(event.payload.get("user", ""))
            return rounds.resend(ctx, state, user, event.payload.get("round", ""))
        case TimerDue(kind="command"):
            return _run_scheduled(ctx, state, event.payload.get("id", ""))
        case TimerDue(kind="action_due"):
            return board.action_due(ctx, state, event.payload.get("action", ""))
        case TimerDue():
            return state
        case GroupsComputed():
            return groups.computed(ctx, state, event)
        case SpaceOpened():
            return groups.space_opened(ctx, state, event)
    raise AssertionError(f"unhandled event {event!r}")


def _command(ctx: Ctx, state: Intervention | None, cmd: Command) -> Intervention | None:
    if cmd.name == "help":
        topic = cmd.words[0].lower() if cmd.words else ""
        if topic:
            ctx.reply("help.topic", topic=topic)
        else:
            # Two messages: each fits in one chat message on every platform.
            ctx.reply("help.body")
            ctx.reply("help.facilitator")
        line.help_extras(ctx, state)
        return state
    if cmd.name == "start":
        started = membership.start(ctx, state, cmd)
        ctx.add(Audit(ctx.actor or UserId(""), "start", ctx.audit_target))
        return started
    if state is None:
        ctx.refuse("error.no_intervention")
    if state.status == "closed" and cmd.name not in ("status", "mydata", "forget", "report"):
        ctx.refuse("error.closed")
    # Facilitator authority is checked once, here, for every command that needs it.
    if cmd.needs_facilitator() and not state.is_facilitator(ctx.actor):
        ctx.refuse("error.facilitator_only")
    handler = HANDLERS.get((cmd.name, cmd.sub)) or HANDLERS.get((cmd.name, ""))
    assert handler is not None, cmd
    after = handler(ctx, state, cmd)
    if cmd.needs_facilitator() and ctx.actor is not None:
        # Each facilitator action leaves exactly one line in the audit log.
        action = f"{cmd.name}.{cmd.sub}" if cmd.sub else cmd.name
        ctx.add(Audit(ctx.actor, action, ctx.audit_target))
    return after


def _run_scheduled(ctx: Ctx, state: Intervention, action_id: str) -> Intervention:
    """A planned command comes due: it runs as its author would have typed it then."""
    action = schedule.due_action(state, action_id)
    if action is None:
        return state  # cancelled meanwhile
    if action.every:
        state = schedule.rearm(ctx, state, action)
    else:
        state = replace(state, scheduled=tuple(a for a in state.scheduled if a.id != action.id))
    inner = Ctx(replace(ctx.meta, user=action.actor), ctx.now, ctx.flow, ctx.policy)
    try:
        result = (
            _check_in(inner, state, action)
            if action.every
            else _command(inner, state, parse(action.command))
        )
    except Refused as refusal:
        schedule.failed(ctx, action)
        ctx.send(ToUser(action.actor), Message(refusal.key, refusal.params))
        return state
    for effect in inner.effects:
        # Nobody is waiting for an ephemeral answer: the author gets it privately instead.
        if isinstance(effect, Reply):
            ctx.send(ToUser(action.actor), effect.message)
        else:
            ctx.add(effect)
    assert result is not None
    return result


def _check_in(ctx: Ctx, state: Intervention, action: ScheduledAction) -> Intervention:
    """One run of a weekly check-in: the previous run closes (its synthesis goes to the
    facilitators), the next opens, each prompt held until the hour on its reader's clock.
    Both steps are the author's facilitator actions, audited as if typed."""
    if state.status == "paused":
        ctx.refuse("error.paused")
    base = action.command.rsplit(" ", 1)[1]
    spec = ctx.flow.round(base)
    assert spec is not None, base
    previous = rounds.latest(state, base)
    if previous is not None and previous.status == "open":
        state = rounds.close(ctx, state, spec, previous)
        ctx.add(Audit(action.actor, "round.close", previous.key))
    state = rounds.open_round(ctx, state, base, "", schedule.run_times(ctx, state, action))
    opened = rounds.latest(state, base)
    ctx.add(Audit(action.actor, "round.open", opened.key if opened else base))
    return state


def _step(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    from bot.core.commands import STEP_ALIASES, fold

    word = fold(cmd.words[0]) if cmd.words else ""
    kind = STEP_ALIASES.get(word)
    if kind is None:
        ctx.refuse("error.step_choices", steps=", ".join(STEP_KINDS))
    if kind == "next":
        position = STEP_KINDS.index(state.step) + 1 if state.step else 0
        if position >= len(STEP_KINDS):
            ctx.refuse("error.no_next_step")
        kind = STEP_KINDS[position]
    if state.status == "paused":
        ctx.refuse("error.paused")
    if kind != "subgroups" and any(g.status == "open" for g in state.subgroups):
        state = _end_subgroups(ctx, state)
    ctx.send(ToChannel(), Message("step.opened", {"step": kind}))
    ctx.reply("step.opened_reply", step=kind)
    ctx.audit_target = kind
    return replace(state, step=kind, status="active")  # type: ignore[arg-type]


def _end_subgroups(ctx: Ctx, state: Intervention) -> Intervention:
    """Leaving the sub-group step archives its spaces: their rounds close first, so each
    space gets its own synthesis before it turns read-only."""
    for key, rnd in list(state.rounds.items()):
        spec = ctx.flow.round(key)
        if rnd.status == "open" and spec is not None and spec.space == "subgroup":
            state = rounds.close(ctx, state, spec, state.rounds[key])
    return groups.close_groups(ctx, state)


def _status(ctx: Ctx, state: Intervention, _cmd: Command) -> Intervention:
    where = queries.standing(state, ctx.actor, ctx.facts.undelivered)
    for message in queries.standing_messages(where):
        ctx.add(Reply(message))
    return state


def _close(ctx: Ctx, state: Intervention, _cmd: Command) -> Intervention:
    for key, rnd in sorted(state.rounds.items()):
        spec = ctx.flow.round(key)
        if rnd.status == "open" and spec is not None:
            state = rounds.close(ctx, state, spec, rnd)
    if any(g.status == "open" for g in state.subgroups):
        state = groups.close_groups(ctx, state)
    # The engine's own replies from closing rounds are noise here: keep one clear reply.
    ctx.effects = [e for e in ctx.effects if not isinstance(e, Reply)]
    ctx.send(ToChannel(), Message("intervention.closed", {"days": ctx.policy.retention_days}))
    ctx.reply("intervention.closed_reply")
    ctx.audit_target = state.title
    return replace(line.close_lines(state), status="closed", closed_at=ctx.now)


def _app_removed(ctx: Ctx, state: Intervention) -> Intervention:
    """The bot was removed from the workspace: the intervention closes where it stands, with
    nothing sent (nothing could arrive), so its answers go after the retention period like
    those of any closed intervention. A second notice (Slack sends two) changes nothing."""
    if state.status == "closed":
        return state
    ctx.add(Audit(UserId(""), "app_removed", state.title))
    return replace(state, status="closed", closed_at=ctx.now)


def _report(ctx: Ctx, state: Intervention, _cmd: Command) -> Intervention:
    assert ctx.actor is not None
    ctx.add(SendReport(ctx.actor))
    ctx.reply("report.coming")
    return state


def _mydata(ctx: Ctx, state: Intervention, _cmd: Command) -> Intervention:
    if ctx.actor is None or ctx.actor not in state.participants:
        ctx.refuse("error.not_a_participant")
    ctx.add(ExportData(ctx.actor))
    ctx.reply("mydata.coming")
    return state


def _round(fn: Callable[[Ctx, Intervention, str], Intervention]) -> Handler:
    def handler(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
        if not cmd.words:
            ctx.refuse("error.round_needs_key", rounds=", ".join(ctx.flow.round_keys()))
        return fn(ctx, state, cmd.words[0])

    return handler


def _open(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    if not cmd.words:
        ctx.refuse("error.round_needs_key", rounds=", ".join(ctx.flow.round_keys()))
    context = cmd.text.partition(" ")[2].strip()
    if len(context) > 2000:
        ctx.refuse("error.too_long", limit=2000)
    return rounds.open_round(ctx, state, cmd.words[0], context)


HANDLERS: dict[tuple[str, str], Handler] = {
    ("join", ""): lambda c, s, _m: membership.join(c, s),
    ("leave", ""): lambda c, s, _m: membership.leave(c, s),
    ("invite", ""): membership.invite,
    ("status", ""): _status,
    ("step", ""): _step,
    ("round", "open"): _open,
    ("round", "close"): _round(rounds.close_round),
    ("round", "remind"): _round(rounds.remind),
    ("round", "draft"): curation.show,
    ("round", "hold"): curation.hold,
    ("round", "merge"): curation.merge,
    ("round", "edit"): curation.edit,
    ("round", "restate"): curation.restate,
    ("publish", ""): _round(rounds.publish),
    ("groups", "propose"): groups.propose,
    ("groups", "approve"): lambda c, s, _m: groups.approve(c, s),
    ("groups", "swap"): groups.swap,
    ("groups", "move"): groups.move,
    ("groups", "close"): lambda c, s, _m: groups.close_groups(c, s),
    ("groups", "apart"): apart.apart,
    ("groups", "hierarchy"): apart.hierarchy,
    ("contract", "draft"): board.contract_draft,
    ("contract", "show"): lambda c, s, _m: board.contract_show(c, s),
    ("contract", "adopt"): lambda c, s, _m: board.contract_adopt(c, s),
    ("contract", "help"): line.set_help,
    ("board", "add"): board.board_add,
    ("board", "show"): lambda c, s, _m: board.board_show(c, s),
    ("action", "add"): board.action_add,
    ("action", "done"): board.action_done,
    ("decide", ""): board.decide,
    ("schedule", "open"): schedule.add,
    ("schedule", "close"): schedule.add,
    ("schedule", "remind"): schedule.add,
    ("schedule", "list"): lambda c, s, _m: schedule.listing(c, s),
    ("schedule", "cancel"): schedule.cancel,
    ("schedule", "every"): schedule.every,
    ("schedule", "change"): schedule.change,
    ("pause", ""): pause.pause,
    ("resume", ""): pause.resume,
    ("close", ""): _close,
    ("report", ""): _report,
    ("answer", ""): lambda c, s, _m: rounds.send_pending(c, s),
    ("mydata", ""): _mydata,
    ("forget", ""): lambda c, s, _m: membership.forget(c, s),
    ("lang", ""): membership.set_lang,
    ("tz", ""): membership.set_tz,
    ("profile", ""): membership.profile,
    ("talk", ""): line.talk,
    ("timeout", ""): safety.timeout_command,
    ("inbox", ""): lambda c, s, _m: safety.inbox(c, s),
}
