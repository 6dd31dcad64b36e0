"""Discord: a message typed to the bot in its DM (MESSAGE_CREATE without a guild, received with
the direct-messages intent) is answered with the person's waiting prompts and their buttons,
or with what the bot is and `/tst help`. The bot's own DMs, edits and a replayed event get
nothing; what was written is never logged."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from discord_world import World
from fakes.discord_payloads import message_create
from fakes.discord_rest import BOT_ID, DIRECT_MESSAGES

ROUND = "trust.barometer"
ABOUT_FR = "Je suis tst, le bot qui accompagne votre animateur ou animatrice"


async def write(w: World, user: int, text: str, expect: int = 1) -> list[dict[str, Any]]:
    """The `expect` messages the bot answered in the DM after `user` wrote `text` there."""
    before = len(w.fake.dms_to(user))
    await w.fake.user_dms(user, text)
    await w.fake.wait_for(lambda: len(w.fake.dms_to(user)) >= before + 1 + expect)
    return [m for m in w.fake.dms_to(user)[before + 1 :] if m["author"]["bot"]]


async def test_someone_in_no_intervention_learns_what_the_bot_is(world: World) -> None:
    stranger = world.fake.add_user("noa")
    answered = await write(world, stranger, "bonjour ?")
    assert len(answered) == 1
    assert ABOUT_FR in str(answered[0]["content"]) and "/tst aide" in str(answered[0]["content"])


async def test_a_waiting_prompt_comes_back_with_its_answer_button(started: World) -> None:
    w = started
    await w.slash(w.fac, "round open", ROUND)
    ana = w.people["ana"]
    answered = await write(w, ana, "je réponds où ?", expect=2)
    assert len(answered) == 2 and "(1)" in str(answered[0]["content"])
    buttons = [c["custom_id"] for row in answered[1]["components"] for c in row["components"]]
    assert any(b.endswith(f":answer:{ROUND}") for b in buttons)
    # The button opens the form, as the first prompt's did.
    await w.answer(ana, ROUND, {"f0": ["4"], "f1": "calme"})
    assert ABOUT_FR in str((await write(w, ana, "et maintenant ?"))[0]["content"])


def posts(w: World, user: int | None = None) -> int:
    """How many messages the bot sent into `user`'s DM, or into any DM (Discord may drop a
    repeated text by its nonce: the calls are what the bot did)."""
    dms = {f"/channels/{c}/messages" for u, c in w.fake.dm_channels.items() if user in (u, None)}
    return sum(1 for c in w.fake.calls if c.method == "POST" and c.path in dms)


async def test_edits_and_replays_get_nothing(world: World) -> None:
    fac = world.fac
    mid = await world.fake.user_dms(fac, "un")
    await world.fake.wait_for(lambda: posts(world, fac) == 1)
    await world.fake.user_edits_dm(fac, mid, "deux")
    written = next(m for m in world.fake.dms_to(fac) if m["id"] == str(mid))
    replayed = message_create(world.fake, written)  # as after a RESUME that replays it
    await world.fake.broadcast("MESSAGE_CREATE", replayed, DIRECT_MESSAGES)
    await world.fake.user_dms(fac, "trois")  # a marker: answered, after all of the above
    await world.fake.wait_for(lambda: posts(world, fac) == 2)
    assert posts(world) == 2  # one answer to "un", one to "trois"


async def test_the_bots_own_answer_is_not_answered(world: World) -> None:
    """Its answer is itself a MESSAGE_CREATE in the DM, the bot as author: were it answered,
    the bot would open a DM with itself (after its DM-opening pace, 0.5 s) and write there."""
    await world.fake.user_dms(world.fac, "un")
    await world.fake.wait_for(lambda: posts(world) == 1)
    with pytest.raises(TimeoutError):
        await world.fake.wait_for(lambda: posts(world) > 1 or opened_for_itself(world), 1.5)


def opened_for_itself(w: World) -> bool:
    return any(
        c.path == "/users/@me/channels" and str(c.body.get("recipient_id")) == str(BOT_ID)
        for c in w.fake.calls
    )


async def test_what_was_written_is_never_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await write(world, world.fac, "mon secret 4821")
    assert "4821" not in caplog.text
