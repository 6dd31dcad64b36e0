"""A sub-group's report-back on Discord: the draft lands in the sub-group's private thread with
its buttons; "propose other words" opens a modal; the channel gets the text, unsigned, only
when every member agreed to the same version."""

from __future__ import annotations

import pytest
from discord_world import World

from bot.core.model import Intervention

pytestmark = pytest.mark.parametrize("names", [("ana", "ben", "cleo", "dan")])


async def state_of(w: World) -> Intervention:
    async with w.app.store.unit() as uow:
        state = await uow.find("discord", str(w.fake.guild_id), str(w.fake.channel_id))
    assert state is not None
    return state


def thread_buttons(w: World, tid: int, action: str) -> list[str]:
    return [
        c["custom_id"]
        for m in w.fake.channel_messages(tid)
        for row in m.get("components", [])
        for c in row["components"]
        if f":{action}:" in c["custom_id"]
    ]


def public(w: World) -> str:
    return "\n".join(m["content"] for m in w.fake.channel_messages())


async def test_a_draft_is_amended_in_a_modal_agreed_by_both_and_posted_unsigned(
    started: World,
) -> None:
    w = started
    await w.slash(w.fac, "step", "subgroups")
    await w.slash(w.fac, "groups propose", "size 2")
    await w.app.dispatcher.drain()
    await w.slash(w.fac, "groups approve")
    await w.app.dispatcher.drain()
    group = (await state_of(w)).subgroups[0]
    first, second = (int(u) for u in group.members)
    tid = int(group.space or 0)

    await w.slash(first, "groups report", "Nous avons vu nos contraintes @everyone")
    await w.app.dispatcher.drain()
    assert "contraintes" not in public(w)
    [change] = thread_buttons(w, tid, "rbchange")
    click = await w.click(second, change, dm=False, channel=tid)
    modal = w.fake.acks(click)[0]
    assert modal["type"] == 9, modal
    submit = await w.fake.submit_modal(
        second, modal["data"], {"text": "Nous avons vu les contraintes des autres"}, False, tid
    )
    await w.settle(submit)
    assert "contraintes des autres" not in public(w)  # the writer agrees; the other not yet

    newest = thread_buttons(w, tid, "rbagree")[-1]
    assert newest.endswith(f":rbagree:{group.index}.2")
    await w.click(first, newest, dm=False, channel=tid)
    posted = [m for m in w.fake.channel_messages() if "contraintes des autres" in m["content"]]
    assert len(posted) == 1
    assert posted[0]["allowed_mentions"]["parse"] == []
    assert not any(name in posted[0]["content"] for name in w.people)
    state = await state_of(w)
    report = state.subgroups[0].report
    assert report is not None and report.sent and report.version == 2

    # An older version's button no longer counts for anything.
    stale = await w.click(first, thread_buttons(w, tid, "rbagree")[0], dm=False, channel=tid)
    assert w.fake.replies(stale)
    assert len([m for m in w.fake.channel_messages() if "contraintes" in m["content"]]) == 1
