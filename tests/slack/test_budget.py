"""The budget a Slack method learns from its 429s: it starts at the method's documented rate
(nothing assumed for a method without one), then a call waits for a free place among what
Slack accepted in a minute, never below the tier's floor, and a budget learned low grows back
while Slack keeps accepting."""

from __future__ import annotations

from bot.adapters.slack.limits import (
    PROBE_AFTER,
    START_HOLD,
    TIER_FLOORS,
    TIER_STARTS,
    LearnedBudget,
)

KEY = ("T1", "chat.postMessage")
WINDOW = 60.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def budget(
    floors: dict[str, int] | None = None, starts: dict[str, int] | None = None
) -> tuple[LearnedBudget, Clock]:
    clock = Clock()
    return LearnedBudget(WINDOW, floors or {}, clock, starts=starts or {}), clock


def send(b: LearnedBudget, clock: Clock, count: int, every: float = 0.1) -> None:
    """`count` calls that Slack accepted, `every` seconds apart."""
    for _ in range(count):
        assert b.pause(KEY) == 0
        b.accepted(KEY, b.take(KEY))
        clock.now += every


def learn(b: LearnedBudget, clock: Clock, accepted: int) -> None:
    """`accepted` calls go through, the next one is refused."""
    send(b, clock, accepted)
    b.refused(KEY, b.take(KEY))


def test_a_method_without_a_documented_rate_is_not_held_back_before_slack_refuses_a_call() -> None:
    b, clock = budget()
    send(b, clock, 500, every=0.01)
    assert b.capacity(KEY) is None


def test_a_documented_method_is_paced_from_its_first_call_at_its_documented_rate() -> None:
    b, clock = budget(starts={"chat.postMessage": 300})
    send(b, clock, 299, every=0.01)  # one place of the 300 kept spare
    assert b.pause(KEY) > 0  # the 300th call of a cold burst waits: no 429 to learn from
    clock.now += WINDOW
    assert b.pause(KEY) == 0


def test_a_documented_start_is_held_half_an_hour_before_it_is_probed() -> None:
    b, clock = budget(starts={"chat.postMessage": 50})
    for _ in range(START_HOLD):
        send(b, clock, 49, every=0.01)  # every window used up to its spare place
        assert b.pause(KEY) > 0
        assert b.capacity(KEY) == 50
        clock.now += WINDOW
    send(b, clock, 49, every=0.01)
    assert b.pause(KEY) == 0  # the probe: one call more
    assert b.capacity(KEY) == 51


def test_a_start_too_high_is_lowered_by_the_first_refusal() -> None:
    b, clock = budget(starts={"chat.postMessage": 300})
    learn(b, clock, 120)
    assert b.capacity(KEY) == 120


def test_the_shipped_starts_are_the_documented_rates() -> None:
    # Tier 3 is "50+ per minute" (conversations.open); chat.postMessage "several hundred".
    assert TIER_STARTS["conversations.open"] == 50
    assert TIER_STARTS["chat.postMessage"] == 300
    assert all(TIER_STARTS[m] >= floor for m, floor in TIER_FLOORS.items())


def test_a_refusal_sets_the_budget_to_what_slack_accepted_in_the_minute_before() -> None:
    b, clock = budget()
    learn(b, clock, 30)
    assert b.capacity(KEY) == 30


def test_calls_then_wait_for_a_free_place_keeping_one_spare() -> None:
    b, clock = budget()
    learn(b, clock, 30)  # accepted calls sent at 1000.0, 1000.1, ... 1002.9; the refused one
    # does not count. Of the 30 places one is kept spare: the next call waits until two of
    # the 30 have left the minute, which the second does at 1000.1 + 60.
    assert abs(b.pause(KEY) - (1000.1 + WINDOW - clock.now)) < 1e-9
    clock.now = 1000.1 + WINDOW + 0.001
    assert b.pause(KEY) == 0
    b.take(KEY)
    assert abs(b.pause(KEY) - (1000.2 + WINDOW - clock.now)) < 1e-9


def test_a_refusal_seen_after_sending_little_keeps_the_tiers_floor() -> None:
    b, clock = budget({"chat.postMessage": 100})
    learn(b, clock, 2)  # another process of ours used the workspace's minute
    assert b.capacity(KEY) == 100


def test_slack_counts_calls_as_they_came_back_not_as_they_went() -> None:
    b, clock = budget()
    stamps = [b.take(KEY) for _ in range(40)]  # 40 calls at once, under load
    clock.now += 0.5
    for stamp in stamps[:25]:  # 25 came back accepted; the first refusal arrives now
        b.accepted(KEY, stamp)
    b.refused(KEY, stamps[-1])
    assert b.capacity(KEY) == 25


def test_an_accepted_calls_place_frees_a_window_after_its_answer_not_its_sending() -> None:
    b, clock = budget(starts={"chat.postMessage": 2})
    first = b.take(KEY)  # the one place of two (one is kept spare)
    clock.now += 2.0  # the first call travelled slowly: Slack counted it on arrival
    b.accepted(KEY, first)
    clock.now = first + WINDOW + 0.5  # a window after the first was sent, not answered
    assert b.pause(KEY) > 0
    clock.now = first + 2.0 + WINDOW + 0.001
    assert b.pause(KEY) == 0


def test_a_budget_held_without_refusals_grows_by_one_then_faster() -> None:
    b, clock = budget()
    learn(b, clock, 10)
    grown = [b.capacity(KEY)]
    for _ in range(PROBE_AFTER + 3):
        clock.now += WINDOW
        send(b, clock, (b.capacity(KEY) or 0) - 1)  # the minute used up to its last place
        b.pause(KEY)  # the next caller finds the budget full: time to try one more
        grown.append(b.capacity(KEY))
    assert grown[:PROBE_AFTER] == [10] * PROBE_AFTER
    assert grown[PROBE_AFTER:] == [11, 13, 17, 25]


def test_a_refusal_after_growing_goes_back_to_what_was_accepted_and_grows_slowly_again() -> None:
    b, clock = budget()
    learn(b, clock, 10)
    for _ in range(PROBE_AFTER + 1):
        clock.now += WINDOW
        send(b, clock, (b.capacity(KEY) or 0) - 1)
        b.pause(KEY)
    assert b.capacity(KEY) == 13
    clock.now += WINDOW
    learn(b, clock, 11)
    assert b.capacity(KEY) == 11
    clock.now += WINDOW
    send(b, clock, 10)
    b.pause(KEY)
    assert b.capacity(KEY) == 11  # one window is not enough after a refusal


def test_budgets_are_per_workspace_and_method() -> None:
    b, clock = budget()
    learn(b, clock, 5)
    assert b.capacity(("T2", "chat.postMessage")) is None
    assert b.capacity(("T1", "conversations.open")) is None
