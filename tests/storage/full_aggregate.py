"""An intervention with every field and every collection set away from its default."""

from __future__ import annotations

from datetime import timedelta

from engine_helpers import T0

from bot.core.conflicts import Attempt, ConflictSpace, Loop, Party, Statement
from bot.core.model import (
    ActionItem,
    BoardItem,
    ContractVersion,
    GroupQuality,
    Intervention,
    InterventionId,
    LineThread,
    Participant,
    PromptSummary,
    Quote,
    ReportBack,
    Response,
    ResponseId,
    RoundState,
    SafetyRequest,
    ScheduledAction,
    SubGroup,
    Synthesis,
    UserId,
)

ANA, BEN, FAC = UserId("ana"), UserId("ben"), UserId("fac")
LATER = T0 + timedelta(hours=3)


def full_aggregate() -> Intervention:
    quote = Quote("Plus de temps ensemble", "Ben")
    summary = PromptSummary("trust.hope", "text", 2, 1, False, (quote,), (("oui", 2),), 4.5)
    return Intervention(
        id=InterventionId("iv-full"),
        platform="slack",
        workspace="T1",
        channel="C1",
        title="Équipe « soins »",
        status="paused",
        locale="en",
        timezone="Europe/Paris",
        created_at=T0,
        address_form="tu",
        k_anonymity_min=4,
        step="contract",
        anonymity="full",
        participants={
            FAC: Participant(FAC, "Fatou", "facilitator", "accepted", "fr", None, {}, T0),
            ANA: Participant(
                ANA,
                "Ana",
                "participant",
                "accepted",
                "en",
                "America/Montreal",
                {"team": "nuit"},
                T0,
                None,
                "fr",
                wants_dms=True,
                checkins=True,
            ),
            BEN: Participant(BEN, "Ben", "participant", "withdrawn", None, None, {}, T0, LATER),
        },
        rounds={
            "trust.intake": RoundState(
                "trust.intake",
                "open",
                T0,
                frozenset({ANA, BEN}),
                None,
                True,
                False,
                (2, 1),
                "Un scénario",
                frozenset({BEN}),
            ),
            "trust.review": RoundState(
                "trust.review", "closed", T0, frozenset({ANA}), LATER, False, True
            ),
        },
        responses={
            ResponseId("r1"): Response(
                ResponseId("r1"),
                "trust.intake",
                "trust.hope",
                ANA,
                "Du calme",
                "group_anonymous",
                False,
                2,
            ),
            ResponseId("r2"): Response(
                ResponseId("r2"), "trust.intake", "trust.fear", BEN, None, "facilitator", True
            ),
        },
        syntheses={"trust.review": Synthesis("trust.review", "group", 3, 2, (summary,), 1, True)},
        contract=(
            ContractVersion(1, "Brouillon", "superseded", T0),
            ContractVersion(2, "Objectif commun", "adopted", T0, LATER),
        ),
        board=(
            BoardItem(1, "obstacle", "Pas de canal", (), "open"),
            BoardItem(2, "proposal", "Un canal", (1,), "shortlisted"),
        ),
        subgroups=(
            SubGroup(
                1, (ANA, BEN), "G1", "open", ReportBack(2, "Nos mots", frozenset({ANA}), True)
            ),
            SubGroup(2, (FAC,)),
        ),
        group_quality=GroupQuality(0.5, 0.75, 0.25, 1, 2, 0, ("team",)),
        actions=(ActionItem(1, "Ouvrir le canal", ANA, LATER, 2, "blocked"),),
        scheduled=(ScheduledAction(1, "round open trust.intake", LATER, FAC, "weekly"),),
        closed_at=None,
        paused_at=LATER,
        lines=(LineThread(1, "ab" * 32, False, 3, 2),),
        requests=(SafetyRequest(1, "flag", "handled", "board:2", "contempt"),),
        help={"fr": "Écrire à Fatou", "en": "Write to Fatou"},
        conflicts=(
            ConflictSpace(
                1,
                "Les astreintes",
                (Party("Support", (ANA,)), Party("Dév", (BEN,))),
                "restating",
                (Statement("positions", 0, ANA, "Nos nuits"), Statement("positions", 1, BEN, "X")),
                (
                    Loop(1, 0, 1, (Attempt(ANA, "Vous", "notquite", BEN, "Pas ça"),)),
                    Loop(2, 1, 0, (Attempt(BEN, "Eux", "confirmed", ANA),), "confirmed"),
                ),
                ("positions",),
            ),
        ),
        delivery="pull",
    )
