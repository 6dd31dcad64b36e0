"""Steps with a voice: what a step is for when it opens, what came out when it ends."""

from __future__ import annotations

from bot.core.effects import Message, ToChannel, UserText
from bot.core.model import Intervention
from bot.flows.context import Ctx


def facilitator_name(ctx: Ctx, state: Intervention) -> UserText:
    """The named facilitator speaks, never an anonymous "facilitation"."""
    who = state.participants.get(ctx.actor) if ctx.actor is not None else None
    return UserText(who.display_name if who is not None else "")


def announce(ctx: Ctx, state: Intervention, kind: str) -> None:
    """The step that ends says what came out (counts only, never names) and what comes
    next; the step that opens says what it is for. Both in the facilitator's name."""
    by = facilitator_name(ctx, state)
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
