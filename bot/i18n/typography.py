"""French typography for every text the bot writes: no-break spaces and numbers via Babel."""

# The catalogs are written with ordinary spaces (what a person types); they are typeset once,
# when loaded, so every message, form and page gets the same typography and a new string
# cannot forget it. People's own words are never touched: they are parameters, not templates.

from __future__ import annotations

import re

from babel import Locale as BabelLocale
from babel.numbers import format_decimal

from bot.core.model import Locale

NNBSP = "\u202f"  # narrow no-break space: before ; : ! ? and inside « » in French
# A space (plain, no-break or narrow, so typesetting twice changes nothing) before high
# punctuation; "http://" and "10:30" keep theirs.
_BEFORE_PUNCT = re.compile(r"[ \u00a0\u202f]+([;:!?])(?=\s|$|[»)\]\"'.,{])")
_OPEN_GUILLEMET = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE_GUILLEMET = re.compile(r"[ \u00a0\u202f]*»")
# What the typography test reads as a fault: high punctuation or a guillemet without its
# no-break space (a placeholder, a URL or a clock time such as 10:30 is not text).
MISSING_SPACE = re.compile(
    r"(?<![\u00a0\u202f])[;:!?](?=\s|$)|«(?![\u00a0\u202f])|(?<![\u00a0\u202f])»"
)


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


def plural_form(count: int, locale: Locale) -> str:
    """The CLDR plural category of a count ("one" or "other"): French says "0 fil", "1 fil"."""
    return str(BabelLocale.parse(locale).plural_form(count))
