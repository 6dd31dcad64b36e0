"""Interventions kept in memory between events, valid while their stored version is unchanged."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace

from bot.core.model import Intervention, Response
from bot.core.overlay import changes


class KeptAggregates:
    """Interventions as this process last read or committed them, by version.

    Every change to an aggregate goes through `UnitOfWork.save`, which bumps its version (the
    runner's optimistic concurrency relies on that too), so a copy whose version is still the
    stored one is exactly what a fresh load would return. Loading a 1,000-person intervention
    costs tens of milliseconds; an event reuses the copy its predecessor committed instead.
    Copies enter only after their transaction committed, so a rolled-back save never leaves
    a version number that another process could reuse for different content."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._copies: OrderedDict[str, tuple[int, Intervention]] = OrderedDict()

    def get(self, iid: str, version: int) -> Intervention | None:
        kept = self._copies.get(iid)
        if kept is None or kept[0] != version:
            return None
        self._copies.move_to_end(iid)
        return kept[1]

    def put(self, iid: str, version: int, state: Intervention) -> None:
        self._copies[iid] = (version, state)
        self._copies.move_to_end(iid)
        while len(self._copies) > self.size:
            self._copies.popitem(last=False)

    def drop(self, iid: str) -> None:
        self._copies.pop(iid, None)


def as_stored(state: Intervention, before: Intervention | None = None) -> Intervention:
    """The aggregate as `load` reads it back: the answers of open rounds only. `before` is
    the aggregate as stored before this save: while no round of it closed, only the answers
    changed since can belong to a round that is not open (one answer checks one answer)."""
    open_keys = {k for k, r in state.rounds.items() if r.status == "open"}
    candidates: Iterable[Response] = state.responses.values()
    if before is not None and all(
        k in open_keys for k, r in before.rounds.items() if r.status == "open"
    ):
        candidates = changes(before.responses, state.responses)[0].values()
    if all(r.round_key in open_keys for r in candidates):
        return state
    kept = {rid: r for rid, r in state.responses.items() if r.round_key in open_keys}
    return replace(state, responses=kept)
