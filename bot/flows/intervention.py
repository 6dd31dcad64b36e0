"""Commands about the intervention as a whole (its step, its closing) and the facilitator's
round commands, which take a round's name first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.core.commands import Command
from bot.core.effects import Message, Reply, ToChannel
from bot.core.model import STEP_KINDS, Intervention
from bot.core.vocabulary import round_names, step_kind, step_names
from bot.flows import groups, line, rounds
from bot.flows.context import Ctx

Handler = Callable[[Ctx, Intervention, Command], Intervention]


def open_step(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    kind = step_kind(cmd.words[0]) if cmd.words else None
    if kind is None:
        ctx.refuse("error.step_choices", steps=step_names())
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


def close(ctx: Ctx, state: Intervention, _cmd: Command) -> Intervention:
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


def on_round(fn: Callable[[Ctx, Intervention, str], Intervention]) -> Handler:
    def handler(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
        if not cmd.words:
            ctx.refuse("error.round_needs_key", rounds=round_names(ctx.flow.round_keys()))
        return fn(ctx, state, cmd.words[0])

    return handler


def open_round(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    if not cmd.words:
        ctx.refuse("error.round_needs_key", rounds=round_names(ctx.flow.round_keys()))
    context = cmd.text.partition(" ")[2].strip()
    if len(context) > 2000:
        ctx.refuse("error.too_long", limit=2000)
    return rounds.open_round(ctx, state, cmd.words[0], context)
