"""A short intervention run end to end through discord.py and the fake Discord."""

from __future__ import annotations

import json

from discord_world import World

ROUND = "trust.barometer"
WORDS = {"ana": "lagune", "ben": "boussole", "cleo": "@everyone phare"}


async def answer_all(w: World) -> None:
    await w.slash(w.fac, "round open", ROUND)
    for name, user in w.people.items():
        replies = await w.answer(user, ROUND, {"f0": ["4"], "f1": WORDS[name]})
        assert replies, name


async def test_a_round_goes_from_the_dm_button_to_the_published_synthesis(started: World) -> None:
    w = started
    await answer_all(w)
    await w.slash(w.fac, "round close", ROUND)
    await w.slash(w.fac, "publish", ROUND)
    channel = "\n".join(m["content"] for m in w.fake.channel_messages())
    for word in ("lagune", "boussole", "phare"):
        assert word in channel
    assert all(m["allowed_mentions"]["parse"] == [] for m in w.fake.channel_messages())


async def test_the_modal_explains_who_reads_before_anything_is_written(started: World) -> None:
    w = started
    await w.slash(w.fac, "round open", ROUND)
    user = w.people["ana"]
    button = next(b for b in w.buttons(user) if b.endswith(f":answer:{ROUND}"))
    modal = w.fake.acks(await w.click(user, button))[0]["data"]
    first, choice = modal["components"][:2]
    assert first["type"] == 10  # a text shown above the inputs, before anything is typed
    assert choice["component"]["custom_id"] == "vis"
    offered = [o["label"] for o in choice["component"]["options"]]
    assert offered == ["Pour moi seulement", "Pour le groupe, sans mon nom"]
    for label in offered:  # each choice of reader is explained
        assert f"{label} — " in first["content"]
    assert "sans votre nom" in first["content"] and "au moins 3 personnes" in first["content"]
    assert len(modal["components"]) <= 5


async def test_anonymous_answers_are_never_attributed(started: World) -> None:
    w = started
    await answer_all(w)
    await w.slash(w.fac, "round close", ROUND)
    await w.slash(w.fac, "publish", ROUND)
    carrying = [
        json.dumps(m, ensure_ascii=False)
        for m in w.fake.channel_messages()
        if any(word in json.dumps(m, ensure_ascii=False) for word in WORDS.values())
    ]
    assert carrying, "the anonymous answers were published"
    for text in carrying:
        for name, uid in w.people.items():
            assert name not in text.lower() and str(uid) not in text


async def test_everyone_in_an_answer_never_pings(started: World) -> None:
    w = started
    await answer_all(w)
    await w.slash(w.fac, "round close", ROUND)
    await w.slash(w.fac, "publish", ROUND)
    relayed = [m for m in w.fake.channel_messages() if "phare" in m["content"]]
    assert relayed
    for m in relayed:
        assert "@everyone" not in m["content"]
        assert m["allowed_mentions"] == {
            "parse": [],
            "users": [],
            "roles": [],
            "replied_user": False,
        }


async def test_facilitator_commands_are_refused_to_others(started: World) -> None:
    w = started
    before = len(w.fake.channel_messages())
    replies = await w.slash(w.people["ben"], "round open", ROUND)
    assert replies and all(r for r in replies)
    sent = [c for c in w.fake.calls if c.path.startswith("/interactions")][-1]
    assert sent.body["data"]["flags"] & 64  # ephemeral
    await w.app.dispatcher.drain()
    assert len(w.fake.channel_messages()) == before
    assert not any(b.endswith(f":answer:{ROUND}") for b in w.buttons(w.people["ana"]))


async def test_commands_are_acknowledged_once(started: World) -> None:
    w = started
    iid = await w.fake.slash(w.fac, ["status"])
    await w.settle(iid)
    assert len(w.fake.acks(iid)) == 1
    assert w.fake.acks(iid)[0]["type"] == 5  # deferred: the runner works after the ack


async def test_no_anonymous_answer_travels_with_its_author_in_anything_discord_received(
    started: World,
) -> None:
    w = started
    await answer_all(w)
    await w.slash(w.fac, "round close", ROUND)
    await w.slash(w.fac, "publish", ROUND)
    await w.slash(w.fac, "report")
    await w.app.dispatcher.drain()
    carrying = [
        c for c in w.fake.calls if any(word in json.dumps(c.body) for word in WORDS.values())
    ]
    assert carrying  # the synthesis, the report, each author's own confirmation
    for call in carrying:
        sent = json.dumps(call.body, ensure_ascii=False)
        for name, uid in w.people.items():
            assert str(uid) not in sent, (call.path, name)
            assert f"{name.title()} " not in sent and f"{name.title()}:" not in sent, call.path


async def test_pressing_answer_again_shows_the_answer_given_and_keeps_it_if_resent(
    started: World,
) -> None:
    w = started
    await w.slash(w.fac, "round open", ROUND)
    ana = w.people["ana"]
    await w.answer(ana, ROUND, {"f0": ["2"], "f1": "lagune"})
    button = next(b for b in w.buttons(ana) if b.endswith(f":answer:{ROUND}"))
    modal = w.fake.acks(await w.click(ana, button))[0]["data"]
    inputs = {c["component"]["custom_id"]: c["component"] for c in modal["components"][1:]}
    assert inputs["f1"]["value"] == "lagune"
    assert [o["value"] for o in inputs["f0"]["options"] if o.get("default")] == ["2"]
    await w.settle(await w.fake.submit_modal(ana, modal, {}))  # sent again, untouched
    for name in ("ben", "cleo"):
        await w.answer(w.people[name], ROUND, {"f0": ["4"], "f1": WORDS[name]})
    await w.slash(w.fac, "round close", ROUND)
    await w.slash(w.fac, "publish", ROUND)
    assert "\n".join(m["content"] for m in w.fake.channel_messages()).count("lagune") == 1
