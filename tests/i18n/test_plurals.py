"""A word that follows a count agrees with it, by each language's own rules (CLDR through
Babel): "1 personne", "0 personne", "2 personnes"; "1 person", "2 people"; never "(s)"."""

from __future__ import annotations

import pytest

from bot.i18n.catalog import Catalog, MissingKey, placeholders

CATALOG = Catalog.load()


@pytest.mark.parametrize(
    ("locale", "count", "words"),
    [
        ("fr", 0, "0 personne"),  # French counts zero as singular
        ("fr", 1, "1 personne"),
        ("fr", 2, "2 personnes"),
        ("en", 1, "1 person"),
        ("en", 0, "0 people"),
        ("en", 3, "3 people"),
    ],
)
def test_a_count_chooses_the_form_of_the_word_after_it(locale: str, count: int, words: str) -> None:
    text = CATALOG.text(locale, "reach.dm_closed", count=count)  # type: ignore[arg-type]
    assert words in text.replace("\u202f", " ")


def test_no_catalog_string_hedges_with_a_bracketed_plural() -> None:
    hedged = [
        (locale, key)
        for locale, table in CATALOG.templates.items()
        for key, text in table.items()
        if "(s)" in text or "(es)" in text
    ]
    assert hedged == []


def test_a_plural_names_its_count_and_needs_it() -> None:
    assert "threads" in placeholders(CATALOG.template("fr", "status.safety"))
    with pytest.raises(MissingKey):
        CATALOG.text("fr", "reach.dm_closed", count="beaucoup")
