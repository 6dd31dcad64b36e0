"""Weekly check-ins at a local hour: "every Monday 9:00" means 9:00 on each person's Monday.

Daylight-saving time is handled by localizing each date on its own with zoneinfo, so a weekly
9:00 stays 9:00 on the wall clock across the March and October changes. A time that does not
exist that day (the clock jumps from 2:00 to 3:00) is read with the offset in force before the
jump: 2:30 becomes 3:30 summer time, the same instant. A time that happens twice (the clock
goes back from 3:00 to 2:00) is taken at its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.commands import fold
from bot.core.when import WEEKDAYS, parse_clock

CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# "tous les lundis", "mondays": plural forms a facilitator naturally types.
PLURALS = {
    **{f"{d}s": i for d, i in WEEKDAYS.items() if len(d) > 3},
}
FILLERS = frozenset({"every", "chaque", "tous", "les", "le", "on", "at", "a"})


@dataclass(frozen=True, slots=True)
class Weekly:
    """A day of the week and a wall-clock time, read in each person's timezone."""

    weekday: int
    at: time

    def encode(self) -> str:
        return f"{CODES[self.weekday]} {self.at:%H:%M}"

    @classmethod
    def decode(cls, text: str) -> Weekly:
        day, _, clock = text.partition(" ")
        hours, _, minutes = clock.partition(":")
        return cls(CODES.index(day), time(int(hours), int(minutes)))

    @property
    def code(self) -> str:
        return CODES[self.weekday]


def parse_weekly(words: Iterable[str]) -> Weekly | None:
    """`lundi 9h`, `monday 9am`, `tous les lundis à 9h30`, `mondays 14:00`."""
    kept = [w for w in (fold(w) for w in words) if w not in FILLERS]
    if not kept:
        return None
    day = WEEKDAYS.get(kept[0], PLURALS.get(kept[0]))
    if day is None:
        return None
    clock = parse_clock("".join(kept[1:])) if len(kept) > 1 else time(9, 0)
    return Weekly(day, clock) if clock is not None else None


def local_instant(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of `at` on `day` in `tz` (see the module note for DST gaps and folds)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def next_run(rule: Weekly, after: datetime, zones: Iterable[str], calendar: str) -> datetime:
    """The first instant after `after` when the rule's day and hour arrive in one of `zones`
    (the earliest timezone opens the run; the others get their prompt at their own hour)."""
    zone_list = sorted(set(zones)) or [calendar]
    start = after.astimezone(ZoneInfo(calendar)).date() - timedelta(days=1)
    for offset in range(16):
        day = start + timedelta(days=offset)
        if day.weekday() != rule.weekday:
            continue
        first = min(local_instant(day, rule.at, z) for z in zone_list)
        if first > after:
            return first
    raise AssertionError("a weekly rule always has a run within two weeks")


def run_day(rule: Weekly, now: datetime, calendar: str) -> date:
    """The date a run firing around `now` belongs to (runs start within a day of it)."""
    today = now.astimezone(ZoneInfo(calendar)).date()
    for offset in (0, 1, -1, 2, -2, 3, -3):
        day = today + timedelta(days=offset)
        if day.weekday() == rule.weekday:
            return day
    raise AssertionError("every weekday is within three days")
