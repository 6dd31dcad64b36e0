"""Times as facilitators write them, in French or English, read in their own timezone.

Accepted: ISO 8601 (`2026-12-01 09:00`, `2026-12-01T09:00+01:00`), a date (`2026-12-01`, 09:00
is assumed), relative delays (`in 2 days`, `dans 3 heures`, `in 90 minutes`), and a day with a
time (`monday 9am`, `lundi 9h`, `lundi 9h30`, `tomorrow 14:00`, `demain 14h`, `today 17h`).
A weekday means its next occurrence (today's if the time is still ahead)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.commands import fold

WEEKDAYS = {
    **{
        d: i
        for i, d in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    **{d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{
        d: i
        for i, d in enumerate(
            ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
        )
    },
}
RELATIVE_DAYS = {"today": 0, "aujourd'hui": 0, "aujourdhui": 0, "tomorrow": 1, "demain": 1}
UNITS = {
    "minute": 60,
    "minutes": 60,
    "min": 60,
    "mins": 60,
    "hour": 3600,
    "hours": 3600,
    "heure": 3600,
    "heures": 3600,
    "h": 3600,
    "day": 86400,
    "days": 86400,
    "jour": 86400,
    "jours": 86400,
    "j": 86400,
    "week": 604800,
    "weeks": 604800,
    "semaine": 604800,
    "semaines": 604800,
}
DELAY = re.compile(r"^(?:in|dans)\s+(\d{1,4})\s*([a-z']+)$")
CLOCK = re.compile(r"^(\d{1,2})(?:(?:h|:)(\d{2})?)?\s*(am|pm)?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_clock(text: str) -> time | None:
    """`9am`, `9h`, `9h30`, `14:00`, `2pm`."""
    m = CLOCK.match(text.strip())
    if m is None:
        return None
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or (half and int(m.group(1)) > 12):
        return None
    if m.group(2) is None and half is None and "h" not in text and ":" not in text:
        return None  # a bare number is not a time
    return time(hour, minute)


def parse_when(text: str, now: datetime, tz: str) -> datetime | None:
    """The UTC instant `text` means for someone in `tz` at `now`, or None if it is unclear."""
    zone = ZoneInfo(tz)
    raw = text.strip()
    words = fold(raw).replace(",", " ").split()
    if not words:
        return None
    joined = " ".join(words)
    m = DELAY.match(joined)
    if m is not None and m.group(2) in UNITS:
        return now + timedelta(seconds=int(m.group(1)) * UNITS[m.group(2)])
    try:
        parsed = datetime.fromisoformat(raw.replace(" ", "T", 1) if " " in raw else raw)
    except ValueError:
        parsed = None
    if parsed is not None:
        if ISO_DATE.match(raw):
            parsed = datetime.combine(parsed.date(), time(9, 0))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
        return parsed.astimezone(UTC)
    day_word, clock_words = words[0], words[1:]
    if clock_words and clock_words[0] in ("at", "a"):
        clock_words = clock_words[1:]
    clock = parse_clock("".join(clock_words)) if clock_words else time(9, 0)
    if clock is None:
        return None
    local_now = now.astimezone(zone)
    if day_word in RELATIVE_DAYS:
        day = local_now.date() + timedelta(days=RELATIVE_DAYS[day_word])
    elif day_word in WEEKDAYS:
        ahead = (WEEKDAYS[day_word] - local_now.weekday()) % 7
        day = local_now.date() + timedelta(days=ahead)
        if ahead == 0 and clock <= local_now.time().replace(tzinfo=None):
            day += timedelta(days=7)
    else:
        return None
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
