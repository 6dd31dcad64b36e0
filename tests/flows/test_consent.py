"""Consent that iterates and actions by consent, as the engine rules them (TST steps 2 and 7)."""

from __future__ import annotations

from engine_helpers import FAC, Session, audits, effects_of, replies, sends, to_channel, to_user

from bot.core.effects import Schedule, ToChannel, ToUser, UserText
from bot.core.events import ChoiceMade, NoteSubmitted, TimerDue

PEOPLE = ("ana", "ben", "cleo", "dan")


def started() -> Session:
    s = Session()
    s.group_with(*PEOPLE)
    return s


def channel_params(s: Session, key: str) -> list[dict[str, object]]:
    return [
        dict(e.message.params)
        for out in s.outcomes
        for e in sends(out)
        if isinstance(e.to, ToChannel) and e.message.key == key
    ]


def contract_consent(s: Session, round_key: str, positions: dict[str, str], **vis: str) -> None:
    s.cmd(f"round open {round_key.partition('@')[0]}")
    for user, position in positions.items():
        reason = "" if position == "agree" else "Name who reads the notes."
        s.answer(
            user,
            round_key,
            {"contract.position": position, "contract.reason": reason},
            vis.get(user),  # type: ignore[arg-type]
        )
    s.cmd(f"round close {round_key}")


def test_an_outstanding_objection_blocks_adoption_until_a_new_version_gets_consent() -> None:
    s = started()
    s.cmd("contract draft Goal: fewer handoffs.")
    contract_consent(s, "contract.consent", {"ana": "agree", "ben": "object", "cleo": "agree"})
    assert s.state is not None
    assert s.state.contract[-1].status == "objected"
    out = s.cmd("contract adopt")
    assert out.refused
    assert replies(out) == ["error.objection_outstanding.contract"]
    assert s.state.contract[-1].status == "objected"

    # Version 2 (the amendment) gets a consent round of its own, keyed by its run.
    s.cmd("contract draft Goal: fewer handoffs. Notes are read by the facilitator only.")
    contract_consent(s, "contract.consent@2", {"ana": "agree", "ben": "agree", "cleo": "agree"})
    assert [c.status for c in s.state.contract] == ["superseded", "consented"]
    assert s.state.rounds["contract.consent@2"].items == (2,)
    out = s.cmd("contract adopt")
    assert to_channel(out) == ["contract.adopted"]
    assert [c.status for c in s.state.contract] == ["superseded", "adopted"]


def test_an_objection_shared_with_the_facilitator_only_is_counted_and_still_blocks() -> None:
    s = started()
    s.cmd("contract draft Goal: fewer handoffs.")
    contract_consent(
        s,
        "contract.consent",
        {"ana": "agree", "ben": "object", "cleo": "agree_with_reservations"},
        ben="facilitator",
    )
    # The tally names the facilitator-only share because there is one.
    assert channel_params(s, "consent.tally.contract") == []
    [tally] = channel_params(s, "consent.tally_private.contract")
    assert (tally["objections"], tally["private"]) == (1, 1)
    assert (tally["agree"], tally["reservations"]) == (1, 1)
    assert replies(s.cmd("contract adopt")) == ["error.objection_outstanding.contract"]


def test_adoption_over_an_objection_needs_a_reason_the_group_and_the_audit_log_read() -> None:
    s = started()
    s.cmd("contract draft Goal: fewer handoffs.")
    contract_consent(s, "contract.consent", {"ana": "agree", "ben": "object", "cleo": "agree"})
    [tally] = channel_params(s, "consent.tally.contract")
    assert (tally["agree"], tally["objections"], tally["private"]) == (2, 1, 0)
    assert replies(s.cmd("contract adopt override")) == ["error.override_needs_reason"]
    assert replies(s.cmd("contract adopt soon")) == ["error.adopt_syntax"]
    out = s.cmd("contrat adopter malgré la direction l'exige avant vendredi")
    assert to_channel(out) == ["contract.adopted", "consent.override.contract"]
    [override] = channel_params(s, "consent.override.contract")
    assert override["reason"] == UserText("la direction l'exige avant vendredi")
    [audit] = audits(out)
    assert audit.action == "contract.adopt"
    assert audit.target == "v1:override:la direction l'exige avant vendredi"


def test_override_is_refused_when_nothing_is_objected() -> None:
    s = started()
    s.cmd("contract draft Goal: fewer handoffs.")
    contract_consent(s, "contract.consent", {"ana": "agree", "ben": "agree", "cleo": "agree"})
    assert replies(s.cmd("contract adopt override because")) == ["error.override_without_objection"]


def test_a_reservation_without_a_change_invites_its_author_alone_to_amend() -> None:
    s = started()
    s.cmd("contract draft Goal: fewer handoffs.")
    s.cmd("round open contract.consent")
    out = s.answer("ben", "contract.consent", {"contract.position": "agree_with_reservations"})
    assert to_user(out, "ben") == ["consent.amend_invite"]
    assert [e.to for e in sends(out)] == [ToUser("ben")]  # type: ignore[arg-type]
    out = s.answer("ana", "contract.consent", {"contract.position": "agree"})
    assert sends(out) == []
    out = s.answer(
        "cleo",
        "contract.consent",
        {"contract.position": "object", "contract.reason": "Say who reads the notes."},
    )
    assert sends(out) == []
    out = s.cmd("round close contract.consent")
    # After the private synthesis and its draft for review: how many amendments wait.
    assert to_user(out, FAC) == [
        "synthesis.facilitator",
        "curation.draft",
        "consent.amendments.contract",
    ]


def shortlisted(s: Session) -> None:
    """Two proposals on the board, both shortlisted by the dots round."""
    s.cmd("board add proposal Weekly sync")
    s.cmd("board add proposal Shared backlog")
    s.cmd("round open solutions.shortlist")
    for u in PEOPLE:
        s.answer(u, "solutions.shortlist", {"solutions.dots": {"1": 2, "2": 1}})
    s.cmd("round close solutions.shortlist")


def proposal_consent(s: Session, round_key: str, item: int, positions: dict[str, str]) -> None:
    s.cmd(f"round open {round_key.partition('@')[0]}")
    for user, position in positions.items():
        s.answer(user, round_key, {f"solutions.position#{item}": position})
    s.cmd(f"round close {round_key}")


def test_a_proposal_with_an_objection_is_adopted_only_in_a_new_version() -> None:
    s = started()
    shortlisted(s)
    proposal_consent(s, "solutions.consent", 1, {"ana": "object", "ben": "agree"})
    assert s.state is not None
    assert {b.id: b.status for b in s.state.board} == {1: "objected", 2: "consented"}
    out = s.cmd("decide 1 adopt")
    assert replies(out) == ["error.objection_outstanding.proposal"]
    assert replies(s.cmd("decide 2 adopt")) == ["decision.reply"]

    assert replies(s.cmd("board add proposal Weekly sync, 20 minutes -> #1")) == [
        "board.new_version"
    ]
    assert {b.id: b.status for b in s.state.board} == {
        1: "superseded",
        2: "adopted",
        3: "shortlisted",
    }
    assert replies(s.cmd("decide 1 adopt")) == ["error.proposal_superseded"]
    proposal_consent(s, "solutions.consent@2", 3, {"ana": "agree", "ben": "agree"})
    assert s.state.rounds["solutions.consent@2"].items == (3,)
    assert to_channel(s.cmd("decider 3 adopter")) == ["decision.adopted"]


def test_a_proposal_can_be_adopted_over_an_objection_with_a_reason() -> None:
    s = started()
    shortlisted(s)
    proposal_consent(s, "solutions.consent", 1, {"ana": "object", "ben": "agree"})
    out = s.cmd("decide 1 adopt override the pilot lasts two weeks only")
    assert to_channel(out) == ["decision.adopted", "consent.override.proposal"]
    assert audits(out)[0].target.startswith("proposal#1:adopted:override:")
    assert replies(s.cmd("decide 2 rework now")) == ["error.decide_syntax"]


def adopted_proposal(s: Session) -> None:
    s.cmd("board add proposal Weekly sync")
    s.cmd("decide 1 adopt")


def test_an_action_links_only_to_an_adopted_proposal() -> None:
    s = started()
    s.cmd("board add proposal Weekly sync")
    out = s.cmd("action add <@ana> 2026-12-01 Book a room -> #1")
    assert replies(out) == ["error.action_needs_adopted"]
    assert s.state is not None and s.state.actions == ()
    s.cmd("decide 1 adopt")
    assert replies(s.cmd("action add <@ana> 2026-12-01 Book a room -> #1")) == [
        "action.proposed_reply"
    ]


def test_an_action_counts_only_once_its_owner_accepts_it() -> None:
    s = started()
    adopted_proposal(s)
    out = s.cmd("action add <@ana> 2026-12-01 Book a room -> #1")
    # Proposed privately, with buttons; the group hears nothing yet, no reminder is set.
    assert to_channel(out) == []
    assert effects_of(out, Schedule) == []
    [dm] = [e for e in sends(out) if e.to == ToUser("ana")]  # type: ignore[comparison-overlap]
    assert dm.message.key == "action.proposed"
    assert [(b.action, b.value) for b in dm.message.buttons] == [("accept", "1"), ("decline", "1")]
    assert s.state is not None and s.state.actions[0].status == "proposed"
    assert replies(s.cmd("action done 1", user="ana")) == ["error.action_already.proposed"]

    assert s.state is not None
    bens_click = s.feed(ChoiceMade(s.meta("ben", None), s.state.id, "accept", "1"))
    assert replies(bens_click) == ["error.action_not_yours"]
    out = s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "accept", "1"))
    assert to_channel(out) == ["action.added"]
    assert [e.key for e in effects_of(out, Schedule)] == ["action:1"]  # type: ignore[attr-defined]
    assert s.state is not None and s.state.actions[0].status == "todo"
    again = s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "accept", "1"))
    assert replies(again) == ["error.action_already.todo"]
    assert replies(s.cmd("action done 1", user="ana")) == ["action.done_reply"]


def test_a_declined_action_and_its_reason_go_to_the_facilitators_only() -> None:
    s = started()
    adopted_proposal(s)
    s.cmd("action add <@ana> 2026-12-01 Book a room -> #1")
    s.cmd("action add <@ben> 2026-12-01 Write the agenda -> #1")
    assert s.state is not None
    # The decline button opens a form whose reason is optional.
    out = s.feed(NoteSubmitted(s.meta("ana", None), s.state.id, "decline", "1", ""))
    assert replies(out) == ["action.declined_reply"]
    assert to_user(out, FAC) == ["action.declined"]
    assert to_channel(out) == []
    out = s.cmd("action refuser 1 je suis absente en décembre", user="ana")
    assert replies(out) == ["action.reason_sent"]
    [sent] = sends(out)
    assert sent.to == ToUser(FAC)  # type: ignore[comparison-overlap]
    assert sent.message.params["reason"] == UserText("je suis absente en décembre")
    assert s.state is not None and s.state.actions[0].status == "declined"
    assert replies(s.cmd("action accept 1", user="ana")) == ["error.action_already.declined"]
    # A reason written in the form travels with the decline, to the facilitators alone.
    said = NoteSubmitted(s.meta("ben", None), s.state.id, "decline", "2", "en congé")
    out = s.feed(said)
    assert to_user(out, FAC) == ["action.declined_because"]
    assert [e.to for e in sends(out)] == [ToUser(FAC)]  # type: ignore[comparison-overlap]
    assert s.state is not None and s.state.actions[1].status == "declined"
    # Nobody declines for someone else.
    ana_for_ben = NoteSubmitted(s.meta("ana", None), s.state.id, "decline", "2", "")
    assert replies(s.feed(ana_for_ben)) == ["error.action_not_yours"]


def test_the_published_synthesis_counts_an_objection_shared_with_the_facilitator_only() -> None:
    s = started()
    s.cmd("contract draft Goal: fewer handoffs.")
    contract_consent(
        s, "contract.consent", {"ana": "agree", "ben": "object", "cleo": "agree"}, ben="facilitator"
    )
    out = s.cmd("publish contract.consent")
    [published] = [e.message.synthesis for e in sends(out) if isinstance(e.to, ToChannel)]
    assert published is not None and published.audience == "group"
    [position] = [p for p in published.prompts if p.prompt_key == "contract.position"]
    assert dict(position.counts)["object"] == 1  # not "objection: 0"
    assert position.confidential_objections == 1
    # What the objection says stays with the facilitators: no quote reaches the group.
    [reason] = [p for p in published.prompts if p.prompt_key == "contract.reason"]
    assert all("Name who reads" not in q.text for q in reason.quotes)


def test_the_follow_up_asks_the_owner_alone_and_a_blocked_action_reaches_the_facilitators() -> None:
    s = started()
    adopted_proposal(s)
    s.cmd("action add <@ana> 2026-12-01 Book a room -> #1")
    assert s.state is not None
    s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "accept", "1"))
    out = s.feed(TimerDue(s.meta(None), s.state.id, "action_due", {"action": "1"}))
    [asked] = sends(out)
    assert asked.to == ToUser("ana")  # type: ignore[comparison-overlap]
    assert asked.message.key == "action.due_soon"
    assert [(b.action, b.value) for b in asked.message.buttons] == [
        ("actdone", "1"),
        ("blocked", "1"),
    ]

    bens = NoteSubmitted(s.meta("ben", None), s.state.id, "blocked", "1", "")
    assert replies(s.feed(bens)) == ["error.action_not_yours"]
    out = s.feed(NoteSubmitted(s.meta("ana", None), s.state.id, "blocked", "1", "no room free"))
    assert replies(out) == ["action.blocked_reply"]
    assert to_user(out, FAC) == ["action.blocked_because"]
    assert to_channel(out) == []
    assert s.state is not None and s.state.actions[0].status == "blocked"
    # A later follow-up does not nag about a blocked action: the facilitator has it in hand.
    later = s.feed(TimerDue(s.meta(None), s.state.id, "action_due", {"action": "1"}))
    assert sends(later) == []

    out = s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "actdone", "1"))
    assert to_channel(out) == ["action.done"]
    assert s.state is not None and s.state.actions[0].status == "done"
    again = s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "actdone", "1"))
    assert replies(again) == ["error.action_already.done"]


def test_a_tally_of_fewer_than_k_positions_is_withheld_from_the_group() -> None:
    s = started()
    s.cmd("contract draft Goal: fewer handoffs.")
    contract_consent(s, "contract.consent", {"ana": "agree", "ben": "object"})
    assert channel_params(s, "consent.tally.contract") == []
    assert channel_params(s, "consent.tally_private.contract") == []
    assert channel_params(s, "consent.tally_withheld.contract") == [{"item": 1, "k": 3}]
    # Withheld from the group, the objection still holds adoption back.
    assert replies(s.cmd("contract adopt")) == ["error.objection_outstanding.contract"]
