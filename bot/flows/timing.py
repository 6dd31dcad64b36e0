"""Humane hours: a private prompt due during someone's night or weekend waits for their morning.

Wall-clock arithmetic is done in the person's own zone (zoneinfo), so daylight-saving changes are
handled: a local time that does not exist (the skipped spring hour) is read as the same distance
after the change (02:30 becomes 03:30), and a repeated autumn hour is taken the first time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Prompts are delivered between `day_start` and `day_end` local time on working days."""

    day_start: time = time(8, 0)
    day_end: time = time(20, 0)
    working_days: frozenset[int] = frozenset(range(5))  # Monday = 0

    def allows(self, local: datetime) -> bool:
        if local.weekday() not in self.working_days:
            return False
        if self.day_start == self.day_end:  # no quiet hours at all
            return True
        return self.day_start <= local.time().replace(tzinfo=None) < self.day_end


def local_to_utc(day: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time (fold=0: the first of a repeated hour)."""
    wall = datetime.combine(day.date(), at, tzinfo=zone)
    # Round-trip through UTC normalises a wall time that falls in a spring-forward gap.
    return wall.astimezone(UTC)


def next_humane(at: datetime, tz: str, quiet: QuietHours) -> datetime:
    """`at` itself when it is a humane hour for that zone, else the next morning that is."""
    zone = ZoneInfo(tz)
    local = at.astimezone(zone)
    if quiet.allows(local):
        return at
    if not quiet.working_days:
        return at
    day = local
    if local.time().replace(tzinfo=None) >= quiet.day_start:
        day = local + timedelta(days=1)
    for _ in range(8):
        if day.weekday() in quiet.working_days:
            return local_to_utc(day, quiet.day_start, zone)
        day = day + timedelta(days=1)
    return at


def parse_days(text: str) -> frozenset[int]:
    """`mon-fri`, `mon,wed,fri` or `all` into weekday numbers."""
    text = text.strip().lower()
    if text in ("all", "every", "tous"):
        return frozenset(range(7))
    days: set[int] = set()
    for part in text.split(","):
        if "-" in part:
            first, last = (DAYS.index(p.strip()[:3]) for p in part.split("-", 1))
            span = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            days.update(span)
        elif part.strip():
            days.add(DAYS.index(part.strip()[:3]))
    return frozenset(days)
