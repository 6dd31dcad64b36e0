"""French as it is printed: a no-break space before ; : ! ? and inside « », in every French
catalog string as the bot loads it; numbers with Babel's separators in both languages."""

from __future__ import annotations

import re

import pytest

from bot.core.effects import UserText
from bot.i18n.catalog import Catalog
from bot.i18n.typography import MISSING_SPACE, typeset

# Not text: placeholders, links, clock times (10:30), command syntax shown to be typed.
NOT_TEXT = re.compile(r"\{[a-z_]+\}|https?://\S+|\b\d{1,2}:\d{2}\b|\b(?:fr|en): ")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_every_french_string_has_its_no_break_spaces(catalog: Catalog) -> None:
    faults = {
        key: text
        for key, text in catalog.templates["fr"].items()
        if MISSING_SPACE.search(NOT_TEXT.sub("", text))
    }
    assert faults == {}


def test_the_check_sees_a_plain_space_and_a_glued_mark() -> None:
    for wrong in ("Réponses : 3", "Vraiment?", "« mot »", "fin ;"):
        assert MISSING_SPACE.search(wrong), wrong
    assert not MISSING_SPACE.search(typeset("Réponses : 3 ; « mot » ? oui !", "fr"))


def test_english_is_left_as_english_writes_it(catalog: Catalog) -> None:
    assert not any("\u202f" in t for t in catalog.templates["en"].values())


def test_a_persons_own_words_are_never_retypeset(catalog: Catalog) -> None:
    said = UserText("Pourquoi ? « non » : voilà")
    segments = catalog.render("fr", "reportback.posted", {"group": 1, "text": said})
    assert [s.text for s in segments if s.relayed] == ["Pourquoi ? « non » : voilà"]
    assert "1\u202f:" not in "".join(s.text for s in segments)  # "…approuvée :" is typeset
    assert "approuvée\u202f:" in "".join(s.text for s in segments)


@pytest.mark.parametrize(
    ("locale", "count", "mean", "expected"),
    [("fr", 12500, 3.5, ("12\u202f500", "3,50")), ("en", 12500, 3.5, ("12,500", "3.50"))],
)
def test_numbers_use_the_readers_separators(
    catalog: Catalog, locale: str, count: int, mean: float, expected: tuple[str, str]
) -> None:
    count_text = catalog.param_text(locale, "count", count, "vous", "UTC")  # type: ignore[arg-type]
    mean_text = catalog.param_text(locale, "mean", mean, "vous", "UTC")  # type: ignore[arg-type]
    assert (count_text, mean_text) == expected
    assert catalog.param_text(locale, "id", 12500, "vous", "UTC") == "12500"  # type: ignore[arg-type]


def test_typesetting_twice_changes_nothing() -> None:
    """Reports typeset texts the catalog already typeset: « Équipe » must not get two spaces."""
    once = typeset("Rapport de la démarche « Équipe » : 3 ; oui ?", "fr")
    assert typeset(once, "fr") == once
    assert "«\u202fÉquipe\u202f»" in once
