"""Sub-groups: ask for a proposal, adjust it (swap, move), approve it into private spaces, close."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from bot.core.commands import Command, fold
from bot.core.effects import (
    CloseSpace,
    ComputeGroups,
    Message,
    OpenSpace,
    ToChannel,
    ToSpace,
    UserText,
)
from bot.core.events import GroupsComputed, SpaceOpened
from bot.core.model import Intervention, SubGroup, UserId
from bot.flows.apart import together
from bot.flows.context import Ctx
from bot.flows.reportback import unsent

SIZE_WORDS = ("size", "taille")
BY_WORDS = ("by", "par")
MAX_SIZE = 12


def propose(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`groups propose [size N | size A-B] [by team,site]`: the solver runs after the ack."""
    low, high = ctx.policy.group_size_min, ctx.policy.group_size_max
    attributes: tuple[str, ...] = ()
    words = list(cmd.words)
    while words:
        word = fold(words.pop(0))
        if word in SIZE_WORDS and words:
            m = re.match(r"^(\d+)(?:-(\d+))?$", words.pop(0))
            if m is None:
                ctx.refuse("error.groups_syntax")
            low = int(m.group(1))
            high = int(m.group(2) or m.group(1))
        elif word in BY_WORDS and words:
            attributes = tuple(a for a in words.pop(0).lower().split(",") if a)
        else:
            ctx.refuse("error.groups_syntax")
    if not 2 <= low <= high <= MAX_SIZE:
        ctx.refuse("error.groups_size", maximum=MAX_SIZE)
    if any(g.status == "open" for g in state.subgroups):
        ctx.refuse("error.groups_already_open")
    people = list(state.askable())
    if len(people) < low:
        ctx.refuse("error.groups_too_few", count=len(people), size=low)
    if not attributes:
        declared = {k for u in people for k in state.participants[u].attributes}
        attributes = tuple(sorted(declared))
    seed = int(hashlib.sha256(ctx.meta.event_id.encode()).hexdigest()[:8], 16)
    ctx.add(ComputeGroups(low, high, attributes, seed))
    ctx.reply("groups.computing", count=len(people))
    ctx.audit_target = f"{low}-{high}:{','.join(attributes)}"
    return state


def computed(ctx: Ctx, state: Intervention, ev: GroupsComputed) -> Intervention:
    if ev.error is not None or ev.quality is None:
        ctx.to_facilitators(state, Message("groups.failed", {"reason": UserText(ev.error or "?")}))
        return state
    kept = tuple(g for g in state.subgroups if g.status != "proposed")
    start = max((g.index for g in kept), default=0) + 1
    proposed = tuple(SubGroup(start + i, members) for i, members in enumerate(ev.groups))
    quality = ev.quality
    state = replace(state, subgroups=(*kept, *proposed), group_quality=quality)
    ctx.to_facilitators(state, proposal_message(state))
    return state


def proposal_message(state: Intervention) -> Message:
    lines = []
    for g in state.subgroups:
        if g.status == "proposed":
            names = ", ".join(
                state.participants[u].display_name for u in g.members if u in state.participants
            )
            lines.append(f"{g.index}. {names}")
    q = state.group_quality
    return Message(
        "groups.proposal",
        {
            "groups": UserText("\n".join(lines)),
            "count": len(lines),
            "gap": round(100 * q.gap, 2) if q else 0.0,
            "repeats": q.repeated_pairs if q else 0,
            "tokens": q.token_cases if q else 0,
            "attributes": UserText(", ".join(q.attributes) if q and q.attributes else "-"),
        },
    )


def _proposed(ctx: Ctx, state: Intervention) -> list[SubGroup]:
    groups = [g for g in state.subgroups if g.status == "proposed"]
    if not groups:
        ctx.refuse("error.no_proposal")
    return groups


def _with_members(ctx: Ctx, state: Intervention, members: dict[int, list[UserId]]) -> Intervention:
    from bot.flows.group_requests import requality

    kept_apart = together(state, members)
    if kept_apart is not None:  # the facilitator's own rule: said, not silently broken
        a, b = (UserText(state.participants[u].display_name) for u in kept_apart)
        ctx.refuse("error.groups_apart", a=a, b=b)
    subgroups = tuple(
        replace(g, members=tuple(members[g.index])) if g.index in members else g
        for g in state.subgroups
    )
    state = replace(state, subgroups=subgroups)
    state = replace(state, group_quality=requality(state))
    ctx.to_facilitators(state, proposal_message(state))
    return state


def swap(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    groups = _proposed(ctx, state)
    if len(cmd.mentions) != 2:
        ctx.refuse("error.groups_swap_syntax")
    a, b = cmd.mentions
    where = {u: g.index for g in groups for u in g.members}
    if a not in where or b not in where:
        ctx.refuse("error.groups_member_unknown")
    members = {g.index: list(g.members) for g in groups}
    ga, gb = where[a], where[b]
    members[ga][members[ga].index(a)] = b
    members[gb][members[gb].index(b)] = a
    ctx.audit_target = f"{ga}<->{gb}"
    return _with_members(ctx, state, members)


def move(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    groups = _proposed(ctx, state)
    target = next((w for w in cmd.words if w.isdigit()), None)
    if len(cmd.mentions) != 1 or target is None:
        ctx.refuse("error.groups_move_syntax")
    who = cmd.mentions[0]
    where = {u: g.index for g in groups for u in g.members}
    members = {g.index: list(g.members) for g in groups}
    if who not in where or int(target) not in members:
        ctx.refuse("error.groups_member_unknown")
    members[where[who]].remove(who)
    members[int(target)].append(who)
    if not members[where[who]]:
        ctx.refuse("error.groups_would_empty")
    ctx.audit_target = f"{where[who]}->{target}"
    return _with_members(ctx, state, members)


def approve(ctx: Ctx, state: Intervention) -> Intervention:
    groups = _proposed(ctx, state)
    for g in groups:
        ctx.add(OpenSpace(g.index, g.members))
        ctx.send(
            ToSpace(g.index), Message("groups.welcome", {"group": g.index, "count": len(g.members)})
        )
    ctx.send(ToChannel(), Message("groups.approved", {"count": len(groups)}))
    ctx.reply("groups.approved_reply", count=len(groups))
    ctx.audit_target = str(len(groups))
    subgroups = tuple(
        replace(g, status="open") if g.status == "proposed" else g for g in state.subgroups
    )
    return replace(
        state, subgroups=subgroups, step="subgroups" if state.step is None else state.step
    )


def close_groups(ctx: Ctx, state: Intervention) -> Intervention:
    opened = [g for g in state.subgroups if g.status == "open"]
    if not opened:
        ctx.refuse("error.no_open_groups")
    for g in opened:
        ctx.send(ToSpace(g.index), Message("groups.closing"))
        ctx.add(CloseSpace(g.index))
    ctx.reply("groups.closed_reply", count=len(opened))
    # What a sub-group did not agree on stays in it (bot/flows/reportback.py): said, not sent.
    if silent := unsent(state):
        ctx.reply("reportback.closed_unsent", groups=", ".join(map(str, silent)), count=len(silent))
    ctx.audit_target = str(len(opened))
    return replace(
        state,
        subgroups=tuple(
            replace(g, status="closed") if g.status == "open" else g for g in state.subgroups
        ),
    )


def space_opened(ctx: Ctx, state: Intervention, ev: SpaceOpened) -> Intervention:
    subgroups = tuple(
        replace(g, space=ev.space) if g.index == ev.subgroup else g for g in state.subgroups
    )
    return replace(state, subgroups=subgroups)
