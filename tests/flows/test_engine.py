"""The engine, step by step: what each command and answer does, and what it refuses."""

from __future__ import annotations

from engine_helpers import (
    FAC,
    Session,
    audits,
    effects_of,
    replies,
    sends,
    to_channel,
    to_user,
)

from bot.core.effects import ComputeGroups, Forget, OpenSpace, Schedule, Send, ToSpace
from bot.core.events import AppRemoved, GroupsComputed
from bot.core.model import GroupQuality, UserId

PEOPLE = ("ana", "ben", "cleo", "dan")


def started() -> Session:
    s = Session()
    s.group_with(*PEOPLE)
    return s


def groups_arrive(s: Session, by: tuple[str, ...] = ()) -> None:
    """The solver's answer comes back (as the dispatcher would feed it): ana+cleo, ben+dan."""
    assert s.state is not None
    pairs = ((UserId("ana"), UserId("cleo")), (UserId("ben"), UserId("dan")))
    s.feed(
        GroupsComputed(s.meta(None), s.state.id, pairs, GroupQuality(2.0, 2.0, 0.0, 0, 0, 0, by))
    )


def test_start_makes_the_issuer_facilitator_and_announces_in_the_channel() -> None:
    s = Session()
    out = s.cmd("start Support team")
    assert s.state is not None and s.state.is_facilitator(FAC)
    assert s.state.title == "Support team" and s.state.status == "draft"
    assert to_channel(out) == ["intervention.started"]
    assert [a.action for a in audits(out)] == ["start"]


def test_french_aliases_reach_the_same_commands() -> None:
    s = Session()
    s.cmd("démarrer Équipe")
    out = s.cmd("inviter <@ana>")
    assert replies(out) == ["invite.ok"]
    assert to_user(out, "ana") == ["frame.body"]


def test_a_whole_department_can_be_invited_in_one_command() -> None:
    """200 Discord mentions (21 characters each) are a legitimate command, not an abuse."""
    s = Session()
    s.cmd("start Department")
    people = [f"{10**17 + i}" for i in range(200)]
    out = s.cmd("invite " + " ".join(f"<@{p}>" for p in people))
    assert replies(out) == ["invite.ok"]
    assert all(to_user(out, p) == ["frame.body"] for p in people)


def test_nobody_receives_a_prompt_before_accepting_the_frame() -> None:
    s = Session()
    s.cmd("start T")
    s.cmd("invite <@ana> <@ben> <@cleo>")
    s.consent("ana")
    out = s.cmd("round open trust.intake")
    assert to_user(out, "ana") == ["round.prompt"]
    assert to_user(out, "ben") == [] and to_user(out, "cleo") == []


def test_late_consent_still_receives_the_open_private_rounds() -> None:
    s = Session()
    s.cmd("start T")
    s.cmd("invite <@ana> <@ben>")
    s.consent("ana")
    s.cmd("round open intake")
    out = s.consent("ben")
    assert to_user(out, "ben") == ["round.prompt"]


def test_a_participant_cannot_use_facilitator_commands_and_nothing_changes() -> None:
    s = started()
    before = s.state
    for text in (
        "round open trust.intake",
        "step conflict",
        "close",
        "groups propose",
        "publish trust.intake",
        "contract draft x",
        "pause",
    ):
        out = s.cmd(text, user="ana")
        assert replies(out) == ["error.facilitator_only"], text
        assert out.refused and s.state is before and not audits(out)


def test_unknown_commands_and_subcommands_are_explained() -> None:
    s = started()
    assert replies(s.cmd("frobnicate")) == ["error.unknown_command"]
    assert replies(s.cmd("round dance intake")) == ["error.unknown_subcommand"]
    assert replies(s.cmd("round open nope")) == ["error.unknown_round"]
    assert replies(s.cmd("x" * 9000)) == ["error.too_long"]


def test_answers_are_validated_per_prompt_kind() -> None:
    s = started()
    s.cmd("round open trust.barometer")
    assert replies(s.answer("ana", "trust.barometer", {"barometer.level": 9})) == [
        "error.answer_out_of_range"
    ]
    assert replies(s.answer("ana", "trust.barometer", {"barometer.level": "high"})) == [
        "error.answer_invalid"
    ]
    assert replies(s.answer("ana", "trust.barometer", {"barometer.word": "x" * 81})) == [
        "error.answer_too_long"
    ]
    assert replies(s.answer("ana", "trust.barometer", {"nope": 1})) == [
        "error.answer_unknown_prompt"
    ]
    assert replies(
        s.answer("ana", "trust.barometer", {"barometer.level": 4}, visibility="group_attributed")
    ) == ["error.visibility_not_allowed"]
    assert replies(s.answer("ana", "trust.barometer", {"barometer.level": 4})) == [
        "answer.recorded"
    ]


def test_an_answer_can_be_edited_until_close_and_keeps_its_id() -> None:
    s = started()
    s.cmd("round open trust.intake")
    s.answer("ana", "trust.intake", {"trust.hope": "first"})
    assert s.state is not None
    (first,) = s.state.responses.values()
    s.answer("ana", "trust.intake", {"trust.hope": "second"})
    (second,) = s.state.responses.values()
    assert first.id == second.id and second.value == "second"
    s.cmd("round close trust.intake")
    assert replies(s.answer("ana", "trust.intake", {"trust.hope": "late"})) == [
        "error.round_closed_for_answers"
    ]


def test_one_reminder_only_to_non_responders_with_the_same_words_for_all() -> None:
    s = started()
    s.cmd("round open intake")
    s.answer("ana", "trust.intake", {"trust.hope": "h"})
    out = s.cmd("round remind intake")
    reminded = {str(m.to.user) for m in sends(out) if hasattr(m.to, "user")}
    assert reminded == {"ben", "cleo", "dan"}
    assert {m.message.key for m in sends(out)} == {"round.reminder"}
    assert all(not m.message.params.get("user") for m in sends(out))
    assert replies(s.cmd("round remind intake")) == ["error.already_reminded"]


def test_skip_counts_as_an_answer_and_not_now_schedules_one_resend() -> None:
    s = started()
    s.cmd("round open intake")
    assert s.state is not None
    from bot.core.events import ChoiceMade

    out = s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "skip", "trust.intake"))
    # The confirmation, then the optional "what would make it possible?" (tests/test_refusals).
    assert replies(out) == ["confirm.skipped_round", "refusal.ask"]
    assert s.state.responses and all(r.skipped for r in s.state.responses.values())
    out = s.feed(ChoiceMade(s.meta("ben", None), s.state.id, "notnow", "trust.intake"))
    (timer,) = effects_of(out, Schedule)
    assert isinstance(timer, Schedule) and timer.kind == "resend"
    out = s.cmd("round remind intake")
    assert {str(m.to.user) for m in sends(out) if hasattr(m.to, "user")} == {"ben", "cleo", "dan"}


def test_close_reveals_group_answers_only_with_k_contributors() -> None:
    s = started()
    s.cmd("round open trust.barometer")
    s.answer("ana", "trust.barometer", {"barometer.level": 4})
    s.answer("ben", "trust.barometer", {"barometer.level": 2})
    s.cmd("round close trust.barometer")
    assert s.state is not None
    synthesis = s.state.syntheses["trust.barometer"]
    level = next(p for p in synthesis.prompts if p.prompt_key == "barometer.level")
    assert level.withheld and level.counts == () and level.mean is None


def test_publish_is_refused_before_close_then_posts_the_synthesis_once() -> None:
    s = started()
    s.cmd("round open trust.barometer")
    for u, v in zip(PEOPLE, (4, 2, 3, 5), strict=True):
        s.answer(u, "trust.barometer", {"barometer.level": v})
    assert replies(s.cmd("publish trust.barometer")) == ["error.publish_before_close"]
    s.cmd("round close trust.barometer")
    out = s.cmd("publish trust.barometer")
    assert to_channel(out) == ["synthesis.group"]
    level = next(
        p
        for p in sends(out)[0].message.synthesis.prompts  # type: ignore[union-attr]
        if p.prompt_key == "barometer.level"
    )
    assert level.mean == 3.5 and dict(level.counts)["4"] == 1
    assert replies(s.cmd("publish trust.barometer")) == ["error.already_published"]


def test_contract_versions_consent_round_and_adoption() -> None:
    s = started()
    assert replies(s.cmd("round open contract.consent")) == [
        "error.round_needs_items.contract.consent"
    ]
    s.cmd("contract draft Objective: cooperate.")
    s.cmd("contract draft Objective: cooperate better.")
    assert s.state is not None
    assert [c.status for c in s.state.contract] == ["superseded", "draft"]
    s.cmd("round open contract.consent")
    assert s.state.contract[-1].status == "in_consent"
    assert replies(s.cmd("contract adopt")) == ["error.contract_in_consent"]
    for u in PEOPLE:
        s.answer(u, "contract.consent", {"contract.position": "agree"})
    s.cmd("round close contract.consent")
    out = s.cmd("contract adopt")
    assert to_channel(out) == ["contract.adopted"]
    assert s.state.contract[-1].status == "adopted"


def test_groups_are_computed_outside_the_engine_then_approved_into_spaces() -> None:
    s = started()
    for u, team in zip(PEOPLE, ("a", "a", "b", "b"), strict=True):
        s.cmd(f"profile team={team}", user=u)
    out = s.cmd("groups propose size 2 by team")
    (job,) = effects_of(out, ComputeGroups)
    assert isinstance(job, ComputeGroups) and job.attributes == ("team",)
    groups_arrive(s, ("team",))
    assert [g.status for g in s.state.subgroups] == ["proposed", "proposed"]
    out = s.cmd("groups approve")
    assert len(effects_of(out, OpenSpace)) == 2
    out = s.cmd("round open subgroups.exchange")
    spaces = [m for m in sends(out) if isinstance(m.to, ToSpace)]
    assert len(spaces) == 2
    assert replies(s.cmd("publish subgroups.exchange")) == ["error.publish_before_close"]
    s.cmd("round close subgroups.exchange")
    assert replies(s.cmd("publish subgroups.exchange")) == ["error.subgroup_content_stays"]


def test_forget_erases_the_person_and_their_open_answers() -> None:
    s = started()
    s.cmd("round open intake")
    s.answer("ana", "trust.intake", {"trust.hope": "h"})
    out = s.cmd("forget", user="ana")
    assert effects_of(out, Forget) == [Forget(UserId("ana"), erase_member=True)]
    assert s.state is not None and "ana" not in s.state.participants
    assert not s.state.responses


def test_profile_accepts_declared_attributes_only_in_a_safe_shape() -> None:
    s = started()
    assert replies(s.cmd("profile team=ops site=Lyon", user="ana")) == ["profile.show"]
    assert s.state is not None
    assert s.state.participants[UserId("ana")].attributes == {"team": "ops", "site": "Lyon"}
    assert replies(s.cmd("profile Team Ops", user="ana")) == ["error.profile_syntax"]


def test_pause_blocks_new_rounds_until_resume() -> None:
    s = started()
    assert replies(s.cmd("pause")) == ["error.not_active"]
    s.cmd("step trust")
    s.cmd("pause")
    assert replies(s.cmd("round open intake")) == ["error.paused"]
    s.cmd("resume")
    assert replies(s.cmd("round open intake")) == ["round.opened_reply"]


def test_closing_the_intervention_closes_open_rounds_and_is_final() -> None:
    s = started()
    s.cmd("round open intake")
    out = s.cmd("close")
    assert s.state is not None and s.state.status == "closed"
    assert s.state.rounds["trust.intake"].status == "closed"
    assert replies(out) == ["intervention.closed_reply"]
    assert replies(s.cmd("round open trust.barometer")) == ["error.closed"]


def test_a_facilitator_plans_a_round_and_it_runs_as_they_would_have_typed_it() -> None:
    from bot.core.effects import Cancel
    from bot.core.events import TimerDue

    s = started()
    s.now = s.now.replace(hour=8)  # a Monday morning, 2026-10-05
    out = s.cmd("planifier ouvrir intake demain 9h")
    (timer,) = effects_of(out, Schedule)
    assert isinstance(timer, Schedule) and timer.kind == "command"
    assert replies(out) == ["schedule.added_reply"]
    assert replies(s.cmd("schedule close intake tomorrow 8am")) == [
        "error.schedule_close_before_open"
    ]
    assert replies(s.cmd("schedule close intake in 3 days")) == ["schedule.added_reply"]
    assert replies(s.cmd("schedule open intake yesterday")) == ["error.schedule_unparseable"]
    assert replies(s.cmd("schedule open trust.barometer 2020-01-01 09:00")) == [
        "error.schedule_past"
    ]
    assert replies(s.cmd("schedule list")) == ["schedule.item", "schedule.item"]
    assert s.state is not None
    out = s.feed(TimerDue(s.meta(None), s.state.id, "command", {"id": "1"}))
    assert s.state.rounds["trust.intake"].status == "open"
    assert to_user(out, "ana") == ["round.prompt"]
    assert to_user(out, "fac") == ["round.opened_reply"]  # the confirmation, privately
    assert [a.action for a in audits(out)] == ["round.open"]
    out = s.cmd("schedule cancel 2")
    assert effects_of(out, Cancel) and not s.state.scheduled
    assert replies(s.cmd("schedule cancel 2")) == ["error.schedule_unknown"]


def test_a_planned_action_that_can_no_longer_run_is_reported_to_its_author() -> None:
    from bot.core.events import TimerDue

    s = started()
    s.cmd("schedule open intake in 2 days")
    s.cmd("round open intake")  # opened by hand meanwhile
    assert s.state is not None
    out = s.feed(TimerDue(s.meta(None), s.state.id, "command", {"id": "1"}))
    assert to_user(out, "fac") == ["schedule.failed", "error.round_already_open"]
    assert not s.state.scheduled


def test_the_facilitator_adjusts_a_proposal_and_its_quality_is_scored_again() -> None:
    s = started()
    for u, team in zip(PEOPLE, ("a", "a", "b", "b"), strict=True):
        s.cmd(f"profile team={team}", user=u)
    groups_arrive(s, ("team",))
    out = s.cmd("groups swap <@cleo> <@ben>")
    assert to_user(out, "fac") == ["groups.proposal"]
    assert [g.members for g in s.state.subgroups] == [("ana", "ben"), ("cleo", "dan")]
    quality = s.state.group_quality
    assert quality is not None and quality.diversity == 0.0 and quality.gap == 1.0
    s.cmd("groups move <@ana> 2")
    assert [len(g.members) for g in s.state.subgroups] == [1, 3]
    assert replies(s.cmd("groups move <@ben> 2")) == ["error.groups_would_empty"]
    assert [a.action for a in audits(s.cmd("groups approve"))] == ["groups.approve"]


def test_moving_on_from_the_sub_group_step_closes_its_rounds_then_archives_its_spaces() -> None:
    from bot.core.effects import CloseSpace

    s = started()
    s.cmd("step subgroups")
    s.cmd("groups propose size 2")
    groups_arrive(s)
    s.cmd("groups approve")
    s.cmd("round open subgroups.exchange")
    out = s.cmd("step conflict")
    closes = {e.subgroup: i for i, e in enumerate(out.effects) if isinstance(e, CloseSpace)}
    assert sorted(closes) == [1, 2]  # groups are numbered from 1, as people see them
    # Each space gets its synthesis (and a closing word) before it is archived.
    for index, closed_at in closes.items():
        said = [
            (i, e.message.key)
            for i, e in enumerate(out.effects)
            if isinstance(e, Send) and e.to == ToSpace(index)
        ]
        assert [k for _, k in said] == ["synthesis.subgroup", "groups.closing"]
        assert all(i < closed_at for i, _ in said)
    assert s.state.rounds["subgroups.exchange"].status == "closed"
    assert {g.status for g in s.state.subgroups} == {"closed"}
    assert s.state.step == "conflict"
    assert [a.action for a in audits(out)] == ["step"]
    assert not effects_of(s.cmd("step information"), CloseSpace)


def test_the_app_removed_from_the_workspace_closes_without_a_word() -> None:
    """Nothing can reach the workspace any more: the intervention closes where it stands (so
    retention applies), says nothing, and leaves one audit line; a second notice is a no-op."""
    s = started()
    s.cmd("round open intake")
    assert s.state is not None
    out = s.feed(AppRemoved(s.meta(None, None), s.state.id))
    assert s.state.status == "closed" and s.state.closed_at is not None
    assert sends(out) == [] and replies(out) == []
    assert [(a.actor, a.action) for a in audits(out)] == [("", "app_removed")]
    before = s.state
    again = s.feed(AppRemoved(s.meta(None, None), s.state.id))
    assert again.effects == () and s.state == before
