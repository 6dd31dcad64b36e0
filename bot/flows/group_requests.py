"""Between an intervention and the grouping solver: who is grouped, on what, with what history."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.core.events import EventMeta, GroupsComputed
from bot.core.model import GroupQuality, Intervention, UserId
from bot.grouping import GroupingError, GroupingRequest, Person, evaluate, propose


def grouping_request(
    state: Intervention,
    size_min: int,
    size_max: int,
    attributes: tuple[str, ...],
    seed: int,
    seconds: float = 1.0,
) -> GroupingRequest:
    """Only declared attributes are used; earlier sub-groups count as history to avoid repeats."""
    people = [
        Person(u, {a: state.participants[u].attributes.get(a, "") for a in attributes})
        for u in state.reachable()
        if not state.is_facilitator(u)
    ]
    history = [[list(g.members) for g in state.subgroups if g.status != "proposed"]]
    grouped = {p.id for p in people}
    apart = [(a, b) for a, b in state.apart if a in grouped and b in grouped]
    return GroupingRequest(
        people=people,
        weights=dict.fromkeys(attributes, 1.0),
        size_min=size_min,
        size_max=size_max,
        history=history if history[0] else (),
        keep_apart=apart,
        seconds=seconds,
        seed=seed,
    )


def requality(state: Intervention) -> GroupQuality | None:
    """Re-score a proposal the facilitator adjusted by hand."""
    previous = state.group_quality
    proposed = [list(g.members) for g in state.subgroups if g.status == "proposed"]
    if previous is None or not proposed:
        return previous
    sizes = [len(g) for g in proposed]
    request = grouping_request(state, min(sizes), max(sizes), previous.attributes, 0)
    members = {p.id for p in request.people}
    report = evaluate(request, [[u for u in g if u in members] for g in proposed])
    return GroupQuality(
        report.diversity,
        report.upper_bound,
        report.gap,
        report.repeated_pairs,
        report.token_cases,
        report.constraint_violations,
        previous.attributes,
    )


def members_of(groups: tuple[tuple[str, ...], ...]) -> tuple[tuple[UserId, ...], ...]:
    return tuple(tuple(UserId(u) for u in g) for g in groups)


async def compute_groups(
    state: Intervention, p: dict[str, Any], meta: EventMeta, seconds: float
) -> GroupsComputed:
    """Run the solver for a "groups" outbox row, off the event loop (it is CPU-bound and must
    never sit in an ack window), and say what came out as the event the engine takes."""
    attributes = tuple(p["attributes"])
    request = grouping_request(state, p["size_min"], p["size_max"], attributes, p["seed"], seconds)
    try:
        proposal = await asyncio.to_thread(propose, request)
    except GroupingError as error:
        code = getattr(error, "code", str(error))
        return GroupsComputed(meta, state.id, (), None, error=code)
    q = proposal.quality
    quality = GroupQuality(
        q.diversity,
        q.upper_bound,
        q.gap,
        q.repeated_pairs,
        q.token_cases,
        q.constraint_violations,
        attributes,
    )
    return GroupsComputed(meta, state.id, members_of(proposal.groups), quality)
