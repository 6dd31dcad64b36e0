"""One answer in a big intervention changes its own entries and copies nothing else: the
engine's work, and what the store then compares, follow the answer, not the group."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from engine_helpers import Session

from bot.core.events import AnswerSubmitted
from bot.core.overlay import changes, related

ROUND = "trust.barometer"


def test_an_answer_among_two_thousand_changes_only_its_authors_entries() -> None:
    session = Session(keep_outcomes=False)
    session.group_with(*(f"u{i:04d}" for i in range(2000)), title="Big")
    session.cmd(f"round open {ROUND}")
    for i in range(400):  # a round well under way
        session.answer(f"u{i:04d}", ROUND, {"barometer.level": 3})
    before = session.state
    assert before is not None
    # The platform now reports French for this person: the engine keeps it, too.
    meta = replace(session.meta("u1500", None), locale="fr")
    after = session.feed(AnswerSubmitted(meta, before.id, ROUND, {"barometer.level": 5})).state
    assert after is not None

    assert related(before.participants, after.participants)
    people, gone = changes(before.participants, after.participants)
    assert list(people) == ["u1500"] and people["u1500"].platform_locale == "fr" and not gone

    assert related(before.responses, after.responses)
    answers, gone = changes(before.responses, after.responses)
    assert [(a.author, a.value) for a in answers.values()] == [("u1500", 5)] and not gone
    assert len(after.responses) == len(before.responses) + 1


def test_no_handler_copies_the_participants_or_answers_map() -> None:
    # A copy is O(group) per event; `put`, `put_all` and `without` change an entry in O(1).
    copies = re.compile(
        r"\{\*\*state\.(participants|responses)\b|dict\(state\.(participants|responses)\)"
    )
    flows = Path(__file__).parents[2] / "bot" / "flows"
    found = [
        f"{path.name}:{n}"
        for path in sorted(flows.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if copies.search(line)
    ]
    assert found == []
