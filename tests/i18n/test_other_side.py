"""Questions asked of the whole group never speak of "the other side": outside a conflict
space there are no named parties (TST step 4), so the words say whom they mean."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

CATALOGS = Path(__file__).resolve().parents[2] / "bot" / "i18n"
UNDEFINED = {"fr": ("l'autre partie", "l’autre partie"), "en": ("the other side", "other party")}


def group_texts(locale: str) -> dict[str, str]:
    """Every question and round introduction the whole group reads."""
    data = tomllib.loads((CATALOGS / f"{locale}.toml").read_text(encoding="utf-8"))
    texts = {f"prompt.{k}": v for k, v in data["prompt"].items() if isinstance(v, str)}
    for key, table in data["round"].items():
        if isinstance(table, dict):  # a round's own table: title, intro
            texts.update({f"round.{key}.{k}": v for k, v in table.items() if isinstance(v, str)})
    return texts


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_group_wide_questions_say_whom_they_mean(locale: str) -> None:
    texts = group_texts(locale)
    assert "prompt.conflict.restate" in texts  # the step-4 questions are read here
    vague = [k for k, text in texts.items() if any(w in text.lower() for w in UNDEFINED[locale])]
    assert vague == []


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_restatement_round_points_to_the_conflict_spaces(locale: str) -> None:
    intro = group_texts(locale)["round.conflict.restatement.intro"]
    assert "/tst " + ("groupes conflit" if locale == "fr" else "groups conflict") in intro
