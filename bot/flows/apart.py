"""Who must not share a sub-group: people the facilitator keeps apart (a conflict too hot to
sit in one small group, a line of hierarchy, TST step 3). Known to the facilitators only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from itertools import combinations

from bot.core.commands import Command, fold
from bot.core.model import Intervention, UserId
from bot.flows.context import Ctx

Pair = tuple[UserId, UserId]
REMOVE_WORDS = frozenset({"remove", "retirer", "enlever", "plus", "no", "non"})


def pair(a: UserId, b: UserId) -> Pair:
    return (a, b) if a < b else (b, a)


def _people(ctx: Ctx, state: Intervention, cmd: Command, least: int) -> tuple[UserId, ...]:
    people = tuple(dict.fromkeys(cmd.mentions))
    if len(people) < least:
        ctx.refuse("error.apart_syntax")
    for user in people:
        member = state.participants.get(user)
        if member is None or member.is_facilitator:
            ctx.refuse("error.groups_member_unknown")
    return people


def _removing(cmd: Command) -> bool:
    return bool(cmd.words) and fold(cmd.words[0]) in REMOVE_WORDS


def _changed(ctx: Ctx, state: Intervention, pairs: Iterable[Pair], remove: bool) -> Intervention:
    asked = {pair(a, b) for a, b in pairs}
    kept = set(state.apart)
    kept = kept - asked if remove else kept | asked
    ctx.reply("groups.apart_removed" if remove else "groups.apart_set", count=len(kept))
    ctx.audit_target = str(len(kept))  # how many pairs, never who: the audit log is exported
    return replace(state, apart=tuple(sorted(kept)))


def apart(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst groupes separer @a @b …` keeps each of them apart from the others;
    `… separer retirer @a @b` lets them meet again; with nobody named, the list."""
    if not cmd.mentions:
        listing(ctx, state)
        return state
    people = _people(ctx, state, cmd, 2)
    return _changed(ctx, state, combinations(people, 2), _removing(cmd))


def hierarchy(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst groupes hierarchie @responsable @a @b …`: no sub-group holds a manager and a person
    they manage (one pair each); `… hierarchie retirer @responsable @a` undoes it."""
    people = _people(ctx, state, cmd, 2)
    head, *team = people
    return _changed(ctx, state, ((head, member) for member in team), _removing(cmd))


def listing(ctx: Ctx, state: Intervention) -> None:
    names = [
        f"{_name(state, a)} / {_name(state, b)}"
        for a, b in state.apart
        if a in state.participants and b in state.participants
    ]
    if not names:
        ctx.reply("groups.apart_none")
        return
    ctx.reply("groups.apart_list", pairs="\n".join(names), count=len(names))


def _name(state: Intervention, user: UserId) -> str:
    return state.participants[user].display_name


def together(state: Intervention, members: Mapping[int, Sequence[UserId]]) -> Pair | None:
    """A pair kept apart that these sub-groups would put together, if any."""
    kept = set(state.apart)
    for group in members.values():
        for a, b in combinations(group, 2):
            if pair(a, b) in kept:
                return pair(a, b)
    return None


def without(state: Intervention, user: UserId) -> tuple[Pair, ...]:
    """The pairs once `user` has left (or been erased): none names them any more."""
    return tuple(p for p in state.apart if user not in p)
