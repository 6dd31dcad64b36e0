"""The report's data, read from the store without ever touching the answer-author table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import select

from bot.core.model import (
    GROUP_VISIBLE,
    ActionItem,
    BoardItem,
    ContractVersion,
    GroupQuality,
    Intervention,
    InterventionId,
    RoundState,
    Synthesis,
)
from bot.flows.curation import curated
from bot.storage import orm
from bot.storage.codec import decode
from bot.storage.store import SqlStore


@dataclass(frozen=True, slots=True)
class RoundFacts:
    key: str
    opened_at: datetime
    closed_at: datetime | None
    recipients: int
    answered: int
    synthesis: Synthesis | None


@dataclass(frozen=True, slots=True)
class ReportData:
    intervention: Intervention
    rounds: tuple[RoundFacts, ...]
    barometer: tuple[tuple[str, float, int], ...]  # round, mean, contributors (only if >= k)
    consent: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]  # prompt key, counts
    votes: tuple[tuple[int, str, int], ...]  # proposal id, text, dots
    contract: tuple[ContractVersion, ...]
    board: tuple[BoardItem, ...]
    actions: tuple[ActionItem, ...]
    audit: tuple[tuple[datetime, str, str], ...]  # when, action, target (no content, no names)
    group_quality: GroupQuality | None


async def load_report(store: SqlStore, iid: str) -> ReportData | None:
    async with store.unit() as uow:
        state = await uow.load(InterventionId(iid))
        if state is None:
            return None
        s = uow.session
        # Participation counts come from the answers table alone (no join with authors):
        # a round's "answered" is the number of distinct answer groups known to the synthesis.
        audit = tuple(
            (a.at, a.action, a.target)
            for a in await s.scalars(
                select(orm.AuditRow)
                .where(orm.AuditRow.intervention_id == iid)
                .order_by(orm.AuditRow.id)
            )
        )
        dots: Counter[int] = Counter()
        for value in await s.scalars(
            select(orm.ResponseRow.value).where(
                orm.ResponseRow.intervention_id == iid,
                orm.ResponseRow.prompt_key == "solutions.dots",
                orm.ResponseRow.visibility.in_(sorted(GROUP_VISIBLE)),
                orm.ResponseRow.skipped.is_(False),
            )
        ):
            for item, count in cast(dict[str, int], decode(value) or {}).items():
                dots[int(item)] += int(count)
    rounds = tuple(
        _facts(state, r) for r in sorted(state.rounds.values(), key=lambda r: r.opened_at)
    )
    k = state.k_anonymity_min
    barometer = tuple(
        (f.key, p.mean, p.contributors)
        for f in rounds
        if f.synthesis is not None
        for p in f.synthesis.prompts
        if p.prompt_key == "barometer.level" and p.mean is not None and p.contributors >= k
    )
    consent = tuple(
        (p.prompt_key, p.counts)
        for f in rounds
        if f.synthesis is not None
        for p in f.synthesis.prompts
        if p.kind == "consent" and not p.withheld
    )
    texts = {b.id: b.text for b in state.board}
    votes = tuple((item, texts.get(item, f"#{item}"), n) for item, n in sorted(dots.items()))
    return ReportData(
        state,
        rounds,
        barometer,
        consent,
        votes,
        state.contract,
        state.board,
        state.actions,
        audit,
        state.group_quality,
    )


def _facts(state: Intervention, r: RoundState) -> RoundFacts:
    stored = state.syntheses.get(r.key)
    # As the group read it: the facilitators' review applied (held items out, redactions in).
    synthesis = curated(stored) if stored is not None else None
    answered = synthesis.answered if synthesis is not None else 0
    return RoundFacts(r.key, r.opened_at, r.closed_at, len(r.recipients), answered, synthesis)
