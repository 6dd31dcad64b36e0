"""What the bot sends: nothing lost in a 429 storm, relayed text inert, anonymity kept,
sub-group spaces, permanent errors recognised."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from slack_world import ANA, BEN, CLEO, FAC, PEOPLE, SlackWorld, make_world

from bot.core.model import ConversationRef, UserId, UserRef
from bot.core.ports import DeliveryError, OutMessage, Segment
from bot.storage.store import SqlStore


async def test_a_429_storm_is_survived_with_nothing_lost_or_doubled(world: SlackWorld) -> None:
    await world.start_with_people()
    world.fake.fail_next("chat.postMessage", retry_after=1, count=8)
    await world.cmd("round open trust.intake")
    for _ in range(10):  # each pass: the rows rescheduled by Retry-After come due
        world.clock.advance(seconds=2)
        await world.settle()
    assert len([c for c in world.fake.called("chat.postMessage")]) >= 8
    for p in PEOPLE:
        assert len([b for b in world.buttons(p) if ":answer:trust.intake" in b]) == 1


@pytest.fixture
async def retrying(store: SqlStore) -> AsyncIterator[SlackWorld]:
    async for w in make_world(store, rate_limit_retries=1):
        yield w


async def test_the_client_itself_honours_one_retry_after(retrying: SlackWorld) -> None:
    retrying.fake.fail_next("chat.postMessage", retry_after=0)
    port = retrying.service.port
    ref = await port.post(ConversationRef("slack", "T1", "C1"), OutMessage((Segment("hi"),)))
    assert ref.message_id and len(retrying.fake.called("chat.postMessage")) == 2


async def test_relayed_text_cannot_ping_anyone(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.cmd("round open trust.intake")
    hostile = "<!channel> <!here> <!everyone> <@UFAC> <!subteam^S1> & @everyone"
    await world.answer(ANA, "trust.intake", {"trust.hope": hostile}, visibility="facilitator")
    await world.cmd("mydata", user=ANA)
    sent = world.fake.everything_sent()
    for raw in ("<!channel>", "<!here>", "<!everyone>", "<@UFAC>", "<!subteam^S1>"):
        assert raw not in sent.replace(json.dumps(hostile)[1:-1], "")
    echoed = [m for m in world.fake.messages if "&lt;!channel&gt;" in json.dumps(m["blocks"])]
    assert echoed, "the person's own text comes back, escaped"
    for m in world.fake.messages:
        assert m["blocks"] and all(
            b["text"].get("verbatim") for b in m["blocks"] if b["type"] == "section"
        )
    assert all(c.params.get("unfurl_links") is False for c in world.fake.called("chat.postMessage"))


async def test_anonymous_answers_are_never_attributed_in_anything_slack_received(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    await world.cmd("round open trust.intake")
    secrets = {ANA: "hope-alpha-42", BEN: "hope-beta-42", CLEO: "hope-gamma-42"}
    for p, text in secrets.items():
        await world.answer(p, "trust.intake", {"trust.hope": text}, visibility="group_anonymous")
    mark = len(world.fake.calls)
    await world.cmd("round close trust.intake")
    await world.cmd("publish trust.intake")
    later = world.fake.calls[mark:]
    carried = [c for c in later if any(s in json.dumps(c.params) for s in secrets.values())]
    assert carried, "the anonymous answers were relayed"
    names = ("Ana", "Ben", "Cleo", ANA, BEN, CLEO)
    for call in carried:
        text = json.dumps(call.params, ensure_ascii=False)
        assert not [n for n in names if n in text], text[:400]


async def test_a_subgroup_space_is_a_private_channel_archived_at_the_end(
    world: SlackWorld,
) -> None:
    port = world.service.port
    members = [UserRef("slack", "T1", UserId(u)) for u in (ANA, BEN)]
    space = await port.open_space(ConversationRef("slack", "T1", "C1"), "Groupe 1", members)
    created = world.fake.channels[space.channel]
    assert created["name"].startswith("tst-groupe-1") and {ANA, BEN} <= set(created["members"])
    await port.close_space(space)
    assert created["archived"]


async def test_without_the_private_channel_scope_a_group_dm_is_used(world: SlackWorld) -> None:
    world.fake.missing_scopes.add("groups:write")
    port = world.service.port
    members = [UserRef("slack", "T1", UserId(u)) for u in (ANA, BEN, CLEO)]
    space = await port.open_space(ConversationRef("slack", "T1", "C1"), "Groupe 2", members)
    assert space.channel.startswith("G")
    await port.close_space(space)
    assert world.fake.channels[space.channel]["archived"]


async def test_unreachable_people_are_permanent_failures_and_429_carries_retry_after(
    world: SlackWorld,
) -> None:
    port = world.service.port
    msg = OutMessage((Segment("hello"),))
    with pytest.raises(DeliveryError) as gone:
        await port.send_direct(UserRef("slack", "T1", UserId("UNOBODY")), msg)
    assert gone.value.permanent
    world.fake.error_next("chat.postMessage", "channel_not_found")
    with pytest.raises(DeliveryError) as missing:
        await port.post(ConversationRef("slack", "T1", "C9"), msg)
    assert missing.value.permanent
    world.fake.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(DeliveryError) as limited:
        await port.send_direct(UserRef("slack", "T1", UserId(FAC)), msg)
    assert not limited.value.permanent and limited.value.retry_after == 7
    # A port that leaves every wait to the dispatcher does not pace itself either.
    assert port.budget.capacity(("T1", "chat.postMessage")) is None


async def test_dm_channels_are_opened_once_per_person(world: SlackWorld) -> None:
    port = world.service.port
    for _ in range(3):
        await port.send_direct(UserRef("slack", "T1", UserId(ANA)), OutMessage((Segment("x"),)))
    assert len(world.fake.called("conversations.open")) == 1


async def test_each_delivery_carries_its_outbox_key_as_message_metadata(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.cmd("round open trust.intake")
    keys = [
        (m.get("metadata") or {}).get("event_payload", {}).get("key")
        for p in PEOPLE
        for m in world.fake.messages_in(world.fake.dm_of(p))
    ]
    assert keys and all(k and k.startswith("dlv-") for k in keys)
    assert len(set(keys)) == len(keys)
    assert max(world.fake.delivery_keys().values()) == 1
    assert all(
        (m.get("metadata") or {}).get("event_type") == "tst_delivery"
        for m in world.fake.messages
        if m.get("metadata")
    )


async def test_a_retried_space_adopts_the_channel_its_first_attempt_created(
    world: SlackWorld,
) -> None:
    port = world.service.port
    for i in range(250):  # the right channel sits on the second page of conversations.list
        world.fake.channels[f"CX{i:04d}"] = {
            "id": f"CX{i:04d}",
            "name": f"other-{i}",
            "members": ["UBOT"],
            "archived": False,
        }
    parent = ConversationRef("slack", "T1", "C1")
    members = [UserRef("slack", "T1", UserId(u)) for u in (ANA, BEN)]
    world.fake.error_next("conversations.invite", "fatal_error")  # the first attempt dies here
    with pytest.raises(DeliveryError):
        await port.open_space(parent, "Groupe 3", members)
    space = await port.open_space(parent, "Groupe 3", members)
    named = [
        c for c in world.fake.channels.values() if c.get("name", "").startswith("tst-groupe-3")
    ]
    assert [c["id"] for c in named] == [space.channel]
    assert {ANA, BEN} <= set(named[0]["members"])
    assert len(world.fake.called("conversations.list")) == 2
    again = await port.open_space(parent, "Groupe 3", members)  # everyone is in already
    assert again == space and len(named[0]["members"]) == 3


async def test_a_taken_name_the_bot_cannot_see_still_fails(world: SlackWorld) -> None:
    world.fake.channels["CZ1"] = {
        "id": "CZ1",
        "name": "tst-groupe-4-c1",
        "members": ["USOMEONE"],
        "archived": False,
    }
    members = [UserRef("slack", "T1", UserId(ANA))]
    with pytest.raises(DeliveryError) as taken:
        await world.service.port.open_space(
            ConversationRef("slack", "T1", "C1"), "Groupe 4", members
        )
    assert taken.value.reason == "name_taken"


@pytest.fixture
async def patient(store: SqlStore) -> AsyncIterator[SlackWorld]:
    # The fake's limits below count in windows of 0.2 s: the port's budget learns in the same.
    async for w in make_world(store, rate_limit_wait=2.0, rate_window=0.2):
        yield w


async def test_short_retry_afters_are_waited_out_in_the_port_each_message_sent_once(
    patient: SlackWorld,
) -> None:
    fake = patient.fake
    fake.fractional_retry_after = True
    fake.limit("chat.postMessage", 2, 0.2)
    port = patient.service.port
    for i in range(6):
        await port.post(ConversationRef("slack", "T1", "C1"), OutMessage((Segment(f"m{i}"),)))
    assert [m["text"] for m in fake.messages] == [f"m{i}" for i in range(6)]
    assert fake.rejected.get("chat.postMessage", 0) >= 1
    # The refusals taught the method a budget: here the tier's floor, far above the fake's.
    assert port.budget.capacity(("T1", "chat.postMessage")) == 100


async def test_people_held_back_by_a_limit_retry_one_at_a_time_not_all_at_once(
    patient: SlackWorld,
) -> None:
    """Ten DMs at once against 2 per 0.2 s: all ten arrive, once each. The eight refused at
    first line up behind the method's gate, so each freed slot is tried by one of them, not
    by all (all at once would cost 8 + 6 + 4 + 2 = 20 refusals)."""
    fake = patient.fake
    users = [f"UQ{i}" for i in range(10)]
    for user in users:
        fake.add_user(user)
    port = patient.service.port
    for user in users:  # DM channels opened beforehand, as after the consent round
        await port.dm_channel(UserRef("slack", "T1", UserId(user)))
    fake.fractional_retry_after = True
    fake.limit("chat.postMessage", 2, 0.2)
    await asyncio.gather(
        *(
            port.send_direct(UserRef("slack", "T1", UserId(u)), OutMessage((Segment(u),)))
            for u in users
        )
    )
    assert sorted(m["text"] for m in fake.messages) == sorted(users)
    assert fake.rejected["chat.postMessage"] < 16


async def test_a_long_retry_after_goes_back_and_holds_the_method_meanwhile(
    patient: SlackWorld,
) -> None:
    fake = patient.fake
    fake.fail_next("chat.postMessage", retry_after=30)
    port = patient.service.port
    msg = OutMessage((Segment("x"),))
    for _ in range(2):
        with pytest.raises(DeliveryError) as limited:
            await port.post(ConversationRef("slack", "T1", "C1"), msg)
        assert limited.value.reason == "ratelimited" and limited.value.retry_after
        assert limited.value.retry_after > 2.0
    assert len(fake.called("chat.postMessage")) == 1, "the second call never reached Slack"
