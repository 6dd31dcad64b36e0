"""Heterogeneous sub-group solver: diverse groups, new people each round, hard constraints."""

from bot.grouping.model import GroupingError, GroupingRequest, Person, Proposal, QualityReport
from bot.grouping.quality import evaluate
from bot.grouping.solver import plan_rounds, propose

__all__ = [
    "GroupingError",
    "GroupingRequest",
    "Person",
    "Proposal",
    "QualityReport",
    "evaluate",
    "plan_rounds",
    "propose",
]
