"""The restatement loops of a conflict space: party A restates party B's position, B answers
"yes, that's it" or "not quite" with a correction, A restates again, until B confirms or the
facilitator moves on. Only then does the space go on (bot/flows/parties.py)."""

from __future__ import annotations

from dataclasses import replace

from bot.core.conflicts import Attempt, ConflictSpace, Loop
from bot.core.effects import Audit, Button, Message, Reply, UserText
from bot.core.model import Intervention
from bot.flows.context import Ctx
from bot.flows.spaces import member_space, open_needs, put, to_space

MAX_RESTATEMENT = 1500
MAX_ROUNDS = 20  # a loop that goes this long needs the facilitator, not another round


def pairs(parties: int) -> tuple[tuple[int, int], ...]:
    """Who restates whom: each party the next one's position, around the circle (with two
    parties, A restates B and B restates A)."""
    return tuple((i, (i + 1) % parties) for i in range(parties))


def start_loops(ctx: Ctx, state: Intervention, space: ConflictSpace) -> ConflictSpace:
    loops = tuple(
        Loop(n, restater, owner)
        for n, (restater, owner) in enumerate(pairs(len(space.parties)), start=1)
    )
    space = replace(space, loops=loops)
    for lp in loops:
        _ask_restatement(ctx, state, space, lp, "conflict.restate_ask")
    return space


def _params(space: ConflictSpace, lp: Loop) -> dict[str, object]:
    return {
        "space": space.number,
        "restater": UserText(space.parties[lp.restater].name),
        "owner": UserText(space.parties[lp.owner].name),
        "round": lp.rounds,
    }


def _ask_restatement(
    ctx: Ctx, state: Intervention, space: ConflictSpace, lp: Loop, key: str, **more: object
) -> None:
    params = {**_params(space, lp), **more}
    button = Button("crestate", "button.conflict.restate", f"{space.number}.{lp.number}", "primary")
    message = Message(key, ctx_params(params), buttons=(button,))
    to_space(ctx, state, space, message, parties=(lp.restater,), facilitators=False)


def ctx_params(raw: dict[str, object]) -> dict[str, UserText | int | str]:
    return {k: v if isinstance(v, UserText | int) else str(v) for k, v in raw.items()}


def _loop_of(ctx: Ctx, state: Intervention, value: str) -> tuple[ConflictSpace, int, Loop]:
    number, _, loop_word = value.partition(".")
    space, party = member_space(ctx, state, number)
    lp = space.loop(int(loop_word)) if loop_word.isdigit() else None
    if space.phase != "restating" or lp is None or lp.ended:
        ctx.refuse("error.conflict.loop_over", space=space.number)
    return space, party, lp


def _with(space: ConflictSpace, lp: Loop) -> ConflictSpace:
    return replace(space, loops=tuple(lp if x.number == lp.number else x for x in space.loops))


def restate(ctx: Ctx, state: Intervention, value: str, text: str) -> Intervention:
    """A member of the restating party sends its restatement to the restated party."""
    space, party, lp = _loop_of(ctx, state, value)
    if party != lp.restater:
        ctx.refuse("error.conflict.not_restater", space=space.number)
    if lp.waiting_for_answer:
        ctx.refuse("error.conflict.wait_answer", space=space.number)
    if lp.rounds >= MAX_ROUNDS:
        ctx.refuse("error.conflict.rounds", space=space.number)
    text = text.strip()
    if not text or len(text) > MAX_RESTATEMENT:
        ctx.refuse("error.conflict.text", limit=MAX_RESTATEMENT)
    assert ctx.actor is not None
    lp = replace(lp, attempts=(*lp.attempts, Attempt(ctx.actor, text)))
    value = f"{space.number}.{lp.number}"
    message = Message(
        "conflict.restated",
        ctx_params({**_params(space, lp), "text": UserText(text)}),
        buttons=(
            Button("restok", "button.conflict.yes", value, "primary"),
            Button("notquite", "button.conflict.not_quite", value),
        ),
    )
    to_space(ctx, state, space, message, parties=(lp.owner,), facilitators=False)
    ctx.add(Reply(Message("conflict.restate_sent", ctx_params(_params(space, lp)))))
    return put(state, _with(space, lp))


def _answerable(ctx: Ctx, state: Intervention, value: str) -> tuple[ConflictSpace, Loop]:
    space, party, lp = _loop_of(ctx, state, value)
    if party != lp.owner:
        ctx.refuse("error.conflict.not_owner", space=space.number)
    if not lp.waiting_for_answer:
        ctx.refuse("error.conflict.no_restatement", space=space.number)
    return space, lp


def confirm(ctx: Ctx, state: Intervention, value: str) -> Intervention:
    """The restated party says "yes, that's it": the loop ends; when it was the last one, the
    space moves on to what is hard to hear and what each side needs."""
    space, lp = _answerable(ctx, state, value)
    last = replace(lp.attempts[-1], answer="confirmed", answered_by=ctx.actor)
    lp = replace(lp, attempts=(*lp.attempts[:-1], last), ended="confirmed")
    space = _with(space, lp)
    to_space(
        ctx,
        state,
        space,
        Message("conflict.confirmed", ctx_params(_params(space, lp))),
        parties=(lp.restater, lp.owner),
    )
    ctx.add(Reply(Message("conflict.confirmed_reply", ctx_params(_params(space, lp)))))
    return put(state, _after_loop(ctx, state, space))


def not_quite(ctx: Ctx, state: Intervention, value: str, text: str) -> Intervention:
    """The restated party answers "not quite" with what to correct: the restating party reads
    the correction and restates again."""
    space, lp = _answerable(ctx, state, value)
    text = text.strip()
    if not text or len(text) > MAX_RESTATEMENT:
        ctx.refuse("error.conflict.text", limit=MAX_RESTATEMENT)
    last = replace(lp.attempts[-1], answer="notquite", answered_by=ctx.actor, correction=text)
    lp = replace(lp, attempts=(*lp.attempts[:-1], last))
    space = _with(space, lp)
    _ask_restatement(ctx, state, space, lp, "conflict.corrected", correction=UserText(text))
    ctx.add(Reply(Message("conflict.corrected_reply", ctx_params(_params(space, lp)))))
    return put(state, space)


def _after_loop(ctx: Ctx, state: Intervention, space: ConflictSpace) -> ConflictSpace:
    if all(lp.ended for lp in space.loops):
        return open_needs(ctx, state, space)
    return space


def end_open_loops(
    ctx: Ctx, state: Intervention, space: ConflictSpace, by: UserText
) -> ConflictSpace:
    """The facilitator moves on: each loop still going ends as "moved on", one audit line each,
    said to both parties as it happened ("the facilitator moved on"), without judgement."""
    assert ctx.actor is not None
    for lp in space.loops:
        if lp.ended:
            continue
        lp = replace(lp, ended="moved_on")
        space = _with(space, lp)
        ctx.add(Audit(ctx.actor, "conflict.moved_on", f"space#{space.number}.loop#{lp.number}"))
        to_space(
            ctx,
            state,
            space,
            Message("conflict.loop_moved_on", ctx_params({**_params(space, lp), "by": by})),
            parties=(lp.restater, lp.owner),
        )
    return space
