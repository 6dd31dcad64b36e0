"""Where each conflict space stands, read once for `/tst groupes espaces`, the status, the
report and the live page: who has spoken counted by party (facilitators only), each loop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.conflicts import ConflictSpace, Loop, SpacePhase
from bot.core.effects import Lines, Message, Params, Phrase, UserText
from bot.core.model import Intervention, UserId

LoopStand = Literal["restating", "answering", "confirmed", "moved_on"]


@dataclass(frozen=True, slots=True)
class PartyCount:
    name: str
    members: int
    spoken: int  # how many of its members wrote anything in the space: a count, never who


@dataclass(frozen=True, slots=True)
class LoopView:
    restater: str
    owner: str
    stand: LoopStand
    rounds: int


@dataclass(frozen=True, slots=True)
class SpaceView:
    number: int
    subject: str
    phase: SpacePhase
    parties: tuple[PartyCount, ...]  # empty for a member: counts are for facilitators
    party_names: tuple[str, ...]
    loops: tuple[LoopView, ...]
    moved_on: tuple[SpacePhase, ...]


def spoken(space: ConflictSpace) -> set[UserId]:
    said = {s.author for s in space.statements}
    for lp in space.loops:
        said |= {a.author for a in lp.attempts}
        said |= {a.answered_by for a in lp.attempts if a.answered_by is not None}
    return said


def _stand(lp: Loop) -> LoopStand:
    if lp.ended:
        return lp.ended
    return "answering" if lp.waiting_for_answer else "restating"


def of_space(space: ConflictSpace, counts: bool) -> SpaceView:
    said = spoken(space)
    return SpaceView(
        space.number,
        space.subject,
        space.phase,
        tuple(
            PartyCount(p.name, len(p.members), sum(1 for m in p.members if m in said))
            for p in space.parties
        )
        if counts
        else (),
        tuple(p.name for p in space.parties),
        tuple(
            LoopView(
                space.parties[lp.restater].name, space.parties[lp.owner].name, _stand(lp), lp.rounds
            )
            for lp in space.loops
        ),
        space.moved_on,
    )


def views(state: Intervention, user: UserId | None) -> tuple[SpaceView, ...]:
    """Facilitators: every space with its counts. A member: the spaces they belong to."""
    if state.is_facilitator(user):
        return tuple(of_space(s, counts=True) for s in state.conflicts)
    return tuple(
        of_space(s, counts=False)
        for s in state.conflicts
        if user is not None and s.party_of(user) is not None
    )


def lines(view: SpaceView) -> Lines:
    out: list[tuple[str, Params]] = [
        (
            "conflict.view_space",
            {
                "space": view.number,
                "subject": UserText(view.subject),
                "phase": Phrase(f"conflict.phase.{view.phase}"),
                "parties": UserText(", ".join(view.party_names)),
            },
        )
    ]
    for party in view.parties:
        out.append(
            (
                "conflict.view_party",
                {"party": UserText(party.name), "spoken": party.spoken, "members": party.members},
            )
        )
    for lp in view.loops:
        out.append(
            (
                f"conflict.view_loop_{lp.stand}",
                {
                    "restater": UserText(lp.restater),
                    "owner": UserText(lp.owner),
                    "rounds": lp.rounds,
                },
            )
        )
    return Lines(tuple(out))


def messages(state: Intervention, user: UserId | None) -> list[Message]:
    shown = views(state, user)
    if not shown:
        return [Message("conflict.view_none")]
    return [Message("conflict.view", {"spaces": lines(v)}) for v in shown]


WrittenKind = Literal["positions", "needs", "restatement", "correction"]


def written_by(state: Intervention, user: UserId) -> list[tuple[ConflictSpace, WrittenKind, str]]:
    """What `user` wrote in the conflict spaces, for their own copy of their data (`mydata`)."""
    out: list[tuple[ConflictSpace, WrittenKind, str]] = []
    for space in state.conflicts:
        for st in space.statements:
            if st.author == user and st.phase in ("positions", "needs"):
                out.append((space, "positions" if st.phase == "positions" else "needs", st.text))
        for lp in space.loops:
            for a in lp.attempts:
                if a.author == user and a.text:
                    out.append((space, "restatement", a.text))
                if a.answered_by == user and a.correction:
                    out.append((space, "correction", a.correction))
    return out
