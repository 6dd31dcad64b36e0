"""A sub-group's report-back: its members write it, every present member agrees to the same
version, and only then it reaches the plenary, without names; otherwise nothing leaves."""

from __future__ import annotations

from engine_helpers import Session, audits, replies, sends, to_channel, to_user

from bot.core.effects import ToChannel, ToSpace, UserText
from bot.core.events import ChoiceMade, GroupsComputed, NoteSubmitted
from bot.core.model import GroupQuality, UserId

PEOPLE = ("ana", "ben", "cleo", "dan", "eve", "fred")


def in_subgroups() -> Session:
    s = Session()
    s.group_with(*PEOPLE)
    s.cmd("groups propose size 3")
    assert s.state is not None
    split = (
        (UserId("ana"), UserId("ben"), UserId("cleo")),
        (UserId("dan"), UserId("eve"), UserId("fred")),
    )
    s.feed(GroupsComputed(s.meta(None), s.state.id, split, GroupQuality(2, 2, 0, 0, 0, 0, ())))
    s.cmd("groups approve")
    return s


def agree(s: Session, user: str, value: str) -> object:
    assert s.state is not None
    return s.feed(ChoiceMade(s.meta(user, None), s.state.id, "rbagree", value))


def test_the_report_back_goes_to_the_plenary_once_every_member_agreed_and_names_nobody() -> None:
    s = in_subgroups()
    out = s.cmd("groupes restitution On a découvert nos contraintes", user="ana", channel="G1")
    [draft] = [x for x in sends(out) if isinstance(x.to, ToSpace)]
    assert draft.to == ToSpace(1) and draft.message.key == "reportback.draft"
    assert {b.action for b in draft.message.buttons} == {"rbagree", "rbchange"}
    assert to_channel(out) == []
    assert to_channel(agree(s, "ben", "1.1")) == []  # two of three
    last = agree(s, "cleo", "1.1")
    [posted] = [x for x in sends(last) if isinstance(x.to, ToChannel)]
    assert posted.message.key == "reportback.posted"
    assert posted.message.params["text"] == UserText("On a découvert nos contraintes")
    words = repr(posted.message.params)
    assert not any(name in words for name in ("ana", "ben", "cleo"))
    assert to_user(last, "fac") == ["reportback.sent_facilitators"]
    [audit] = audits(last)
    assert audit.actor == "" and audit.target == "1"


def test_other_words_make_a_new_version_and_earlier_agreements_no_longer_count() -> None:
    s = in_subgroups()
    s.cmd("groups report First words", user="ana")
    agree(s, "ben", "1.1")
    assert s.state is not None
    s.feed(NoteSubmitted(s.meta("cleo", None), s.state.id, "rbchange", "1.1", "Better words"))
    report = s.state.subgroups[0].report
    assert report is not None and report.version == 2 and report.agreed == {"cleo"}
    before = s.state
    assert replies(agree(s, "ben", "1.1")) == ["reportback.error_stale"]
    assert s.state is before
    agree(s, "ana", "1.2")
    out = agree(s, "ben", "1.2")
    [posted] = [x for x in sends(out) if isinstance(x.to, ToChannel)]
    assert posted.message.params["text"] == UserText("Better words")


def test_only_members_of_the_sub_group_write_or_agree_and_a_sent_report_is_final() -> None:
    s = in_subgroups()
    s.cmd("groups report Words", user="ana")
    before = s.state
    assert replies(agree(s, "dan", "1.1")) == ["reportback.error_stale"]  # dan's group: 2
    assert replies(s.cmd("groups report Mine", user="fac")) == ["reportback.error_not_member"]
    assert s.state is before
    agree(s, "ben", "1.1")
    agree(s, "cleo", "1.1")
    refused = s.cmd("groups report Again", user="ben")
    assert replies(refused) == ["reportback.error_already_sent"] and to_channel(refused) == []


def test_a_member_who_left_does_not_hold_the_others_back() -> None:
    s = in_subgroups()
    s.cmd("leave", user="cleo")
    s.cmd("groups report Words", user="ana")
    out = agree(s, "ben", "1.1")
    assert to_channel(out) == ["reportback.posted"]


def test_without_agreement_nothing_leaves_and_the_facilitator_is_told_at_close() -> None:
    s = in_subgroups()
    s.cmd("groups report Words", user="ana")
    agree(s, "ben", "1.1")
    out = s.cmd("groups close")
    assert "reportback.posted" not in to_channel(out)
    assert replies(out) == ["groups.closed_reply", "reportback.closed_unsent"]
    assert s.state is not None
    assert [m.key for m in _status(s)].count("reportback.status") == 1


def test_bad_input_is_explained_and_changes_nothing() -> None:
    s = in_subgroups()
    before = s.state
    assert replies(s.cmd("groups report", user="ana")) == ["reportback.error_syntax"]
    long = "x" * 1501
    assert replies(s.cmd(f"groups report {long}", user="ana")) == ["reportback.error_too_long"]
    assert replies(agree(s, "ana", "nonsense")) == ["reportback.error_stale"]
    assert s.state is before


def _status(s: Session) -> list:  # type: ignore[type-arg]
    from bot.flows.queries import standing, standing_messages

    assert s.state is not None
    return standing_messages(standing(s.state, UserId("fac")))
