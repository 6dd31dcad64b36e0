"""What the state says to one person (bot/flows/queries.py): what waits for them, where the
intervention stands for them, what they may do now; and `/tst status`, `/tst answer` and the
"Get my prompts" button say exactly that, because they read it from there."""

from __future__ import annotations

from engine_helpers import Session, effects_of, replies, to_user

from bot.core.effects import Button, Message, Reply
from bot.core.events import ChoiceMade
from bot.core.model import UserId
from bot.flows.queries import allowed_actions, standing, standing_messages, waiting_for

INTAKE, BAROMETER = "trust.intake", "trust.barometer"
ANA, BEN, FAC = UserId("ana"), UserId("ben"), UserId("fac")


def opened(*rounds: str) -> Session:
    s = Session()
    s.group_with("ana", "ben", "cleo")
    for key in rounds:
        s.cmd(f"round open {key}")
    return s


def click(s: Session, user: str, action: str, value: str = "") -> list[str]:
    assert s.state is not None
    return replies(s.feed(ChoiceMade(s.meta(user, None), s.state.id, action, value)))


def asked(messages: list[Message]) -> list[tuple[str, str]]:
    """Each waiting message as (key, round): what it asks, and about what."""
    return [(m.key, str(m.params.get("round", ""))) for m in messages]


def test_the_frame_waits_first_then_each_open_round_not_yet_answered() -> None:
    s = Session()
    s.cmd("start Team")
    s.cmd("invite <@ana> <@ben>")
    s.consent("ben")
    s.cmd(f"round open {INTAKE}")
    assert s.state is not None
    assert asked(waiting_for(s.state, ANA)) == [("frame.body", "")]
    assert asked(waiting_for(s.state, BEN)) == [("round.prompt_again", INTAKE)]
    s.consent("ana")  # a late acceptance: the open round asks her too
    assert asked(waiting_for(s.state, ANA)) == [("round.prompt_again", INTAKE)]


def test_a_round_answered_or_skipped_no_longer_waits() -> None:
    # Discord's "Get my prompts" used to offer every open round again, answered or skipped.
    s = opened(INTAKE, BAROMETER)
    s.answer("ana", INTAKE, {"trust.hope": "du calme"})
    click(s, "ben", "skip", BAROMETER)
    assert s.state is not None
    assert asked(waiting_for(s.state, ANA)) == [("round.prompt_again", BAROMETER)]
    assert asked(waiting_for(s.state, BEN)) == [("round.prompt_again", INTAKE)]


def test_someone_who_withdrew_from_the_frame_is_offered_nothing_the_engine_would_refuse() -> None:
    # `/tst answer` and the DM answer used to send a withdrawn person prompts whose answers
    # the engine then refused ("not a recipient").
    s = opened(INTAKE)
    click(s, "ana", "consent", "decline")
    assert s.state is not None
    assert waiting_for(s.state, ANA) == []
    assert not [b for b in allowed_actions(s.state, ANA) if b.action == "answer"]
    assert replies(s.answer("ana", INTAKE, {"trust.hope": "x"})) == ["error.not_a_recipient"]
    outcome = s.cmd("answer", user="ana")
    assert to_user(outcome, "ana") == [] and replies(outcome) == ["answer.pending"]


def test_nothing_waits_in_a_closed_intervention_nor_for_someone_who_left() -> None:
    s = opened(INTAKE)
    s.cmd("leave", user="ben")
    assert s.state is not None
    assert waiting_for(s.state, BEN) == [] and allowed_actions(s.state, BEN) == ()
    s.cmd("close")
    assert waiting_for(s.state, ANA) == [] and allowed_actions(s.state, ANA) == ()


def test_tst_answer_sends_exactly_what_waits() -> None:
    s = opened(INTAKE, BAROMETER)
    s.answer("ana", INTAKE, {"trust.hope": "x"})
    outcome = s.cmd("answer", user="ana")
    assert s.state is not None
    assert to_user(outcome, "ana") == [m.key for m in waiting_for(s.state, ANA)]
    (reply,) = effects_of(outcome, Reply)
    assert isinstance(reply, Reply) and reply.message.params["count"] == 1


def status_replies(s: Session, user: str) -> list[Message]:
    return [e.message for e in s.cmd("status", user=user).effects if isinstance(e, Reply)]


def test_status_is_the_standing_a_participant_sees_counts_of_the_group_only() -> None:
    s = opened(INTAKE, BAROMETER)
    s.answer("ana", INTAKE, {"trust.hope": "x"})
    assert s.state is not None
    where = standing(s.state, BEN)
    assert where.open_rounds == (INTAKE, BAROMETER) and where.participants == 4
    assert not where.facilitator and where.progress == () and where.safety is None
    assert status_replies(s, "ben") == standing_messages(where)
    (body,) = standing_messages(where)
    # The open rounds by name, on every platform: the App Home used to give their count.
    assert body.params["rounds"] == f"{INTAKE}, {BAROMETER}"


def test_status_for_a_facilitator_adds_each_rounds_progress_and_the_inbox() -> None:
    s = opened(INTAKE)
    s.answer("ana", INTAKE, {"trust.hope": "x"})
    click(s, "ben", "skip", INTAKE)
    s.cmd("timeout", user="cleo")
    assert s.state is not None
    shown = status_replies(s, "fac")
    assert shown == standing_messages(standing(s.state, FAC))
    # The round's progress, then how many passed it (ben skipped), then the inbox.
    assert [m.key for m in shown] == [
        "status.body",
        "status.round",
        "status.refusals",
        "status.safety",
    ]
    # The private notes and templates: buttons on the facilitator's first line.
    assert shown[0].buttons == (
        Button("notes", "button.notes.open"),
        Button("tform", "button.notes.template"),
    )
    assert shown[1].params == {"round": INTAKE, "answered": 2, "total": 3}
    assert shown[3].buttons == (Button("inbox", "button.inbox"),)


def test_undelivered_counts_reach_facilitators_only_largest_cause_first() -> None:
    s = opened()
    assert s.state is not None
    lost = {"dm_closed": 1, "account_inactive": 3}
    keys = [m.key for m in standing_messages(standing(s.state, FAC, lost))]
    assert keys == [
        "status.body",
        "status.undelivered",
        "status.undelivered_cause",
        "status.undelivered_cause",
    ]
    causes = [m.params.get("cause") for m in standing_messages(standing(s.state, FAC, lost))]
    assert causes[2:] == ["account_inactive", "dm_closed"]
    assert [m.key for m in standing_messages(standing(s.state, ANA, lost))] == ["status.body"]


def test_what_a_participant_may_do_is_accepted_by_the_engine() -> None:
    s = opened(INTAKE)
    assert s.state is not None
    allowed = allowed_actions(s.state, ANA)
    assert [(b.action, b.value) for b in allowed] == [
        ("answer", INTAKE),
        ("talk", ""),
        ("timeout", ""),
    ]
    assert replies(s.answer("ana", INTAKE, {"trust.hope": "x"})) == ["answer.recorded"]
    # Answered, the round stays open to changes: its button is still allowed.
    assert ("answer", INTAKE) in [(b.action, b.value) for b in allowed_actions(s.state, ANA)]


def test_a_facilitator_gets_the_inbox_only_when_it_holds_something_and_no_levers() -> None:
    s = opened(INTAKE)
    assert s.state is not None
    assert allowed_actions(s.state, FAC) == ()  # not a recipient of the round, nothing asked
    s.cmd("timeout", user="ana")
    assert [b.action for b in allowed_actions(s.state, FAC)] == ["inbox"]
    assert click(s, "fac", "inbox")[0] == "inbox.summary"


def test_someone_invited_may_accept_or_decline_the_frame_and_nothing_else_yet() -> None:
    s = Session()
    s.cmd("start Team")
    s.cmd("invite <@ana>")
    s.cmd(f"round open {INTAKE}")
    assert s.state is not None
    allowed = [(b.action, b.value) for b in allowed_actions(s.state, ANA)]
    assert allowed == [("consent", "accept"), ("consent", "decline"), ("talk", ""), ("timeout", "")]
