"""Commands about the intervention as a whole (its step, its closing) and the facilitator's
round commands, which take a round's name first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.core.commands import Command
from bot.core.effects import Message, Reply, ToChannel
from bot.core.model import Intervention
from bot.core.vocabulary import round_names
from bot.flows import groups, line, rounds
from bot.flows.context import Ctx

Handler = Callable[[Ctx, Intervention, Command], Intervention]


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
