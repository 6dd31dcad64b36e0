"""Public data types of the grouping solver: requests, proposals, quality reports, errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Person:
    """One participant; only the declared attributes are ever read."""

    id: str
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GroupingRequest:
    """Everything the solver needs to form one round of sub-groups."""

    people: Sequence[Person]
    weights: Mapping[str, float]
    size_min: int = 3
    size_max: int = 5
    history: Sequence[Sequence[Sequence[str]]] = ()
    keep_apart: Sequence[tuple[str, str]] = ()
    keep_together: Sequence[tuple[str, str]] = ()
    no_singleton: Sequence[str] = ()
    repeat_penalty: float | None = None
    token_penalty: float = 1.0
    seconds: float = 1.0
    seed: int = 0


@dataclass(frozen=True, slots=True)
class QualityReport:
    """How good a grouping is, against references a facilitator can read."""

    diversity: float
    upper_bound: float
    random_expected: float
    gap: float
    closed: float
    repeated_pairs: int
    token_cases: int
    constraint_violations: int
    sizes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Proposal:
    """A grouping of person ids with its quality report."""

    groups: tuple[tuple[str, ...], ...]
    quality: QualityReport


class GroupingError(ValueError):
    """An infeasible or malformed request; `code` is stable so callers can localize it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
