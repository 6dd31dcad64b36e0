"""Times as facilitators write them, in French and English, read in their own timezone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.when import parse_when

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # a Sunday, 11:00 in Paris


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lundi 9h", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
        ("monday 9am", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
        ("Lundi 9h30", datetime(2026, 11, 23, 8, 30, tzinfo=UTC)),
        ("mardi à 14h", datetime(2026, 11, 24, 13, 0, tzinfo=UTC)),
        ("demain 14h", datetime(2026, 11, 23, 13, 0, tzinfo=UTC)),
        ("tomorrow 2pm", datetime(2026, 11, 23, 13, 0, tzinfo=UTC)),
        ("in 2 days", datetime(2026, 11, 24, 10, 0, tzinfo=UTC)),
        ("dans 3 heures", datetime(2026, 11, 22, 13, 0, tzinfo=UTC)),
        ("2026-12-01 09:00", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
        ("2026-12-01", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
        ("2026-12-01T09:00+00:00", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("dimanche 9h", datetime(2026, 11, 29, 8, 0, tzinfo=UTC)),  # today's 9h has passed
        ("dimanche 18h", datetime(2026, 11, 22, 17, 0, tzinfo=UTC)),
    ],
)
def test_natural_times_in_french_and_english(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW, "Europe/Paris") == expected


@pytest.mark.parametrize("text", ["", "soon", "lundi 25h", "monday 13pm", "in many days", "9"])
def test_unclear_times_are_refused(text: str) -> None:
    assert parse_when(text, NOW, "Europe/Paris") is None


def test_the_same_words_mean_the_writers_own_morning() -> None:
    tokyo = parse_when("monday 9am", NOW, "Asia/Tokyo")
    montreal = parse_when("monday 9am", NOW, "America/Montreal")
    assert tokyo == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    assert montreal == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
