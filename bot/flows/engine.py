"""The pure engine: advance(state, event) -> Outcome; the TST rules that hold everywhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.core.commands import Command, CommandError
from bot.core.effects import (
    Audit,
    Effect,
    Message,
    Reply,
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
from bot.core.model import Intervention, ScheduledAction, UserId
from bot.flows import (
    actions,
    checkins,
    consent,
    groups,
    membership,
    parties,
    pull,
    reach,
    refusals,
    reportback,
    restating,
    rounds,
    safety,
    schedule,
    wording,
)
from bot.flows.command_table import TABLE, Anywhere
from bot.flows.context import Ctx, Facts, Policy, Refused
from bot.flows.spec import Flow


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


# Forms of one text whose handler takes what the form was about (`value`) and the text.
FORMS: dict[str, Callable[[Ctx, Intervention, str, str], Intervention]] = {
    "words": wording.written,  # a question's words in one language
    "possible": refusals.relay,  # what would make an answer possible, to the facilitators
    "decline": actions.decline,  # why an action's owner declines it
    "blocked": actions.blocked,  # what blocks an accepted action
    "cposition": parties.write,  # a party's position (or needs) in a conflict space
    "crestate": restating.restate,  # a restatement of another party's position
    "notquite": restating.not_quite,  # the correction after « pas tout à fait »
    "rbchange": reportback.change,  # other words for a sub-group's report-back
}


def _dispatch(ctx: Ctx, state: Intervention | None, event: Event) -> Intervention | None:
    if isinstance(event, CommandIssued):
        return _command(ctx, state, TABLE.parse(event.text))
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
            after = rounds.answer(ctx, state, event)
            consent.after_answer(ctx, state, after, event)
            return after
        case VisibilityChanged():
            return rounds.change_visibility(ctx, state, event)
        case ChoiceMade(action="consent"):
            return membership.consent(ctx, state, event.value)
        case ChoiceMade(action="skip"):
            skipped = rounds.skip_all(ctx, state, event.value)
            refusals.ask(ctx, state, skipped, event.value)
            return skipped
        case ChoiceMade(action="notnow"):
            deferred = rounds.not_now(ctx, state, event.value)
            refusals.ask(ctx, state, deferred, event.value)
            return deferred
        case ChoiceMade(action="myprompts"):
            return reach.my_prompts(ctx, state)
        case ChoiceMade(action="dms"):
            return pull.dms_choice(ctx, state, event.value)
        case ChoiceMade(action="accept"):
            return actions.accept(ctx, state, event.value)
        case ChoiceMade(action="actdone"):
            return actions.done(ctx, state, event.value)
        case ChoiceMade(action="restok"):
            return restating.confirm(ctx, state, event.value)
        case ChoiceMade(action="rbagree"):
            return reportback.agree(ctx, state, event.value)
        case ChoiceMade(action="checkins"):
            return checkins.choose(ctx, state, event.value)
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
        case ChoiceMade(action="dashboard"):  # the status's button: as if typed
            return _command(ctx, state, TABLE.parse("dashboard"))
        case ChoiceMade(action="words"):
            return wording.confirm(ctx, state, event.value)
        case ChoiceMade(action="words_reset"):  # the button under one question: as if typed
            round_key, _, number = event.value.partition("|")
            return _command(ctx, state, TABLE.parse(f"round wording {round_key} {number} default"))
        case ChoiceMade(action="notes"):
            return _command(ctx, state, TABLE.parse("note list"))
        case ChoiceMade(action="notedel"):
            return _command(ctx, state, TABLE.parse(f"note delete {event.value}"))
        case NoteSubmitted(action="fnote"):  # the note form: its text kept as written
            return _command(ctx, state, Command("note", "add", (), event.text))
        case NoteSubmitted(action="tsave"):  # the template form: its name
            return _command(ctx, state, Command("template", "save", (), event.text))
        case NoteSubmitted(action=action) if action in FORMS:
            return FORMS[action](ctx, state, event.value, event.text)
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
            return actions.due(ctx, state, event.payload.get("action", ""))
        case TimerDue():
            return state
        case GroupsComputed():
            return groups.computed(ctx, state, event)
        case SpaceOpened():
            return groups.space_opened(ctx, state, event)
    raise AssertionError(f"unhandled event {event!r}")


def _command(ctx: Ctx, state: Intervention | None, cmd: Command) -> Intervention | None:
    runs = TABLE.handler(cmd)
    if isinstance(runs, Anywhere):
        return runs.run(ctx, state, cmd)
    if state is None:
        ctx.refuse("error.no_intervention")
    if state.status == "closed" and not TABLE.spec(cmd.name).when_closed:
        ctx.refuse("error.closed")
    # Facilitator authority is checked once, here, for every command that needs it.
    facilitator_only = TABLE.needs_facilitator(cmd)
    if facilitator_only and not state.is_facilitator(ctx.actor):
        ctx.refuse("error.facilitator_only")
    after = runs(ctx, state, cmd)
    if facilitator_only and ctx.actor is not None:
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
            else _command(inner, state, TABLE.parse(action.command))
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
    asked = checkins.opted_in(state)
    if not asked:  # said to the facilitator who planned it; next week's run still comes
        ctx.reply("checkins.nobody_reply", round=base)
        return state
    times = schedule.run_times(ctx, state, action)
    state = rounds.open_round(ctx, state, base, "", times, among=asked)
    opened = rounds.latest(state, base)
    ctx.add(Audit(action.actor, "round.open", opened.key if opened else base))
    return state


def _app_removed(ctx: Ctx, state: Intervention) -> Intervention:
    """The bot was removed from the workspace: the intervention closes where it stands, with
    nothing sent (nothing could arrive), so its answers go after the retention period like
    those of any closed intervention. A second notice (Slack sends two) changes nothing."""
    if state.status == "closed":
        return state
    ctx.add(Audit(UserId(""), "app_removed", state.title))
    return replace(state, status="closed", closed_at=ctx.now)
