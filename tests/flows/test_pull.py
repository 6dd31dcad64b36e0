"""Pull mode (bot/flows/pull.py): above a size, or when a facilitator asks, a round is announced
once in the channel with a "My prompts" button; direct messages only for who asks for them."""

from __future__ import annotations

from engine_helpers import FAC, Session, replies, sends, to_channel, to_user

from bot.core.effects import Button, Message, Reply, ToChannel, ToUser
from bot.core.events import ChoiceMade
from bot.core.model import UserId
from bot.flows.context import Policy
from bot.flows.queries import standing

INTAKE = "trust.intake"
PEOPLE = ("ana", "ben", "cleo")
BUTTONS = (
    Button("myprompts", "button.my_prompts", style="primary"),
    Button("dms", "pull.dms_on_button", "on"),
)


def group(pull_above: int = 500, people: tuple[str, ...] = PEOPLE) -> Session:
    s = Session(policy=Policy(pull_above=pull_above))
    s.group_with(*people)
    return s


def click(s: Session, user: str, action: str, value: str = "") -> list[Message]:
    assert s.state is not None
    out = s.feed(ChoiceMade(s.meta(user, "C1"), s.state.id, action, value))
    return [e.message for e in out.effects if isinstance(e, Reply)]


def direct_messages(s: Session) -> list[str]:
    return [str(e.to.user) for e in sends(s.outcomes[-1]) if isinstance(e.to, ToUser)]


def test_a_small_group_gets_a_direct_message_each() -> None:
    s = group(pull_above=3)
    s.cmd(f"round open {INTAKE}")
    assert sorted(direct_messages(s)) == sorted(PEOPLE)
    assert to_channel(s.outcomes[-1]) == ["round.opened"]


def test_above_the_size_a_round_is_one_channel_announcement_with_the_buttons() -> None:
    s = group(pull_above=2)
    out = s.cmd(f"round open {INTAKE}")
    assert direct_messages(s) == []
    (announce,) = [e.message for e in sends(out) if isinstance(e.to, ToChannel)]
    assert announce.key == "pull.opened"
    assert announce.params == {"round": INTAKE, "count": 3}
    assert announce.buttons == BUTTONS
    # The facilitator hears the same count as in DM mode.
    assert replies(out) == ["round.opened_reply"]
    assert out.effects[-1] is not None
    assert s.state is not None and s.state.rounds[INTAKE].recipients == frozenset(PEOPLE)


def test_the_number_of_sends_to_open_and_remind_does_not_grow_with_the_group() -> None:
    counts = []
    for size in (10, 300):
        s = group(pull_above=5, people=tuple(f"p{i}" for i in range(size)))
        s.keep_outcomes = True
        opened = len(sends(s.cmd(f"round open {INTAKE}")))
        reminded = len(sends(s.cmd(f"round remind {INTAKE}")))
        counts.append((opened, reminded))
    assert counts[0] == counts[1] == (1, 1)


def test_my_prompts_shows_what_waits_and_the_answer_counts_as_in_dm_mode() -> None:
    s = group(pull_above=2)
    s.cmd(f"round open {INTAKE}")
    shown = click(s, "ana", "myprompts")
    assert [m.key for m in shown] == ["round.prompt_again"]
    assert shown[0].params["round"] == INTAKE
    s.answer("ana", INTAKE, {"trust.hope": "Be heard"}, "group_anonymous")
    assert s.state is not None
    (progress,) = standing(s.state, FAC).progress
    assert (progress.answered, progress.total) == (1, 3)
    assert [m.key for m in click(s, "ana", "myprompts")] == ["reach.nothing_waiting"]


def test_a_reminder_is_one_channel_message_naming_nobody() -> None:
    s = group(pull_above=2)
    s.cmd(f"round open {INTAKE}")
    s.answer("ana", INTAKE, {"trust.hope": "Be heard"}, "group_anonymous")
    out = s.cmd(f"round remind {INTAKE}")
    assert direct_messages(s) == []
    (reminder,) = [e.message for e in sends(out) if isinstance(e.to, ToChannel)]
    assert reminder.key == "pull.reminder"
    assert reminder.params == {"round": INTAKE}  # no name, no count of who is late
    assert reminder.buttons == BUTTONS
    reply = next(e.message for e in out.effects if isinstance(e, Reply))
    assert reply.key == "round.reminded_reply" and reply.params["count"] == 2


def test_who_asks_for_direct_messages_gets_them_and_only_them() -> None:
    s = group(pull_above=2)
    s.cmd(f"round open {INTAKE}")
    out = s.cmd("answer dm", user="ben")
    # What already waits is sent at once, and the choice is confirmed with a way back.
    assert to_user(out, "ben") == ["round.prompt_again"]
    (confirm,) = [e.message for e in out.effects if isinstance(e, Reply)]
    assert confirm.key == "pull.dms_on" and confirm.params == {"count": 1}
    assert confirm.buttons == (Button("dms", "pull.dms_off_button", "off"),)
    s.cmd(f"round remind {INTAKE}")
    assert direct_messages(s) == ["ben"]
    s.cmd(f"round close {INTAKE}")
    s.cmd("round open trust.barometer")
    assert direct_messages(s) == ["ben"]


def test_the_buttons_turn_direct_messages_on_and_off() -> None:
    s = group(pull_above=2)
    assert [m.key for m in click(s, "cleo", "dms", "on")] == ["pull.dms_on"]
    assert s.state is not None and s.state.participants[UserId("cleo")].wants_dms
    assert [m.key for m in click(s, "cleo", "dms", "off")] == ["pull.dms_off"]
    assert not s.state.participants[UserId("cleo")].wants_dms
    s.cmd(f"round open {INTAKE}")
    assert direct_messages(s) == []


def test_french_words_work_too() -> None:
    s = group(pull_above=500)
    s.cmd("tour envoi salon")
    assert s.state is not None and s.state.delivery == "pull"
    s.cmd("répondre mp", user="ana")
    assert s.state.participants[UserId("ana")].wants_dms
    s.cmd("répondre mp non", user="ana")
    assert not s.state.participants[UserId("ana")].wants_dms


def test_a_facilitator_chooses_the_mode_whatever_the_size() -> None:
    s = group(pull_above=500)
    out = s.cmd("round delivery channel")
    assert replies(out) == ["pull.set_pull"]
    s.cmd(f"round open {INTAKE}")
    assert direct_messages(s) == []
    assert to_channel(s.outcomes[-1]) == ["pull.opened"]
    s.cmd(f"round close {INTAKE}")
    big = group(pull_above=1)
    big.cmd("round delivery direct")
    big.cmd(f"round open {INTAKE}")
    assert sorted(direct_messages(big)) == sorted(PEOPLE)
    big.cmd("round delivery auto")
    assert big.state is not None and big.state.delivery is None


def test_without_a_word_the_facilitator_is_told_the_mode_in_force() -> None:
    s = group(pull_above=2)
    out = s.cmd("round delivery")
    (said,) = [e.message for e in out.effects if isinstance(e, Reply)]
    assert said.key == "pull.set_auto"
    assert said.params["limit"] == 2 and said.params["dms"] == 0
    assert s.state is not None and s.state.delivery is None


def test_bad_input_is_refused_and_changes_nothing() -> None:
    s = group(pull_above=2)
    before = s.state
    assert replies(s.cmd("round delivery sometimes")) == ["pull.error_choices"]
    assert replies(s.cmd("round delivery channel", user="ana")) != ["pull.set_pull"]
    assert replies(s.cmd("answer dm maybe", user="ana")) == ["pull.error_answer_words"]
    assert replies(s.cmd("answer please", user="ana")) == ["pull.error_answer_words"]
    assert [m.key for m in click(s, "ana", "dms", "forever")] == ["pull.error_button"]
    assert s.state == before
