"""Faults mid-round: a gateway reconnect, 429s, closed DMs, a restart of the bot process."""

from __future__ import annotations

from collections import Counter
from typing import Any

from discord_world import World, launch
from fakes.discord_gateway import FakeDiscord

ROUND = "trust.barometer"
WORDS = {"ana": "lagune", "ben": "boussole", "cleo": "phare"}


def notices(fake: FakeDiscord) -> list[dict[str, Any]]:
    """The channel's closed-DM notices (those with the "Get my prompts" button), oldest first,
    as they read now (each is edited as people add up)."""
    return [
        m
        for m in fake.channel_messages()
        if any(
            c["custom_id"].endswith(":myprompts:")
            for row in m.get("components", [])
            for c in row["components"]
        )
    ]


def prompt_dms(w: World, user: int) -> list[str]:
    return [b for b in w.buttons(user) if b.endswith(f":answer:{ROUND}")]


async def publish(w: World) -> str:
    await w.slash(w.fac, "round close", ROUND)
    await w.slash(w.fac, "publish", ROUND)
    return "\n".join(m["content"] for m in w.fake.channel_messages())


async def test_a_reconnect_and_resume_mid_round_loses_nothing(started: World) -> None:
    w = started
    await w.slash(w.fac, "round open", ROUND)
    await w.answer(w.people["ana"], ROUND, {"f0": ["4"], "f1": WORDS["ana"]})
    await w.fake.send_reconnect()
    # Sent while the client is away: buffered by the fake, replayed on RESUME.
    for name in ("ben", "cleo"):
        await w.answer(w.people[name], ROUND, {"f0": ["3"], "f1": WORDS[name]})
    assert w.fake.resumes and w.fake.resumes[-1]["session_id"] == "session-1"
    assert len(w.fake.identifies) == 1  # resumed, never a fresh session
    channel = await publish(w)
    for word in WORDS.values():
        assert channel.count(word) == 1, word


def assert_one_prompt_each(w: World) -> None:
    for name, user in w.people.items():
        assert len(prompt_dms(w, user)) == 1, name


async def test_route_429s_on_dms_are_waited_out_without_loss_or_doubles(started: World) -> None:
    w = started
    w.fake.rate_limit(r"POST /channels/\d+/messages", retry_after=0.05, times=3)
    await w.slash(w.fac, "round open", ROUND)
    await w.fake.wait_for(lambda: all(prompt_dms(w, u) for u in w.people.values()))
    await w.app.dispatcher.drain()
    assert sum(c.status == 429 for c in w.fake.calls) == 3
    assert_one_prompt_each(w)
    for name, user in w.people.items():
        await w.answer(user, ROUND, {"f0": ["4"], "f1": WORDS[name]})
    channel = await publish(w)
    for word in WORDS.values():
        assert channel.count(word) == 1, word


async def test_a_global_429_is_waited_out_without_loss_or_doubles(started: World) -> None:
    w = started
    w.fake.rate_limit(r"POST /channels/\d+/messages", retry_after=0.1, is_global=True, times=2)
    await w.slash(w.fac, "round open", ROUND)
    await w.fake.wait_for(lambda: all(prompt_dms(w, u) for u in w.people.values()))
    await w.app.dispatcher.drain()
    assert sum(c.status == 429 for c in w.fake.calls) == 2
    assert_one_prompt_each(w)
    nonces = Counter(
        (c.path, c.body.get("nonce"))
        for c in w.fake.calls
        if c.status == 200 and c.method == "POST" and c.path.endswith("/messages")
    )
    assert nonces  # every accepted send carried a nonce; a retry reuses it
    assert all(key[1] for key in nonces)


async def test_closed_dms_fall_back_to_the_channel_button_and_a_nameless_count(
    world: World,
) -> None:
    w = world
    closed = w.people["cleo"]
    w.fake.closed_dms.add(closed)
    await w.slash(w.fac, "start", "Équipe")
    await w.slash(w.fac, "invite", " ".join(f"<@{u}>" for u in w.people.values()))
    notice = (await w.fake.wait_for(lambda: notices(w.fake)))[-1]
    assert "1" in notice["content"]
    for name, uid in w.people.items():
        assert name not in notice["content"].lower() and str(uid) not in notice["content"]
    assert "fac" not in notice["content"].lower()
    # Cleo presses "Get my prompts" in the channel and accepts the frame from there.
    button = notice["components"][0]["components"][0]["custom_id"]
    got = await w.click(closed, button, dm=False)
    shown = w.fake.replies(got)
    assert shown and all(r.get("flags", 0) & 64 for r in shown)
    accept = next(
        c["custom_id"]
        for r in shown
        for row in r.get("components", [])
        for c in row["components"]
        if c["custom_id"].endswith(":consent:accept")
    )
    await w.click(closed, accept, dm=False)
    for user in (w.people["ana"], w.people["ben"]):
        ok = next(b for b in w.buttons(user) if b.endswith(":consent:accept"))
        await w.click(user, ok)
    await w.slash(w.fac, "step", "trust")
    await w.slash(w.fac, "round open", ROUND)
    # Her prompt comes through the same button; the count does not grow for the same person.
    got = await w.click(closed, button, dm=False)
    answer = next(
        c["custom_id"]
        for r in w.fake.replies(got)
        for row in r.get("components", [])
        for c in row["components"]
        if c["custom_id"].endswith(f":answer:{ROUND}")
    )
    click = await w.click(closed, answer, dm=False)
    modal = w.fake.acks(click)[0]
    assert modal["type"] == 9
    submit = await w.fake.submit_modal(closed, modal["data"], {"f0": ["4"], "f1": "phare"}, False)
    await w.settle(submit)
    for name in ("ana", "ben"):
        await w.answer(w.people[name], ROUND, {"f0": ["4"], "f1": WORDS[name]})
    channel = await publish(w)
    assert all(word in channel for word in WORDS.values())
    assert "cleo" not in w.fake.everything_sent().lower()


async def test_a_button_pressed_after_a_restart_still_works(
    started: World, fake: FakeDiscord, db_url: str
) -> None:
    w = started
    await w.slash(w.fac, "round open", ROUND)
    await w.app.dispatcher.drain()
    buttons = {name: prompt_dms(w, u)[0] for name, u in w.people.items()}
    await w.service.stop()
    await w.app.store.close()
    # A new process: new client, new app, same database; nothing kept in memory.
    w.app, w.service = await launch(fake, db_url)
    assert len(fake.identifies) == 2
    for name, user in w.people.items():
        click = await w.click(user, buttons[name])
        modal = fake.acks(click)[0]
        assert modal["type"] == 9, modal
        submit = await fake.submit_modal(user, modal["data"], {"f0": ["4"], "f1": WORDS[name]})
        await w.settle(submit)
        assert fake.replies(submit)
    channel = await publish(w)
    for word in WORDS.values():
        assert channel.count(word) == 1, word


async def restart(w: World, fake: FakeDiscord, db_url: str) -> None:
    """Another process takes over: new client, new app, same database, nothing in memory."""
    await w.service.stop()
    await w.app.store.close()
    w.app, w.service = await launch(fake, db_url)


def buttons_shown(w: World, iid: int) -> list[str]:
    return [
        c["custom_id"]
        for r in w.fake.replies(iid)
        for row in r.get("components", [])
        for c in row["components"]
    ]


async def test_get_my_prompts_works_in_a_process_that_never_saw_the_bounced_dm(
    world: World, fake: FakeDiscord, db_url: str
) -> None:
    w = world
    cleo = w.people["cleo"]
    fake.closed_dms.add(cleo)
    await w.slash(w.fac, "start", "Équipe")
    await w.slash(w.fac, "invite", " ".join(f"<@{u}>" for u in w.people.values()))
    notice = [
        m["components"][0]["components"][0]["custom_id"]
        for m in await fake.wait_for(lambda: notices(fake))
    ]
    await restart(w, fake, db_url)
    # The frame, rebuilt from the state: Cleo accepts it from the channel.
    got = await w.click(cleo, notice[0], dm=False)
    accept = next(b for b in buttons_shown(w, got) if b.endswith(":consent:accept"))
    await w.click(cleo, accept, dm=False)
    for user in (w.people["ana"], w.people["ben"]):
        await w.click(user, next(b for b in w.buttons(user) if b.endswith(":consent:accept")))
    await w.slash(w.fac, "step", "trust")
    await w.slash(w.fac, "round open", ROUND)
    await restart(w, fake, db_url)
    # The round's prompt, rebuilt too, opens her form.
    got = await w.click(cleo, notice[0], dm=False)
    assert not any(b.endswith(":consent:accept") for b in buttons_shown(w, got))
    answer = next(b for b in buttons_shown(w, got) if b.endswith(f":answer:{ROUND}"))
    modal = fake.acks(await w.click(cleo, answer, dm=False))[0]
    assert modal["type"] == 9


async def test_the_closed_dm_count_is_the_same_for_a_process_that_took_over(
    world: World, fake: FakeDiscord, db_url: str
) -> None:
    w = world
    fake.closed_dms.update({w.people["ben"], w.people["cleo"]})
    await w.slash(w.fac, "start", "Équipe")
    await w.slash(w.fac, "invite", " ".join(f"<@{u}>" for u in w.people.values()))
    await fake.wait_for(lambda: any(" 2 " in m["content"] for m in notices(fake)))
    await w.app.dispatcher.drain()
    await restart(w, fake, db_url)
    dan = fake.add_user("dan")
    fake.closed_dms.add(dan)
    await w.slash(w.fac, "invite", f"<@{dan}>")
    # Ben and Cleo were counted by the process before: the new one counts three people.
    await fake.wait_for(lambda: " 3 " in notices(fake)[-1]["content"])


async def test_a_slow_ack_does_not_let_the_next_command_overtake_the_first(world: World) -> None:
    w = world
    # The first command's "thinking…" ack meets a 429 and waits; the second's goes through.
    w.fake.rate_limit(r"POST /interactions/\d+/[^/]+/callback", retry_after=0.3)
    first = await w.fake.slash(w.fac, ["start"], "Équipe")
    second = await w.fake.slash(w.fac, ["invite"], f"<@{w.people['ana']}>")
    await w.settle(first)
    await w.settle(second)
    assert sum(c.status == 429 for c in w.fake.calls) == 1
    assert any(b.endswith(":consent:accept") for b in w.buttons(w.people["ana"])), w.fake.replies(
        second
    )
