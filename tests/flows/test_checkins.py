"""Weekly check-ins: "every Monday 9:00" reaches each person at 9:00 on their own clock, week
after week, across daylight-saving changes; each run closes the previous one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from engine_helpers import FAC, Session, audits, effects_of, replies, sends, to_user

from bot.core.effects import Schedule, ToUser
from bot.core.events import ChoiceMade, TimerDue
from bot.core.model import UserId
from bot.core.when import parse_when
from bot.flows.recurrence import Weekly, local_instant, next_run, parse_weekly

PARIS, MONTREAL, TOKYO = "Europe/Paris", "America/Montreal", "Asia/Tokyo"
ZONES = {"ana": MONTREAL, "ben": PARIS, "cleo": TOKYO}


def team_in_three_timezones(now: datetime) -> Session:
    s = Session(now=now)
    s.group_with(*ZONES)
    for user, zone in ZONES.items():
        s.cmd(f"tz {zone}", user=user)
        s.cmd("points oui", user=user)  # check-ins reach those who asked for them
    return s


def fire(s: Session, action_id: int = 1) -> list[Schedule]:
    """The planned action's timer comes due now; returns the timers it re-arms."""
    assert s.state is not None
    out = s.feed(TimerDue(s.meta(None), s.state.id, "command", {"id": str(action_id)}))
    return [e for e in effects_of(out, Schedule) if isinstance(e, Schedule)]


def local(at: datetime, zone: str) -> datetime:
    return at.astimezone(ZoneInfo(zone))


def test_each_person_gets_the_check_in_at_nine_on_their_own_clock() -> None:
    s = team_in_three_timezones(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))  # a Wednesday
    out = s.cmd("planifier chaque barometre lundi 9h")
    assert replies(out) == ["schedule.every_added_reply", "checkins.invited_reply"]
    (timer,) = effects_of(out, Schedule)
    assert isinstance(timer, Schedule)
    # The run opens when Monday 9:00 first arrives somewhere: in Tokyo.
    assert local(timer.due_at, TOKYO) == datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo(TOKYO))
    s.now = timer.due_at
    out_timers = fire(s)
    assert s.state is not None and s.state.rounds["trust.barometer"].status == "open"
    prompts = {e.to.user: e.at for e in sends(s.outcomes[-1]) if isinstance(e.to, ToUser) and e.at}
    assert {u: local(at, ZONES[u]).time() for u, at in prompts.items()} == {
        u: time(9, 0) for u in ZONES
    }
    assert {local(at, ZONES[u]).date() for u, at in prompts.items()} == {date(2026, 11, 30)}
    # ...and the series is already armed for the next Monday.
    (next_timer,) = out_timers
    assert local(next_timer.due_at, TOKYO) == datetime(2026, 12, 7, 9, tzinfo=ZoneInfo(TOKYO))
    assert [a.action for a in audits(s.outcomes[-1])] == ["round.open"]


def test_each_run_closes_the_previous_one_and_answers_stay_with_their_week() -> None:
    s = team_in_three_timezones(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    s.cmd("schedule every barometer monday 9am")
    assert s.state is not None
    s.now = s.state.scheduled[0].due
    fire(s)
    s.answer("ana", "trust.barometer", {"barometer.level": 2})
    s.now = s.state.scheduled[0].due
    fire(s)
    rounds = s.state.rounds
    assert rounds["trust.barometer"].status == "closed"
    assert rounds["trust.barometer@2"].status == "open"
    assert "synthesis.facilitator" in to_user(s.outcomes[-1], "fac")
    assert [a.action for a in audits(s.outcomes[-1])] == ["round.close", "round.open"]
    s.answer("ben", "trust.barometer@2", {"barometer.level": 4})
    assert {r.round_key for r in s.state.responses.values()} == {"trust.barometer@2"}
    # The facilitator names the check-in as usual and reaches its current run.
    assert replies(s.cmd("round remind barometer")) == ["round.reminded_reply"]
    assert s.state.rounds["trust.barometer@2"].reminded


def test_a_check_in_can_be_listed_moved_and_cancelled() -> None:
    s = team_in_three_timezones(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    s.cmd("schedule every checkin friday 4pm")
    assert replies(s.cmd("schedule list")) == ["schedule.item_every"]
    assert replies(s.cmd("planifier modifier 1 mardi 10h")) == ["schedule.changed_reply"]
    assert s.state is not None
    (action,) = s.state.scheduled
    assert action.every == "tue 10:00"
    assert local(action.due, TOKYO) == datetime(2026, 12, 1, 10, tzinfo=ZoneInfo(TOKYO))
    assert replies(s.cmd("schedule cancel 1")) == ["schedule.cancelled_reply"]
    assert not s.state.scheduled


def test_a_one_off_action_can_be_moved_but_not_into_the_past_or_after_its_closing() -> None:
    s = team_in_three_timezones(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    s.cmd("schedule open intake tomorrow 9am")
    s.cmd("schedule close intake in 3 days")
    assert replies(s.cmd("schedule change 1 yesterday")) == ["error.schedule_unparseable"]
    assert replies(s.cmd("schedule change 1 2020-01-01 09:00")) == ["error.schedule_past"]
    assert replies(s.cmd("schedule change 1 in 5 days")) == ["error.schedule_close_before_open"]
    before = s.state
    assert replies(s.cmd("schedule change 9 in 1 day")) == ["error.schedule_unknown"]
    assert s.state == before
    assert replies(s.cmd("schedule change 1 in 2 days")) == ["schedule.changed_reply"]


def test_bad_check_in_requests_are_explained_and_change_nothing() -> None:
    s = team_in_three_timezones(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    before = s.state
    assert replies(s.cmd("schedule every intake monday 9am")) == ["error.schedule_not_repeatable"]
    assert replies(s.cmd("schedule every barometer someday")) == ["error.schedule_every_syntax"]
    assert replies(s.cmd("schedule every barometer monday 25h")) == ["error.schedule_every_syntax"]
    assert replies(s.cmd("schedule every barometer", user="ana")) == ["error.facilitator_only"]
    assert s.state == before
    s.cmd("schedule every barometer monday 9am")
    assert replies(s.cmd("schedule every barometer tuesday 9am")) == ["error.schedule_every_exists"]


def test_a_paused_intervention_skips_a_run_and_keeps_the_series() -> None:
    s = team_in_three_timezones(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    s.cmd("schedule every barometer monday 9am")
    s.cmd("round open intake")
    assert replies(s.cmd("pause")) == ["intervention.paused_reply"]
    assert s.state is not None
    s.now = s.state.scheduled[0].due
    timers = fire(s)
    assert "trust.barometer" not in s.state.rounds
    assert to_user(s.outcomes[-1], "fac") == ["schedule.failed", "error.paused"]
    assert len(timers) == 1 and s.state.scheduled[0].due == timers[0].due_at


def test_a_weekly_check_in_stays_at_nine_in_paris_across_both_daylight_saving_changes() -> None:
    s = Session(now=datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    s.group_with("ana", "ben", "cleo")  # everyone on the intervention's clock, Paris
    for user in ("ana", "ben", "cleo"):
        s.cmd("checkins on", user=user)
    s.cmd("schedule every barometer monday 9am")
    assert s.state is not None
    runs: list[datetime] = []
    for _week in range(36):  # from March to November: both changes are crossed
        s.now = s.state.scheduled[0].due
        runs.append(s.now)
        fire(s)
        s.cmd(f"round close {next(reversed(s.state.rounds))}")
    walls = [local(at, PARIS) for at in runs]
    assert all(w.weekday() == 0 and w.time() == time(9, 0) for w in walls)
    assert {w.utcoffset() for w in walls} == {
        ZoneInfo(PARIS).utcoffset(datetime(2026, 1, 1)),
        ZoneInfo(PARIS).utcoffset(datetime(2026, 7, 1)),
    }
    assert date(2026, 3, 30) in {w.date() for w in walls}  # the Monday after spring-forward
    assert date(2026, 10, 26) in {w.date() for w in walls}  # the Monday after fall-back


def test_a_time_skipped_by_spring_forward_is_read_an_hour_later_on_the_wall_clock() -> None:
    # On 29 March 2026 Paris clocks jump from 2:00 to 3:00: 2:30 does not exist that day.
    at = local_instant(date(2026, 3, 29), time(2, 30), PARIS)
    assert at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert local(at, PARIS).time() == time(3, 30)
    # A one-off plan reads it the same way.
    now = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
    assert parse_when("2026-03-29 02:30", now, PARIS) == at
    # On 25 October 2:30 happens twice: the first one (summer time) is taken.
    assert local_instant(date(2026, 10, 25), time(2, 30), PARIS) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    # A weekly 2:30 on Sundays is fine the week before and the week after.
    rule = Weekly(6, time(2, 30))
    runs = [next_run(rule, datetime(2026, 3, 21, tzinfo=UTC), [PARIS], PARIS)]
    runs.append(next_run(rule, runs[-1], [PARIS], PARIS))
    runs.append(next_run(rule, runs[-1], [PARIS], PARIS))
    assert [local(r, PARIS).strftime("%d %H:%M") for r in runs] == [
        "22 02:30",
        "29 03:30",
        "05 02:30",
    ]


def test_weekly_rules_read_the_ways_facilitators_write_them() -> None:
    assert parse_weekly(["lundi", "9h"]) == Weekly(0, time(9, 0))
    assert parse_weekly(["tous", "les", "mardis", "à", "14h30"]) == Weekly(1, time(14, 30))
    assert parse_weekly(["friday", "4pm"]) == Weekly(4, time(16, 0))
    assert parse_weekly(["mondays"]) == Weekly(0, time(9, 0))
    assert parse_weekly(["demain", "9h"]) is None
    assert Weekly.decode(Weekly(2, time(7, 5)).encode()) == Weekly(2, time(7, 5))


def test_check_ins_reach_only_those_who_asked_for_them_after_one_invitation() -> None:
    s = Session(now=datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    s.group_with("ana", "ben", "cleo")
    out = s.cmd("schedule every barometer monday 9am")
    assert all(to_user(out, u) == ["checkins.invitation"] for u in ("ana", "ben", "cleo"))
    [invitation] = [x for x in sends(out) if x.to == ToUser(UserId("ana"))]
    assert {(b.action, b.value) for b in invitation.message.buttons} == {
        ("checkins", "on"),
        ("checkins", "off"),
    }
    assert s.state is not None
    s.feed(ChoiceMade(s.meta("ana", None), s.state.id, "checkins", "on"))
    s.feed(ChoiceMade(s.meta("ben", None), s.state.id, "checkins", "off"))
    s.now = s.state.scheduled[0].due
    fire(s)
    assert s.state.rounds["trust.barometer"].recipients == {"ana"}
    prompted = {x.to.user for x in sends(s.outcomes[-1]) if isinstance(x.to, ToUser)} - {FAC}
    assert prompted == {"ana"}
    s.cmd("points non", user="ana")
    assert s.state is not None
    s.now = s.state.scheduled[0].due
    fire(s)
    assert "trust.barometer@2" not in s.state.rounds
    assert s.state.rounds["trust.barometer"].status == "closed"  # last week's run still closes
    assert to_user(s.outcomes[-1], "fac")[-1] == "checkins.nobody_reply"


def test_facilitators_see_how_many_asked_and_never_who() -> None:
    from bot.flows.queries import standing, standing_messages

    s = Session()
    s.group_with("ana", "ben", "cleo")
    s.cmd("checkins on", user="ana")
    s.cmd("schedule every barometer monday 9am")
    assert s.state is not None
    [line] = [m for m in standing_messages(standing(s.state, FAC)) if m.key == "checkins.status"]
    assert line.params == {"count": 1, "of": 3}
    mine = standing_messages(standing(s.state, UserId("ben")))
    assert "checkins.status" not in [m.key for m in mine]


def test_the_choice_is_the_person_s_own_and_wrong_words_change_nothing() -> None:
    s = Session()
    s.group_with("ana")
    before = s.state
    assert replies(s.cmd("checkins maybe", user="ana")) == ["checkins.error_syntax"]
    assert replies(s.cmd("checkins on", user="fac")) == ["checkins.error_not_participant"]
    assert s.state is before
    assert replies(s.cmd("checkins", user="ana")) == ["checkins.now_off"]  # the default: no
    s.cmd("checkins on", user="ana")
    assert replies(s.cmd("checkins", user="ana")) == ["checkins.now_on"]


def test_someone_who_joins_after_the_invitation_gets_it_once_and_only_then() -> None:
    s = Session(now=datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    s.group_with("ana")
    s.cmd("schedule every barometer monday 9am")
    s.cmd("invite <@zoe>")
    assert s.state is not None
    out = s.feed(ChoiceMade(s.meta("zoe", None), s.state.id, "consent", "accept"))
    assert to_user(out, "zoe")[-1] == "checkins.invitation"
    s.feed(ChoiceMade(s.meta("zoe", None), s.state.id, "checkins", "on"))
    s.now = s.state.scheduled[0].due
    fire(s)
    assert s.state.rounds["trust.barometer"].recipients == {"zoe"}
    # Without a weekly check-in planned, joining brings no invitation.
    quiet = Session()
    quiet.group_with("ana")
    quiet.cmd("invite <@zoe>")
    assert quiet.state is not None
    joined = quiet.feed(ChoiceMade(quiet.meta("zoe", None), quiet.state.id, "consent", "accept"))
    assert "checkins.invitation" not in to_user(joined, "zoe")
