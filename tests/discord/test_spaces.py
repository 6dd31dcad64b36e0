"""Sub-groups on Discord: a private thread each (or, when a category is configured, a private
channel under it) with exactly its members, where the sub-group's own rounds happen; archived
and locked when the facilitator closes the groups or the intervention."""

from __future__ import annotations

from typing import Any

import pytest
from discord_world import World
from fakes.discord_gateway import CATEGORY_ID, SEND_MESSAGES, VIEW_CHANNEL, FakeDiscord

from bot.core.model import Intervention

FOUR = ("ana", "ben", "cleo", "dan")
EXCHANGE = "subgroups.exchange"
pytestmark = pytest.mark.parametrize("names", [FOUR])


async def state_of(w: World) -> Intervention:
    async with w.app.store.unit() as uow:
        state = await uow.find("discord", str(w.fake.guild_id), str(w.fake.channel_id))
    assert state is not None
    return state


async def approve_groups(w: World) -> list[set[int]]:
    """Two sub-groups of two, approved: returns each group's members."""
    await w.slash(w.fac, "step", "subgroups")
    await w.slash(w.fac, "groups propose", "size 2")
    await w.app.dispatcher.drain()
    await w.slash(w.fac, "groups approve")
    await w.app.dispatcher.drain()
    state = await state_of(w)
    groups = [{int(u) for u in g.members} for g in state.subgroups if g.status == "open"]
    assert len(groups) == 2 and all(g.space for g in state.subgroups)
    return groups


def threads_of(fake: FakeDiscord) -> list[dict[str, Any]]:
    return list(fake.threads.values())


async def test_each_subgroup_meets_in_a_private_thread_of_its_members_only(started: World) -> None:
    w = started
    groups = await approve_groups(w)
    threads = threads_of(w.fake)
    assert sorted(map(sorted, (t["members"] for t in threads))) == sorted(map(sorted, groups))
    for t in threads:
        assert t["type"] == 12 and t["invitable"] is False  # private, nobody else invites
        assert t["parent_id"] == w.fake.channel_id
        assert not t["archived"] and not t["locked"]
    for tid in w.fake.threads:
        welcome = w.fake.channel_messages(tid)[0]
        assert welcome["allowed_mentions"]["parse"] == []


async def test_a_subgroup_round_is_answered_and_synthesised_inside_its_thread(
    started: World,
) -> None:
    w = started
    await approve_groups(w)
    await w.slash(w.fac, "round open", EXCHANGE)
    state = await state_of(w)
    words = {}
    for g in state.subgroups:
        tid = int(g.space or 0)
        prompt = next(m for m in w.fake.channel_messages(tid) if m.get("components"))
        answer = next(
            c["custom_id"]
            for row in prompt["components"]
            for c in row["components"]
            if c["custom_id"].endswith(f":answer:{EXCHANGE}")
        )
        for user in g.members:
            word = f"mot-{user[-4:]}"
            words[word] = tid
            click = await w.click(int(user), answer, dm=False, channel=tid)
            modal = w.fake.acks(click)[0]
            assert modal["type"] == 9, modal
            values = {"f0": word, "f1": "rien"}
            submit = await w.fake.submit_modal(int(user), modal["data"], values, False, tid)
            await w.settle(submit)
    await w.slash(w.fac, "round close", EXCHANGE)
    await w.app.dispatcher.drain()
    for word, tid in words.items():
        inside = "\n".join(m["content"] for m in w.fake.channel_messages(tid))
        assert word in inside
        others = [t for t in w.fake.threads if t != tid] + [w.fake.channel_id]
        assert all(word not in m["content"] for t in others for m in w.fake.channel_messages(t))


async def test_closing_the_groups_archives_and_locks_every_thread(started: World) -> None:
    w = started
    await approve_groups(w)
    await w.slash(w.fac, "groups close")
    await w.app.dispatcher.drain()
    closing = w.app.renderer.catalog.template("fr", "groups.closing")
    for tid, t in w.fake.threads.items():
        assert t["archived"] and t["locked"], tid
        assert any(m["content"] == closing for m in w.fake.channel_messages(tid))
    patches = [c for c in w.fake.calls if c.method == "PATCH" and c.path.startswith("/channels/")]
    assert [c.body for c in patches] == [{"archived": True, "locked": True}] * 2


async def test_closing_the_intervention_closes_the_open_threads_too(started: World) -> None:
    w = started
    await approve_groups(w)
    await w.slash(w.fac, "close")
    await w.app.dispatcher.drain()
    threads = threads_of(w.fake)
    assert threads and all(t["archived"] and t["locked"] for t in threads)


@pytest.mark.parametrize("settings", [{"subgroup_category_id": CATEGORY_ID}])
async def test_with_a_category_configured_each_subgroup_gets_a_private_channel_under_it(
    started: World,
) -> None:
    w = started
    groups = await approve_groups(w)
    assert w.fake.threads == {}
    spaces = {cid: c for cid, c in w.fake.channels.items() if c.get("parent_id") == CATEGORY_ID}
    assert len(spaces) == 2
    everyone = set(w.people.values()) | {w.fac}
    for cid, channel in spaces.items():
        readers = {u for u in everyone if w.fake.can(u, cid, VIEW_CHANNEL)}
        assert readers in groups, (channel["name"], readers)
        assert w.fake.can(int(w.service.port.me), cid, VIEW_CHANNEL)
        assert w.fake.channel_messages(cid), "the welcome went into the channel"

    await w.slash(w.fac, "groups close")
    await w.app.dispatcher.drain()
    for cid in spaces:
        members = {u for u in everyone if w.fake.can(u, cid, VIEW_CHANNEL)}
        assert members in groups  # the history stays readable by its members...
        assert not any(w.fake.can(u, cid, SEND_MESSAGES) for u in everyone)  # ...and nobody writes
        assert w.fake.can(int(w.service.port.me), cid, SEND_MESSAGES)
