"""Typography for report readers: French spacing, numbers, dates and plurals (via Babel)."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale as BabelLocale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from bot.core.model import Locale

NNBSP = "\u202f"  # narrow no-break space: before ; : ! ? and inside « » in French
# A plain (or no-break) space before high punctuation; "http://" and "10:30" keep theirs.
_BEFORE_PUNCT = re.compile(r"[ \u00a0]+([;:!?])(?=\s|$|[»)\]\"'.,])")
_OPEN_GUILLEMET = re.compile(r"«[ \u00a0]*")
_CLOSE_GUILLEMET = re.compile(r"[ \u00a0]*»")


def typeset(text: str, locale: Locale) -> str:
    """Text as a careful typesetter would print it in the reader's language: in French, a
    narrow no-break space before ; : ! ? and inside guillemets, so they never start a line."""
    if locale != "fr":
        return text
    text = _BEFORE_PUNCT.sub(NNBSP + r"\1", text)
    text = _OPEN_GUILLEMET.sub("«" + NNBSP, text)
    return _CLOSE_GUILLEMET.sub(NNBSP + "»", text)


def decimal(value: float, locale: Locale, places: int = 1) -> str:
    """3.5 -> "3,5" in French, "3.5" in English (always `places` digits after the separator)."""
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return str(format_decimal(value, pattern, locale=locale))


def integer(value: int, locale: Locale) -> str:
    """1234 -> "1 234" (narrow no-break space) in French, "1,234" in English."""
    return str(format_decimal(value, "#,##0", locale=locale))


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


def plural_form(count: int, locale: Locale) -> str:
    """The CLDR plural category of a count ("one" or "other"): French says "0 fil", "1 fil"."""
    return str(BabelLocale.parse(locale).plural_form(count))
