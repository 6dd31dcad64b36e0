"""The engine's side of privacy: the anonymity choice made when starting, changed only before
the first round, and a `forget` that leaves no trace of the person in the state."""

from __future__ import annotations

from engine_helpers import Session, audits, effects_of, replies, to_user

from bot.core.effects import Cancel, Forget
from bot.core.events import GroupsComputed
from bot.core.model import GroupQuality, UserId
from bot.flows.privacy import split_anonymity

PEOPLE = ("ana", "ben", "cleo", "dan")


def test_the_anonymity_word_is_taken_out_of_the_title() -> None:
    assert split_anonymity("Notre démarche anonymat=total") == ("Notre démarche", "full")
    assert split_anonymity("ANONYMITY=Full Team") == ("Team", "full")
    assert split_anonymity("Équipe anonymat=groupe") == ("Équipe", "group")
    assert split_anonymity("Équipe  a=b") == ("Équipe  a=b", None)  # untouched otherwise


def test_start_with_full_anonymity_and_change_it_before_the_first_round_only() -> None:
    s = Session()
    out = s.cmd("start Équipe anonymat=total")
    assert s.state is not None and s.state.anonymity == "full" and s.state.title == "Équipe"
    assert replies(out) == ["intervention.started_reply", "privacy.anonymity_chosen"]
    s.cmd("invite <@ana> <@ben> <@cleo>")
    s.consent("ana")
    out = s.cmd("start anonymity=group")
    assert s.state.anonymity == "group"
    # Everyone who had the frame hears of the change, the facilitator excepted.
    assert all(to_user(out, p) == ["privacy.anonymity_changed"] for p in ("ana", "ben", "cleo"))
    assert [a.target for a in audits(out)] == ["anonymity=group"]
    assert replies(s.cmd("start anonymity=full", user="ana")) == ["error.facilitator_only"]
    assert s.state.anonymity == "group"
    s.cmd("round open intake")
    before = s.state
    out = s.cmd("start anonymity=full")
    assert replies(out) == ["privacy.error.too_late"] and s.state == before


def test_forget_leaves_no_trace_of_the_person_in_the_state() -> None:
    s = Session()
    s.group_with(*PEOPLE)
    s.cmd("groups propose size 2")
    assert s.state is not None
    pairs = ((UserId("ana"), UserId("cleo")), (UserId("ben"), UserId("dan")))
    s.feed(GroupsComputed(s.meta(None), s.state.id, pairs, GroupQuality(2, 2, 0, 0, 0, 0, ())))
    s.cmd("action add <@ana> 2026-12-20 écrire le compte rendu")
    s.cmd("round open intake")
    s.answer("ana", "trust.intake", {"trust.hope": "h"})
    out = s.cmd("forget", user="ana")
    state = s.state
    assert state is not None
    assert effects_of(out, Forget) == [Forget(UserId("ana"), erase_member=True)]
    assert [(a.actor, a.action) for a in audits(out)] == [("", "erasure")]
    assert Cancel("action:1") in effects_of(out, Cancel)  # no reminder goes to nobody
    assert "ana" not in state.participants and not state.responses
    assert all("ana" not in r.recipients for r in state.rounds.values())
    assert state.subgroups and all("ana" not in g.members for g in state.subgroups)
    assert [a.owner for a in state.actions] == [""]
    assert replies(out) == []  # the runner answers, once it knows what it erased
