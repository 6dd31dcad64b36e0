"""Step 7, solutions: proposals tied to obstacles, a shortlist vote, objections then consent,
check-ins on actions, and a closing retrospective."""

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.core.model import GROUP_VISIBLE, BoardItem, Intervention, Response, RoundState
from bot.flows.spec import Choice, Consent, Dots, Open, Prompt, RoundSpec, Scale, StepSpec
from bot.flows.tst.information import obstacles

SHORTLIST_SIZE = 3
DOT_BUDGET = 3


def proposals(state: Intervention) -> tuple[int, ...]:
    return tuple(b.id for b in state.board_of("proposal") if b.status != "parked")


def shortlist(state: Intervention) -> tuple[int, ...]:
    return tuple(b.id for b in state.board_of("proposal") if b.status == "shortlisted")


def proposals_to_board(
    state: Intervention, _round: RoundState, answers: Sequence[Response], _now: datetime
) -> Intervention:
    """Each proposal its author shared with the group becomes a board item, without its author."""
    obstacle_of = {
        r.author: int(r.value)
        for r in answers
        if r.prompt_key == "solutions.obstacle" and isinstance(r.value, str) and r.value.isdigit()
    }
    board = list(state.board)
    # In an order set by their words alone: answer ids are random, and never say who or when.
    for r in sorted(answers, key=lambda r: hashlib.sha256(str(r.value).encode()).hexdigest()):
        if r.prompt_key != "solutions.proposal" or r.skipped or r.visibility not in GROUP_VISIBLE:
            continue
        if not isinstance(r.value, str) or not r.value.strip():
            continue
        links = (obstacle_of[r.author],) if r.author in obstacle_of else ()
        board.append(
            BoardItem(max((b.id for b in board), default=0) + 1, "proposal", r.value, links)
        )
    return replace(state, board=tuple(board))


def shortlist_by_dots(
    state: Intervention, _round: RoundState, answers: Sequence[Response], _now: datetime
) -> Intervention:
    """The proposals with the most dots are shortlisted (ties go to the earlier proposal)."""
    dots: dict[int, int] = {}
    for r in answers:
        if r.skipped or r.visibility == "private" or not isinstance(r.value, dict):
            continue
        for item, count in r.value.items():
            if item.isdigit():
                dots[int(item)] = dots.get(int(item), 0) + int(count)
    ranked = sorted((-count, item) for item, count in dots.items() if count > 0)
    chosen = {item for _, item in ranked[:SHORTLIST_SIZE]}
    board = tuple(
        replace(b, status="shortlisted") if b.kind == "proposal" and b.id in chosen else b
        for b in state.board
    )
    return replace(state, board=board)


SOLUTIONS = StepSpec(
    kind="solutions",
    rounds=(
        RoundSpec(
            key="solutions.proposals",
            prompts=(
                Choice("solutions.obstacle", source="obstacles"),
                Open("solutions.proposal"),
                Open("solutions.affected"),
                Open("solutions.first_test"),
            ),
            default_visibility="group_anonymous",
            allowed=("facilitator", "group_anonymous", "group_attributed"),
            items=obstacles,
            needs_items=True,
            on_close=proposals_to_board,
        ),
        RoundSpec(
            key="solutions.shortlist",
            prompts=(Dots("solutions.dots", "proposals", DOT_BUDGET),),
            default_visibility="group_anonymous",
            allowed=("group_anonymous",),
            items=proposals,
            needs_items=True,
            on_close=shortlist_by_dots,
        ),
        RoundSpec(
            key="solutions.consent",
            # Objection first, then consent, for each shortlisted proposal.
            prompts=(
                Prompt("solutions.objection", "open", per_item=True),
                Consent("solutions.position", per_item=True),
            ),
            default_visibility="group_anonymous",
            allowed=("facilitator", "group_anonymous", "group_attributed"),
            items=shortlist,
            needs_items=True,
            # A new version of a proposal is asked about in a run of its own.
            repeatable=True,
        ),
        RoundSpec(
            key="solutions.checkin",
            prompts=(Open("solutions.done_since"), Open("solutions.still_blocked")),
            default_visibility="facilitator",
            allowed=("private", "facilitator", "group_anonymous", "group_attributed"),
            repeatable=True,
        ),
        RoundSpec(
            key="solutions.retrospective",
            prompts=(
                Open("solutions.learned"),
                Scale("barometer.level", 1, 5),
                Choice("solutions.retention", "delete_all", "keep_syntheses", "keep_all"),
            ),
            default_visibility="group_anonymous",
            allowed=("private", "facilitator", "group_anonymous"),
        ),
    ),
)
