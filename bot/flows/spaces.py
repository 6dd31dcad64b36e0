"""What the conflict-space handlers share: finding a space and a member's party in it, and
sending to a space (its members and its facilitators, never the channel)."""

from __future__ import annotations

from dataclasses import replace

from bot.core.conflicts import ConflictSpace, SpacePhase
from bot.core.effects import Button, Message, ToUser, UserText
from bot.core.model import Intervention, UserId
from bot.flows.context import Ctx


def space_of(ctx: Ctx, state: Intervention, word: str) -> ConflictSpace:
    number = word.strip().lstrip("#")
    space = next((s for s in state.conflicts if str(s.number) == number), None)
    if space is None:
        ctx.refuse("error.conflict.unknown", space=number[:12])
    return space


def put(state: Intervention, space: ConflictSpace) -> Intervention:
    return replace(
        state, conflicts=tuple(space if s.number == space.number else s for s in state.conflicts)
    )


def names(space: ConflictSpace, indexes: tuple[int, ...] | None = None) -> str:
    chosen = range(len(space.parties)) if indexes is None else indexes
    return ", ".join(space.parties[i].name for i in chosen)


def write_button(number: int, phase: SpacePhase) -> Button:
    label = "button.conflict.position" if phase == "positions" else "button.conflict.needs"
    return Button("cposition", label, str(number), "primary")


def member_space(ctx: Ctx, state: Intervention, word: str) -> tuple[ConflictSpace, int]:
    """The space a button or form names, and the actor's party in it."""
    space = space_of(ctx, state, word)
    member = state.participants.get(ctx.actor) if ctx.actor is not None else None
    party = space.party_of(ctx.actor) if ctx.actor is not None else None
    if member is None or not member.reachable or party is None:
        ctx.refuse("error.conflict.not_member", space=space.number)
    return space, party


def to_space(
    ctx: Ctx,
    state: Intervention,
    space: ConflictSpace,
    message: Message,
    parties: tuple[int, ...] | None = None,
    facilitators: bool = True,
) -> None:
    """A message to the space's members (or some of its parties) and, for what marks the
    process, its facilitators: never to the channel."""
    chosen = range(len(space.parties)) if parties is None else parties
    people = [u for i in chosen for u in space.parties[i].members]
    if facilitators:
        people += [u for u in state.facilitators() if u not in people]
    for user in dict.fromkeys(people):
        if (p := state.participants.get(user)) is not None and p.reachable:
            ctx.send(ToUser(user), message)


def open_needs(ctx: Ctx, state: Intervention, space: ConflictSpace) -> ConflictSpace:
    """Every loop ended: the space moves to what is hard to hear and what each side needs."""
    for user in space.members():
        if (p := state.participants.get(user)) is not None and p.reachable:
            ctx.send(
                ToUser(user),
                Message(
                    "conflict.needs_open",
                    {"space": space.number, "subject": UserText(space.subject)},
                    buttons=(write_button(space.number, "needs"),),
                ),
            )
    to_space(
        ctx,
        state,
        space,
        Message("conflict.needs_open_facilitator", {"space": space.number}),
        parties=(),
    )
    return replace(space, phase="needs")


def may_fill(state: Intervention, user: UserId, form: str, value: str) -> bool:
    """Whether `user` may fill a conflict space's form now: their party's turn, in its phase.
    The engine checks the same when the form comes back (a form may stay open meanwhile)."""
    number, _, loop_word = value.partition(".")
    space = next((s for s in state.conflicts if str(s.number) == number), None)
    member = state.participants.get(user)
    party = space.party_of(user) if space is not None else None
    if space is None or party is None or member is None or not member.reachable:
        return False
    if form == "cposition":
        return space.phase in ("positions", "needs")
    lp = space.loop(int(loop_word)) if loop_word.isdigit() else None
    if space.phase != "restating" or lp is None or lp.ended:
        return False
    if form == "crestate":
        return party == lp.restater and not lp.waiting_for_answer
    return party == lp.owner and lp.waiting_for_answer
