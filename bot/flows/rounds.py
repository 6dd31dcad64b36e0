"""Rounds: open, answer (validated, with visibility), one reminder, close and reveal, publish."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.effects import Message, Reply, Schedule, ToChannel, ToSpace, ToUser, UserText
from bot.core.events import AnswerSubmitted, VisibilityChanged
from bot.core.model import (
    Intervention,
    Response,
    ResponseId,
    RoundState,
    Synthesis,
    UserId,
    Visibility,
)
from bot.core.overlay import put_all
from bot.core.vocabulary import matching_rounds, round_names
from bot.core.wording import RoundWords
from bot.flows import consent, curation, pull
from bot.flows.answers import (
    as_recorded,
    authored,
    confirmation,
    entries_of,
    problems,
    unknown_prompt,
)
from bot.flows.board import published_synthesis
from bot.flows.context import Ctx
from bot.flows.prompts import prompt_message
from bot.flows.queries import waiting_rounds
from bot.flows.spec import RoundSpec, base_key, occurrence_key, occurrence_number
from bot.flows.synthesis import prompt_keys, synthesize

ANSWER_NAMESPACE = uuid.UUID("6f1c2a52-7d0e-4d43-9a55-6f0b5a1d2c11")


def resolve_round(
    ctx: Ctx, state: Intervention, word: str, repeatable_only: bool = False
) -> RoundSpec:
    """Accept a round as people type it, in French or English (`intake`, `contrat.consentement`,
    `baromètre`); a run number (`barometer@2`) names the same round. Among several rounds
    of that name, the current step's is meant; otherwise the person is shown the choices."""
    word = base_key(word)
    spec = ctx.flow.round(word)
    if spec is not None:
        return spec
    matches = matching_rounds(word, ctx.flow.round_keys())
    if repeatable_only:
        matches = [
            k for k in matches if (found := ctx.flow.round(k)) and found.repeatable
        ] or matches
    if state.step is not None:
        in_step = [k for k in matches if k.startswith(state.step + ".")]
        matches = in_step or matches
    if len(matches) == 1:
        found = ctx.flow.round(matches[0])
        assert found is not None
        return found
    ctx.refuse(
        "error.unknown_round",
        round=UserText(word[:60]),
        rounds=round_names(matches or ctx.flow.round_keys()),
    )


def latest(state: Intervention, base: str) -> RoundState | None:
    """The most recent run of a round (a repeatable check-in runs several times)."""
    runs = [r for k, r in state.rounds.items() if base_key(k) == base]
    return max(runs, key=lambda r: occurrence_number(r.key), default=None)


def open_round(
    ctx: Ctx,
    state: Intervention,
    word: str,
    context: str,
    deliver_at: Mapping[UserId, datetime] | None = None,
    among: Collection[UserId] | None = None,
) -> Intervention:
    """Open a round, or the next run of a repeatable one. `deliver_at` holds a person's
    prompt until a local hour of theirs (a check-in at 9:00 in each timezone); `among`
    narrows who is asked (a check-in asks only those who opted in)."""
    if state.status == "paused":
        ctx.refuse("error.paused")
    spec = resolve_round(ctx, state, word)
    existing = latest(state, spec.key)
    key = spec.key
    if existing is not None:
        if existing.status == "open" or not spec.repeatable:
            ctx.refuse(
                "error.round_already_open"
                if existing.status == "open"
                else "error.round_already_ran",
                round=existing.key,
            )
        key = occurrence_key(spec.key, occurrence_number(existing.key) + 1)
    items = spec.items(state) if spec.items is not None else ()
    if spec.needs_items and not items:
        ctx.refuse(f"error.round_needs_items.{spec.key}")
    step = ctx.flow.step_of_round(spec.key)
    assert step is not None
    if spec.space == "subgroup":
        groups = [g for g in state.subgroups if g.status == "open"]
        if not groups:
            ctx.refuse("error.no_open_groups")
        recipients = frozenset(u for g in groups for u in g.members)
        for g in groups:
            ctx.send(ToSpace(g.index), prompt_message("round.prompt_space", key))
    else:
        recipients = frozenset(u for u in state.askable() if among is None or u in among)
        prompt = prompt_message("round.prompt", key)  # one message, shared by every recipient
        # In pull mode only those who asked for direct messages get one; the rest press
        # "My prompts" under the channel's announcement.
        for user in pull.direct(state, ctx.policy, recipients):
            ctx.send(ToUser(user), prompt, at=(deliver_at or {}).get(user))
    if not recipients:
        ctx.refuse("error.nobody_to_ask")
    # The round is asked in the facilitators' words as they stand now (bot/flows/wording.py):
    # a change made while it runs is for the next rounds.
    w = state.wording
    words = RoundWords(
        tuple(x for x in w.words if x.round == spec.key),
        tuple(q for q in w.questions if q.round == spec.key),
    )
    rnd = RoundState(key, "open", ctx.now, recipients, items=items, context=context, words=words)
    state = replace(state, rounds={**state.rounds, key: rnd}, status="active")
    if state.step != step.kind:
        state = replace(state, step=step.kind)
    state = consent.opened(state, spec, items)
    ctx.send(ToChannel(), pull.opened(state, ctx.policy, key, len(recipients)))
    ctx.reply("round.opened_reply", round=key, count=len(recipients))
    ctx.audit_target = key
    return state


def named_run(ctx: Ctx, state: Intervention, word: str) -> tuple[RoundSpec, RoundState | None]:
    """The round a facilitator names: its latest run, or the exact one (`barometer@2`)."""
    spec = resolve_round(ctx, state, word)
    if "@" in word:
        exact = occurrence_key(spec.key, occurrence_number(word))
        return spec, state.rounds.get(exact)
    return spec, latest(state, spec.key)


def _open_round(ctx: Ctx, state: Intervention, word: str) -> tuple[RoundSpec, RoundState]:
    spec, rnd = named_run(ctx, state, word)
    if rnd is None or rnd.status != "open":
        ctx.refuse("error.round_not_open", round=rnd.key if rnd else spec.key)
    return spec, rnd


def round_answers(state: Intervention, key: str) -> list[Response]:
    return sorted((r for r in state.responses.values() if r.round_key == key), key=lambda r: r.id)


def responders(state: Intervention, key: str) -> frozenset[UserId]:
    return frozenset(r.author for r in state.responses.values() if r.round_key == key)


def remind(ctx: Ctx, state: Intervention, word: str) -> Intervention:
    _spec, rnd = _open_round(ctx, state, word)
    if rnd.reminded:
        ctx.refuse("error.already_reminded", round=rnd.key)
    pending = sorted(rnd.recipients - responders(state, rnd.key))
    for user in pull.direct(state, ctx.policy, pending):
        # The same words for everyone: a reminder never says who has or has not answered.
        ctx.send(ToUser(user), prompt_message("round.reminder", rnd.key))
    pull.remind_channel(ctx, state, rnd.key)
    ctx.reply("round.reminded_reply", round=rnd.key, count=len(pending))
    ctx.audit_target = rnd.key
    return replace(state, rounds={**state.rounds, rnd.key: replace(rnd, reminded=True)})


def close_round(ctx: Ctx, state: Intervention, word: str) -> Intervention:
    spec, rnd = _open_round(ctx, state, word)
    return close(ctx, state, spec, rnd)


def close(ctx: Ctx, state: Intervention, spec: RoundSpec, rnd: RoundState) -> Intervention:
    """Close a round: reveal in sub-groups, synthesize for the group and the facilitators."""
    answers = round_answers(state, rnd.key)
    closed = replace(rnd, status="closed", closed_at=ctx.now)
    syntheses = dict(state.syntheses)
    if spec.space == "subgroup":
        for g in state.subgroups:
            if g.status == "open" and set(g.members) & rnd.recipients:
                view = synthesize(state, spec, closed, answers, "subgroup", g.index)
                ctx.send(ToSpace(g.index), Message("synthesis.subgroup", synthesis=view))
        # Outside the sub-groups only participation is kept: their content stays inside.
        syntheses[rnd.key] = Synthesis(
            rnd.key, "participation", len(rnd.recipients), len({r.author for r in answers}), ()
        )
    elif spec.reveal == "on_close":
        syntheses[rnd.key] = synthesize(state, spec, closed, answers, "group")
    ctx.to_facilitators(
        state,
        Message(
            "synthesis.facilitator",
            synthesis=synthesize(state, spec, closed, answers, "facilitator"),
        ),
    )
    # The facilitators review the group's view privately before anything is posted.
    curation.offer(ctx, state, syntheses.get(rnd.key))
    answered = len({r.author for r in answers})
    k = state.k_anonymity_min
    ctx.send(
        ToChannel(),
        Message(
            "round.closed" if answered >= k else "round.closed_few",
            {"round": rnd.key, "answered": answered, "k": k},
        ),
    )
    # Answers of a closed round leave the engine's state; the store keeps them.
    remaining = {i: r for i, r in state.responses.items() if r.round_key != rnd.key}
    state = replace(
        state,
        rounds={**state.rounds, rnd.key: closed},
        responses=remaining,
        syntheses=syntheses,
    )
    if spec.on_close is not None:
        state = spec.on_close(state, closed, answers, ctx.now)
    state = consent.closed(ctx, state, spec, closed, answers)
    ctx.reply("round.closed_reply", round=rnd.key, answered=answered)
    ctx.audit_target = rnd.key
    return state


def publish(ctx: Ctx, state: Intervention, word: str) -> Intervention:
    spec, rnd = named_run(ctx, state, word)
    if rnd is None or rnd.status != "closed":
        ctx.refuse("error.publish_before_close", round=rnd.key if rnd else spec.key)
    if spec.space == "subgroup":
        ctx.refuse("error.subgroup_content_stays")
    synthesis = state.syntheses.get(rnd.key)
    if synthesis is None:
        ctx.refuse("error.nothing_to_publish", round=rnd.key)
    if rnd.published:
        ctx.refuse("error.already_published", round=rnd.key)
    ctx.send(ToChannel(), published_synthesis(curation.curated(synthesis)))
    ctx.reply("synthesis.published_reply", round=rnd.key)
    ctx.audit_target = rnd.key
    return replace(state, rounds={**state.rounds, rnd.key: replace(rnd, published=True)})


def answer(ctx: Ctx, state: Intervention, ev: AnswerSubmitted) -> Intervention:
    """A form sent: checked by the one validator, then recorded and confirmed once; sent again
    unchanged (a double submission), it changes nothing and is not confirmed again."""
    user = ctx.actor
    spec = ctx.flow.round(ev.round_key)
    rnd = state.rounds.get(ev.round_key)
    if spec is None or rnd is None:
        ctx.refuse("error.unknown_round", round=ev.round_key[:60], rounds="")
    if rnd.status != "open":
        ctx.refuse("error.round_closed_for_answers", round=rnd.key)
    participant = state.participants.get(user) if user is not None else None
    if participant is None or not participant.reachable or user not in rnd.recipients:
        ctx.refuse("error.not_a_recipient")
    assert user is not None
    mine = {r.prompt_key: r for r in authored(state, rnd.key, user)}
    # A form without a visibility choice (a skip) keeps the one its author already made.
    kept = next(iter(mine.values())).visibility if mine else spec.default_visibility
    visibility: Visibility = ev.visibility or kept
    if visibility not in spec.allowed:
        ctx.refuse("error.visibility_not_allowed")
    problem = next(iter(problems(spec, rnd, ev.answers)), None)
    problem = problem or unknown_prompt(spec, rnd, ev.left_empty)
    if problem is not None:
        ctx.refuse(problem.key, **problem.params)
    group = state.subgroup_of(user) if spec.space == "subgroup" else None
    # The author's answers in this round as they will be; the others are not copied.
    written: dict[ResponseId, Response] = {r.id: r for r in mine.values()}
    entries = entries_of(ev)
    if not entries:
        ctx.refuse("error.empty_answer")
    for key, entry in entries:
        previous = mine.get(key)
        rid = (
            previous.id
            if previous
            else ResponseId(
                str(uuid.uuid5(ANSWER_NAMESPACE, f"{ev.meta.platform}:{ev.meta.event_id}:{key}"))
            )
        )
        written[rid] = Response(
            rid,
            rnd.key,
            key,
            user,
            entry,
            visibility,
            entry is None,
            group.index if group else None,
        )
    # An edit moves all of the author's answers in the round to the visibility just chosen.
    for rid, r in written.items():
        if r.visibility != visibility:
            written[rid] = replace(r, visibility=visibility)
    after = {r.prompt_key: r for r in written.values()}
    if as_recorded(after) == as_recorded(mine):
        return state  # the same form again: nothing changed, and it was confirmed already
    ctx.add(Reply(confirmation(spec, rnd, mine, entries, visibility)))
    changed = [(rid, r) for rid, r in written.items() if state.responses.get(rid) is not r]
    return replace(state, responses=put_all(state.responses, changed))


def skip_all(ctx: Ctx, state: Intervention, round_key: str) -> Intervention:
    """ "Je passe": the whole round is skipped, which counts as an answer for reminders. Answers
    already given stay: a click never erases what someone wrote (the form can)."""
    spec = ctx.flow.round(round_key)
    rnd = state.rounds.get(round_key)
    if spec is None or rnd is None:
        ctx.refuse("error.unknown_round", round=round_key[:60], rounds="")
    if any(
        r.round_key == round_key and r.author == ctx.actor and not r.skipped
        for r in state.responses.values()
    ):
        ctx.refuse("confirm.answers_kept", round=round_key)
    keys = prompt_keys(spec, rnd)
    ev = AnswerSubmitted(ctx.meta, state.id, round_key, {}, None, keys)
    return answer(ctx, state, ev)


def not_now(ctx: Ctx, state: Intervention, round_key: str) -> Intervention:
    rnd = state.rounds.get(round_key)
    user = ctx.actor
    if rnd is None or rnd.status != "open" or user is None or user not in rnd.recipients:
        ctx.refuse("error.round_closed_for_answers", round=round_key[:60])
    if user in rnd.deferred:
        return state  # a second click: the prompt is already planned, and that was confirmed
    due = ctx.now + timedelta(hours=ctx.policy.not_now_hours)
    ctx.add(
        Schedule(f"notnow:{round_key}:{user}", due, "resend", {"user": user, "round": round_key})
    )
    ctx.reply("answer.not_now", hours=ctx.policy.not_now_hours)
    deferred = replace(rnd, deferred=rnd.deferred | {user})
    return replace(state, rounds={**state.rounds, round_key: deferred})


def resend(ctx: Ctx, state: Intervention, user: UserId, round_key: str) -> Intervention:
    """A "not now" timer came due: send the prompt again if it still waits for an answer."""
    rnd = state.rounds.get(round_key)
    if rnd is None or user not in rnd.deferred:
        return state
    if rnd.status == "open" and user not in responders(state, round_key):
        participant = state.participants.get(user)
        if participant is not None and participant.reachable:
            ctx.send(ToUser(user), prompt_message("round.prompt_again", round_key))
    # "Not now" may be said again from now on.
    return replace(
        state, rounds={**state.rounds, round_key: replace(rnd, deferred=rnd.deferred - {user})}
    )


def send_pending(ctx: Ctx, state: Intervention) -> Intervention:
    """`/tst answer`: the person gets their waiting prompts again, privately."""
    user = ctx.actor
    if user is None or user not in state.participants:
        ctx.refuse("error.not_a_participant")
    waiting = waiting_rounds(state, user)
    for key in waiting:
        ctx.send(ToUser(user), prompt_message("round.prompt_again", key))
    ctx.reply("answer.pending", count=len(waiting))
    return state


def change_visibility(ctx: Ctx, state: Intervention, ev: VisibilityChanged) -> Intervention:
    """Only the author changes their answers' visibility: that act is their consent."""
    spec = ctx.flow.round(ev.round_key)
    rnd = state.rounds.get(ev.round_key)
    if spec is None or rnd is None or rnd.status != "open":
        ctx.refuse("error.round_closed_for_answers", round=ev.round_key[:60])
    if ev.visibility not in spec.allowed:
        ctx.refuse("error.visibility_not_allowed")
    mine = authored(state, ev.round_key, ctx.actor)
    if not mine:
        ctx.refuse("error.nothing_to_change")
    updated = put_all(state.responses, [(r.id, replace(r, visibility=ev.visibility)) for r in mine])
    ctx.reply("answer.visibility_changed", visibility=ev.visibility)
    return replace(state, responses=updated)
