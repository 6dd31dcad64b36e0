"""Steps with a voice: an opening step says what it is for, an ending one what came out."""

from __future__ import annotations

from engine_helpers import Session, sends

from bot.core.effects import ToChannel, UserText

PEOPLE = ("ana", "ben", "cleo")


def posted(out: object, key: str) -> list[dict[str, object]]:
    return [
        dict(e.message.params)
        for e in sends(out)  # type: ignore[arg-type]
        if isinstance(e.to, ToChannel) and e.message.key == key
    ]


def test_opening_a_step_posts_its_introduction_in_the_facilitators_name() -> None:
    s = Session()
    s.group_with(*PEOPLE)
    out = s.cmd("step trust")
    assert posted(out, "step.opened") == [
        {"step": "trust", "intro": "trust", "by": UserText("fac")}
    ]
    assert posted(out, "step.closed") == []  # nothing ended before the first step


def test_closing_a_step_says_what_came_out_in_counts_and_what_comes_next() -> None:
    s = Session()
    s.group_with(*PEOPLE)
    s.cmd("step trust")
    s.cmd("round open trust.barometer")
    for u in PEOPLE[:2]:
        s.answer(u, "trust.barometer", {"barometer.level": 4, "barometer.word": "calme"})
    s.cmd("round close trust.barometer")
    out = s.cmd("etape suivante")
    [closed] = posted(out, "step.closed")
    assert closed == {
        "step": "trust",
        "next": "contract",
        "by": UserText("fac"),
        "rounds": 1,
        "answered": 2,
    }
    # Counts only: no participant's name travels with it.
    assert not any(p in str(closed.values()) for p in PEOPLE)
    assert [m["step"] for m in posted(out, "step.opened")] == ["contract"]
