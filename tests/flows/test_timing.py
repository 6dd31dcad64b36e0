"""Humane hours across time zones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.flows.timing import QuietHours, next_humane, parse_days

QUIET = QuietHours(time(8, 0), time(20, 0), parse_days("mon-fri"))
PARIS = ZoneInfo("Europe/Paris")


def local(when: datetime, tz: str) -> datetime:
    return when.astimezone(ZoneInfo(tz))


@pytest.mark.parametrize("tz", ["America/Montreal", "Europe/Paris", "Asia/Tokyo"])
def test_a_prompt_sent_at_one_instant_reaches_each_zone_in_its_own_working_hours(tz: str) -> None:
    sent = datetime(2026, 11, 17, 22, 30, tzinfo=UTC)  # a Tuesday evening in Europe
    due = next_humane(sent, tz, QUIET)
    assert QUIET.allows(local(due, tz))
    assert due >= sent and due - sent < timedelta(days=1)


def test_friday_night_waits_for_monday_morning() -> None:
    friday_night = datetime(2026, 11, 20, 21, 0, tzinfo=PARIS)
    due = next_humane(friday_night.astimezone(UTC), "Europe/Paris", QUIET)
    assert local(due, "Europe/Paris") == datetime(2026, 11, 23, 8, 0, tzinfo=PARIS)


def test_a_humane_hour_is_kept_as_it_is() -> None:
    at = datetime(2026, 11, 18, 10, 15, tzinfo=PARIS).astimezone(UTC)
    assert next_humane(at, "Europe/Paris", QUIET) == at


def test_weekly_nine_oclock_stays_nine_oclock_across_both_changes() -> None:
    quiet = QuietHours(time(9, 0), time(18, 0), parse_days("mon"))
    # Sundays before, across and after the March and October changes of 2026.
    for sunday in (datetime(2026, 3, d, 12, 0, tzinfo=PARIS) for d in (22, 29)):
        due = local(next_humane(sunday.astimezone(UTC), "Europe/Paris", quiet), "Europe/Paris")
        assert (due.weekday(), due.hour, due.minute) == (0, 9, 0)
    for sunday in (datetime(2026, 10, d, 12, 0, tzinfo=PARIS) for d in (18, 25)):
        due = local(next_humane(sunday.astimezone(UTC), "Europe/Paris", quiet), "Europe/Paris")
        assert (due.weekday(), due.hour, due.minute) == (0, 9, 0)


def test_a_start_inside_the_skipped_spring_hour_is_read_as_after_the_change() -> None:
    # 29 March 2026: Paris clocks jump from 02:00 to 03:00. A day starting at 02:30 that Sunday
    # begins at 03:30 local (01:30 UTC), the same distance after the change.
    quiet = QuietHours(time(2, 30), time(20, 0), parse_days("all"))
    at = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)  # 01:00 local, before the day starts
    due = next_humane(at, "Europe/Paris", quiet)
    assert due == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert local(due, "Europe/Paris").hour == 3


def test_working_days_are_parsed_from_names() -> None:
    assert parse_days("mon-fri") == frozenset(range(5))
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0})
    assert parse_days("mon,wed") == frozenset({0, 2})
    with pytest.raises(ValueError):
        parse_days("someday")
