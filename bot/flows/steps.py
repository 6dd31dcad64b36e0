"""Steps with a voice: what a step is for when it opens, what came out when it ends."""

from __future__ import annotations

from dataclasses import replace

from bot.core.commands import Command
from bot.core.effects import Message, ToChannel
from bot.core.model import STEP_KINDS, Intervention
from bot.core.vocabulary import step_kind, step_names
from bot.flows import groups, rounds
from bot.flows.context import Ctx


def announce(ctx: Ctx, state: Intervention, kind: str) -> None:
    """The step that ends says what came out (counts only, never names) and what comes
    next; the step that opens says what it is for. Both in the facilitator's name."""
    by = ctx.speaker(state)
    previous = state.step
    if previous is not None and previous != kind:
        ran = [
            k
            for k, r in state.rounds.items()
            if r.status == "closed" and k.partition(".")[0] == previous
        ]
        answered = sum(s.answered for k, s in state.syntheses.items() if k in ran)
        ctx.send(
            ToChannel(),
            Message(
                "step.closed",
                {
                    "step": previous,
                    "next": kind,
                    "by": by,
                    "rounds": len(ran),
                    "answered": answered,
                },
            ),
        )
    ctx.send(ToChannel(), Message("step.opened", {"step": kind, "intro": kind, "by": by}))


def open_step(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`step <kind|next>`: the step that ends and the one that opens speak in the channel."""
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
        state = end_subgroups(ctx, state)
    announce(ctx, state, kind)
    ctx.reply("step.opened_reply", step=kind)
    ctx.audit_target = kind
    return replace(state, step=kind, status="active")  # type: ignore[arg-type]


def end_subgroups(ctx: Ctx, state: Intervention) -> Intervention:
    """Leaving the sub-group step archives its spaces: their rounds close first, so each
    space gets its own synthesis before it turns read-only."""
    for key, rnd in list(state.rounds.items()):
        spec = ctx.flow.round(key)
        if rnd.status == "open" and spec is not None and spec.space == "subgroup":
            state = rounds.close(ctx, state, spec, state.rounds[key])
    return groups.close_groups(ctx, state)
