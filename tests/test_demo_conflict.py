"""The demo models a conflict space as TST step 4 asks: two named parties write blind, one
restatement needs a "not quite" before "yes, that's it", and nothing of the space reaches
the group channel or the group's report."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo.conflict import TEXT
from bot.demo.run import run_demo

WORDS = {
    "fr": ("pas tout à fait", "oui, c'est ça", "Espaces de conflit"),
    "en": ("not quite", "yes, that's it", "Conflict spaces"),
}


@pytest.mark.parametrize("locale", ["fr", "en"])
async def test_the_demo_shows_a_restatement_loop_that_needs_one_not_quite(
    locale: str, tmp_path: Path
) -> None:
    out = await run_demo(locale, 6, 3, tmp_path / locale, say=lambda _m: None)  # type: ignore[arg-type]
    text = TEXT[locale]
    blocks = (out / "transcript.txt").read_text("utf-8").split("\n\n[")
    not_quite, yes, view = WORDS[locale]
    first = next(i for i, b in enumerate(blocks) if text["restate_a1"] in b)
    correction = next(i for i, b in enumerate(blocks) if text["not_quite"] in b)
    second = next(i for i, b in enumerate(blocks) if text["restate_a2"] in b)
    confirmed = next(i for i, b in enumerate(blocks) if f": {yes} (" in b)
    assert first < correction < second < confirmed
    assert not_quite in blocks[correction]
    # The facilitator reads where the space stands: counts by party, how each loop ended.
    assert any(view in b and b.startswith("ephemeral to @camille") for b in blocks)
    said = [v for k, v in text.items() if k not in ("subject", "a", "b")]
    for block in blocks:
        if any(s in block for s in said):
            assert block.startswith(("@", "ephemeral to @")), block[:80]
    group_report = (out / "report.md").read_text("utf-8")
    assert not any(s in group_report for s in said)
