"""What the bot posts on Discord: nothing can ping, every send is idempotent, DMs are paced,
reports come with their charts attached."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import aiohttp
from discord_world import World
from fakes.discord_rest import MAX_UPLOAD, TOKEN

from bot.adapters.discord.chat import DiscordChat
from bot.core.model import ConversationRef, UserRef
from bot.core.ports import OutMessage, Segment

ROUND = "trust.barometer"
PINGS = "@everyone @here <@{ana}> <@&{guild}>"  # fits the 80 characters of the answer


def bodies_with_content(w: World) -> list[tuple[str, dict[str, Any]]]:
    """Every message body the bot sent with text: posts, edits, follow-ups, replies."""
    out = []
    for c in w.fake.calls:
        body = c.body
        if isinstance(body, dict) and body.get("type") in (4, 7):  # an interaction answer
            body = body.get("data") or {}
        if isinstance(body, dict) and body.get("content"):
            out.append((f"{c.method} {c.path}", body))
    return out


async def test_nothing_the_bot_posts_can_ping_even_text_written_to_ping(started: World) -> None:
    w = started
    pings = PINGS.format(ana=w.people["ana"], guild=w.fake.guild_id)
    await w.slash(w.fac, "round open", ROUND)
    for user in w.people.values():
        await w.answer(user, ROUND, {"f0": ["4"], "f1": pings})
    await w.slash(w.fac, "round close", ROUND)
    await w.slash(w.fac, "publish", ROUND)
    await w.slash(w.fac, "start", pings)  # refused (one already runs), and shown back
    late = next(b for b in w.buttons(w.people["ana"]) if b.endswith(f":answer:{ROUND}"))
    await w.click(w.people["ana"], late)  # an immediate answer: "this round is closed"

    sent = bodies_with_content(w)
    assert {route.split("/")[1] for route, _ in sent} >= {"channels", "webhooks", "interactions"}
    for route, body in sent:
        mentions = body.get("allowed_mentions")
        assert mentions is not None and mentions["parse"] == [], route
        assert not mentions.get("users") and not mentions.get("roles"), route
    relayed = [m for m in w.fake.channel_messages() if "everyone" in m["content"]]
    assert relayed, "the answers were published"
    for m in relayed:
        assert "@everyone" not in m["content"] and "<@" not in m["content"]
        assert m["flags"] & 4  # and links in participants' text do not unfurl


async def test_every_message_carries_a_nonce_that_discord_enforces(started: World) -> None:
    w = started
    await w.slash(w.fac, "round open", ROUND)
    await w.app.dispatcher.drain()
    posts = [c for c in w.fake.calls if c.method == "POST" and c.path.endswith("/messages")]
    assert len(posts) >= len(w.people) * 2  # the frames and the prompts at least
    for c in posts:
        assert c.body["enforce_nonce"] is True
        assert isinstance(c.body["nonce"], str) and 0 < len(c.body["nonce"]) <= 25
    # A delivery's nonce comes from its outbox row, so each row has its own.
    dms = [c.body["nonce"] for c in posts if c.body["nonce"].startswith("dlv-")]
    assert len(dms) == len(set(dms)) == len(posts)


async def test_a_send_retried_after_a_lost_answer_is_not_posted_twice(started: World) -> None:
    w = started
    chat = w.service.port
    channel = ConversationRef("discord", str(w.fake.guild_id), str(w.fake.channel_id))
    before = len(w.fake.channel_messages())
    msg = OutMessage((Segment("Synthèse du tour"),), idempotency_key="dlv-991")
    first = await chat.post(channel, msg)
    again = await chat.post(channel, msg)  # the dispatcher's retry: same row, same nonce
    assert again == first
    assert len(w.fake.channel_messages()) == before + 1
    other = await chat.post(
        channel, OutMessage((Segment("Synthèse du tour"),), idempotency_key="dlv-992")
    )
    assert other != first  # another row is another message, even with the same text


async def test_direct_messages_are_paced_and_each_dm_channel_opened_once(started: World) -> None:
    w = started
    chat = DiscordChat(dm_per_second=10.0, dm_opens_per_second=50.0)
    chat.http = w.service.port.http
    people = [w.fake.add_user(f"p{n}") for n in range(6)]
    opens_before = sum(c.path == "/users/@me/channels" for c in w.fake.calls)
    start = len(w.fake.calls)
    for round_ in (1, 2):
        await asyncio.gather(
            *(
                chat.send_direct(
                    UserRef("discord", str(w.fake.guild_id), str(u)),
                    OutMessage((Segment(f"prompt {round_}"),), idempotency_key=f"dlv-{u}-{round_}"),
                )
                for u in people
            )
        )
    calls = w.fake.calls[start:]
    sends = sorted(c.at for c in calls if c.path.endswith("/messages"))
    assert len(sends) == 12
    # 10 per second, however many are waiting: at most one call beyond the rate in any
    # stretch (the pacer keeps its schedule when woken late), with 10 ms for the loopback.
    for i, j in itertools.combinations(range(len(sends)), 2):
        assert j - i + 1 <= 2 + (sends[j] - sends[i] + 0.01) / 0.1, sends
    opens = sum(c.path == "/users/@me/channels" for c in w.fake.calls) - opens_before
    assert opens == len(people)


async def test_the_report_reaches_the_facilitator_as_attached_files(started: World) -> None:
    w = started
    await w.slash(w.fac, "round open", ROUND)
    for n, user in enumerate(w.people.values()):
        await w.answer(user, ROUND, {"f0": [str(3 + n % 2)], "f1": "ok"})
    await w.slash(w.fac, "round close", ROUND)
    await w.slash(w.fac, "publish", ROUND)
    await w.slash(w.fac, "report")
    await w.app.dispatcher.drain()
    with_files = [c for c in w.fake.calls if c.files]
    assert len(with_files) == 1 and with_files[0].status == 200
    sent = with_files[0]
    # One multipart message: the group's report (HTML, CSV) and the facilitator's (HTML),
    # each part with its own type, and a one-line summary naming them.
    assert sorted(n.rsplit(".", 1)[1] for n in sent.files) == ["csv", "html", "html"]
    assert sorted(sent.types) == sorted(
        ["text/html; charset=utf-8", "text/html; charset=utf-8", "text/csv; charset=utf-8"]
    )
    (message,) = [m for m in w.fake.dms_to(w.fac) if m["attachments"]]
    assert all(name in message["content"] for name in sent.files)
    assert "\n" not in message["content"].strip()
    assert all(a["description"] for a in message["attachments"])
    assert message["allowed_mentions"]["parse"] == []


async def test_the_fake_refuses_files_discord_would_refuse(started: World) -> None:
    """An attachment pointing at no uploaded file, or more bytes than Discord takes."""
    w = started
    await w.slash(w.fac, "report")  # the facilitator's DM channel exists
    await w.app.dispatcher.drain()
    url = f"{w.fake.api_base}/channels/{w.fake.dm_channels[w.fac]}/messages"
    headers = {"Authorization": f"Bot {TOKEN}"}
    async with aiohttp.ClientSession() as http:

        async def send(payload: dict[str, object], data: bytes, name: str = "a.csv") -> int:
            form = aiohttp.FormData()
            form.add_field("payload_json", json.dumps(payload), content_type="application/json")
            form.add_field("files[0]", data, filename=name, content_type="text/csv")
            async with http.post(url, data=form, headers=headers) as r:
                return r.status

        assert await send({"content": "x", "attachments": [{"id": 1}]}, b"a;b") == 400
        assert await send({"content": "x"}, b"0" * (MAX_UPLOAD + 1)) == 413
        assert await send({"content": "x", "attachments": [{"id": 0}]}, b"a;b") == 200
