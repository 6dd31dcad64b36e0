"""Conflict spaces (TST step 4): one per issue, named parties, blind positions, restatements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.core.model import UserId

# positions: each party writes blind; restating: each party restates another's position until
# that party says "yes, that's it"; needs: what is hard to hear, what each side needs (blind
# too); done: the facilitator closed the space.
SpacePhase = Literal["positions", "restating", "needs", "done"]
Answer = Literal["", "confirmed", "notquite"]
LoopEnd = Literal["", "confirmed", "moved_on"]


@dataclass(frozen=True, slots=True)
class Party:
    """One side of a conflict: a name the facilitator gave and its members."""

    name: str
    members: tuple[UserId, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    """What one member of a party wrote in a blind phase, seen by the space once revealed."""

    phase: SpacePhase
    party: int
    author: UserId
    text: str


@dataclass(frozen=True, slots=True)
class Attempt:
    """One restatement and how the restated party answered it (a correction when "not quite")."""

    author: UserId
    text: str
    answer: Answer = ""
    answered_by: UserId | None = None
    correction: str = ""


@dataclass(frozen=True, slots=True)
class Loop:
    """Party `restater` restates party `owner`'s position until `owner` confirms, or the
    facilitator moves on (recorded, said to the space without judgement)."""

    number: int
    restater: int
    owner: int
    attempts: tuple[Attempt, ...] = ()
    ended: LoopEnd = ""

    @property
    def waiting_for_answer(self) -> bool:
        return not self.ended and bool(self.attempts) and self.attempts[-1].answer == ""

    @property
    def rounds(self) -> int:
        return len(self.attempts)


@dataclass(frozen=True, slots=True)
class ConflictSpace:
    """One issue's space: its members are the parties' members; its content stays in it."""

    number: int
    subject: str
    parties: tuple[Party, ...]
    phase: SpacePhase = "positions"
    statements: tuple[Statement, ...] = ()
    loops: tuple[Loop, ...] = ()
    # Phases the facilitator moved on from before every party had spoken.
    moved_on: tuple[SpacePhase, ...] = ()

    def party_of(self, user: UserId) -> int | None:
        return next((i for i, p in enumerate(self.parties) if user in p.members), None)

    def members(self) -> tuple[UserId, ...]:
        return tuple(dict.fromkeys(u for p in self.parties for u in p.members))

    def loop(self, number: int) -> Loop | None:
        return next((lp for lp in self.loops if lp.number == number), None)
