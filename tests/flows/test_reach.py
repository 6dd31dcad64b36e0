"""Someone the platform will not let the bot reach (bot/flows/reach.py): the engine decides
who hears of it and how; counts and causes only, never who."""

from __future__ import annotations

from engine_helpers import FLOW, Session, effects_of, replies, to_channel, to_user

from bot.core.effects import Button, Reply, Send, ToChannel, Withdraw
from bot.core.events import ChoiceMade, PersonUnreachable
from bot.flows.context import Facts
from bot.flows.engine import advance
from bot.flows.reach import CLOSED_DMS_NOTICE

INTAKE = "trust.intake"


def opened() -> Session:
    s = Session()
    s.group_with("ana", "ben", "cleo")
    s.cmd(f"round open {INTAKE}")
    return s


def bounce(
    s: Session, cause: str, people: int, already: bool = False, queued: bool = False
) -> Session:
    """A dead letter told to the engine, with what the runner read for it under the lock."""
    assert s.state is not None
    event = PersonUnreachable(s.meta(None, None), s.state.id, cause, already)
    facts = Facts(unreachable=people, queued=frozenset({CLOSED_DMS_NOTICE} if queued else ()))
    outcome = advance(s.state, event, flow=FLOW, now=s.now, policy=s.policy, facts=facts)
    s.outcomes.append(outcome)
    s.state = outcome.state
    return s


def test_the_first_closed_dm_posts_a_nameless_count_with_the_button_in_the_channel() -> None:
    s = bounce(opened(), "dm_closed", 1)
    (send,) = effects_of(s.outcomes[-1], Send)
    assert isinstance(send, Send) and isinstance(send.to, ToChannel)
    assert send.message.key == "reach.dm_closed" and send.message.params == {"count": 1}
    assert send.message.buttons == (Button("myprompts", "button.my_prompts"),)
    assert send.message.item == CLOSED_DMS_NOTICE  # recorded where posted, to be edited


def test_a_later_person_edits_the_count_instead_of_posting_again() -> None:
    s = bounce(opened(), "dm_closed", 2, queued=True)
    assert to_channel(s.outcomes[-1]) == []
    (edit,) = effects_of(s.outcomes[-1], Withdraw)
    assert isinstance(edit, Withdraw) and edit.posted == CLOSED_DMS_NOTICE
    assert edit.replacement.params == {"count": 2} and not edit.cancel_waiting


def test_the_same_person_bouncing_again_changes_nothing() -> None:
    s = bounce(opened(), "dm_closed", 2, already=True)
    assert s.outcomes[-1].effects == ()


def test_a_deactivated_account_is_told_to_the_facilitators_privately_as_a_count() -> None:
    s = bounce(opened(), "account_inactive", 1)
    assert to_channel(s.outcomes[-1]) == []
    assert to_user(s.outcomes[-1], "fac") == ["reach.account_inactive"]
    (send,) = effects_of(s.outcomes[-1], Send)
    assert isinstance(send, Send) and send.message.params == {"count": 1}


def test_nothing_is_said_once_the_intervention_is_closed() -> None:
    s = opened()
    s.cmd("close")
    assert bounce(s, "dm_closed", 1).outcomes[-1].effects == ()


def press_my_prompts(s: Session, user: str) -> list[Reply]:
    assert s.state is not None
    outcome = s.feed(ChoiceMade(s.meta(user, "C1"), s.state.id, "myprompts", ""))
    return [e for e in effects_of(outcome, Reply) if isinstance(e, Reply)]


def test_the_button_shows_its_presser_alone_what_waits_for_them() -> None:
    s = opened()
    (prompt,) = press_my_prompts(s, "ana")
    assert prompt.message.key == "round.prompt_again" and prompt.message.form_round == INTAKE
    s.answer("ana", INTAKE, {"trust.hope": "x"})
    (nothing,) = press_my_prompts(s, "ana")
    assert nothing.message.key == "reach.nothing_waiting"
    assert [r.message.key for r in press_my_prompts(s, "ben")] == ["round.prompt_again"]


def test_someone_invited_gets_the_frame_from_the_button() -> None:
    s = Session()
    s.cmd("start Team")
    s.cmd("invite <@ana>")
    (frame,) = press_my_prompts(s, "ana")
    assert frame.message.key == "frame.body"
    assert replies(s.outcomes[-1]) == ["frame.body"]
