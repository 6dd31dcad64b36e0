"""Typography for report readers: French spacing, numbers, dates and plurals (via Babel)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_percent

from bot.core.model import Locale
from bot.i18n.typography import NNBSP, decimal, integer, plural_form, typeset

# The chat's typography is the reports' too: one definition (bot/i18n/typography.py).
__all__ = ["NNBSP", "day", "decimal", "integer", "moment", "percent", "plural_form", "typeset"]


def percent(ratio: float, locale: Locale) -> str:
    """0.875 -> "88 %" in French (no-break space), "88%" in English."""
    return str(format_percent(ratio, locale=locale))


def day(when: date | datetime, locale: Locale, tz: str = "UTC") -> str:
    """A date in words: "7 décembre 2026", "December 7, 2026"."""
    if isinstance(when, datetime):
        when = when.astimezone(ZoneInfo(tz)).date()
    return str(format_date(when, "long", locale=locale))


def moment(when: datetime, locale: Locale, tz: str) -> str:
    """A date and time in the reader's timezone: "7 déc. 2026, 09:00", "Dec 7, 2026, 09:00"."""
    pattern = "d MMM y, HH:mm" if locale == "fr" else "MMM d, y, HH:mm"
    return str(format_datetime(when, pattern, tzinfo=ZoneInfo(tz), locale=locale))
