"""A round with more inputs than one modal holds: "Continue (n/m)" opens the next page."""

from __future__ import annotations

from typing import Any

from discord_world import World

ROUND = "information.our_part"
OBSTACLES = ("No shared channel", "Late handovers", "Unclear owner")


def inputs(modal: dict[str, Any]) -> list[str]:
    return [c["component"]["custom_id"] for c in modal["components"] if c["type"] == 18]


def buttons_in(replies: list[dict[str, Any]]) -> list[str]:
    return [
        c["custom_id"]
        for r in replies
        for row in r.get("components", [])
        for c in row["components"]
    ]


async def test_continue_opens_the_second_page_and_the_answer_counts_whole(started: World) -> None:
    w = started
    for text in OBSTACLES:
        await w.slash(w.fac, "board add", f"obstacle {text}")
    await w.slash(w.fac, "step", "information")
    await w.slash(w.fac, "round open", ROUND)
    user = w.people["ana"]
    answer = next(b for b in w.buttons(user) if b.endswith(f":answer:{ROUND}"))
    first = w.fake.acks(await w.click(user, answer))[0]
    assert first["type"] == 9 and first["data"]["title"].endswith("(1/2)")
    page1 = [f for f in inputs(first["data"]) if f != "vis"]
    values: dict[str, Any] = {f: f"part {f}" for f in page1}
    # "Our part" is anonymous by default; alone in the round, Ana signs it so it can show.
    values["vis"] = ["group_attributed"]
    submit = await w.fake.submit_modal(user, first["data"], values)
    await w.settle(submit)
    shown = w.fake.replies(submit)
    more = [b for b in buttons_in(shown) if f":page:{ROUND}/1" in b]
    assert more, shown
    second = w.fake.acks(await w.click(user, more[0]))[0]
    assert second["type"] == 9 and second["data"]["title"].endswith("(2/2)")
    page2 = inputs(second["data"])
    assert page2 and not set(page2) & set(page1)
    assert len(page1) + len(page2) == 2 * len(OBSTACLES)
    submit = await w.fake.submit_modal(user, second["data"], {f: f"need {f}" for f in page2})
    await w.settle(submit)
    assert w.fake.replies(submit)
    await w.slash(w.fac, "round close", ROUND)
    await w.slash(w.fac, "publish", ROUND)
    channel = "\n".join(m["content"] for m in w.fake.channel_messages())
    for f in page1:
        assert f"part {f}" in channel
    for f in page2:
        assert f"need {f}" in channel
