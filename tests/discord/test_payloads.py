"""Every payload shape the fake emits goes through discord.py's own constructors and parsers
(ConnectionState.parse_*, Message, Interaction, Thread, AppCommand, ...), compared with what
the fake meant: a malformed or misspelt fake payload fails here, not somewhere downstream."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.components import _component_factory
from discord_world import World
from fakes.discord_gateway import TOKEN, Emitted, FakeDiscord
from payload_check import check_all, known_kinds

from bot.adapters.discord.chat import DiscordChat
from bot.core.model import ConversationRef, UserRef
from bot.core.ports import OutMessage, Segment
from bot.wiring.discord import point_at

ROUND = "trust.barometer"
# Shapes the bot itself never causes (it syncs to a guild and never edits its deferred
# answer): a plain discord.py client exercises them below. MESSAGE_CREATE it receives for
# its own DMs (it asks for direct messages, to answer people who write to it).
BARE_ONLY = {
    "PUT /applications/{}/commands",
    "PATCH /webhooks/{}/{}/messages/@original",
    "GET /webhooks/{}/{}/messages/@original",
}


async def groups_in_threads(w: World) -> None:
    """Sub-groups proposed by the solver, approved (private threads open), then closed."""
    await w.slash(w.fac, "step", "subgroups")
    await w.slash(w.fac, "groups propose", "size 2-3")
    await w.app.dispatcher.drain()
    await w.slash(w.fac, "groups approve")
    await w.fake.wait_for(lambda: w.fake.threads)
    await w.app.dispatcher.drain()
    await w.slash(w.fac, "groups close")
    await w.app.dispatcher.drain()


async def private_channel_round_trip(w: World) -> None:
    """The configured variant: a private channel under the category, then closed."""
    chat = DiscordChat(subgroup_category_id=w.fake.category_id)
    chat.http, chat.me = w.service.port.http, w.service.port.me
    parent = ConversationRef("discord", str(w.fake.guild_id), str(w.fake.channel_id))
    members = [UserRef("discord", parent.workspace, str(u)) for u in w.people.values()]
    space = await chat.open_space(parent, "Groupe 9", members)
    ref = await chat.post(space, OutMessage((Segment("bienvenue"),)))
    await chat.edit(ref, OutMessage((Segment("bienvenue, vraiment"),)))
    await chat.close_space(space)


async def test_every_payload_the_bot_causes_parses_with_discord_py(started: World) -> None:
    w = started
    ana = w.people["ana"]
    w.fake.closed_dms.add(w.people["cleo"])  # a 403 (50007) and the channel fallback
    w.fake.rate_limit(r"POST /channels/\d+/messages", retry_after=0.01)  # a 429 body
    suggested = await w.fake.autocomplete(w.fac, ["round", "open"], "baro")
    await w.settle(suggested)
    await w.slash(w.fac, "round open", ROUND)
    button = next(b for b in w.buttons(ana) if b.endswith(f":answer:{ROUND}"))
    await w.answer(ana, ROUND, {"f0": ["4"], "f1": "lagune"})
    await w.fake.send_reconnect()  # RESUMED, with the buffered events replayed
    await w.answer(w.people["ben"], ROUND, {"f0": ["3"], "f1": "boussole"})
    await w.slash(w.fac, "round close", ROUND)
    await w.slash(w.fac, "publish", ROUND)
    await w.click(ana, button, locale="en-US")  # closed: an immediate message (type 4)
    await w.slash(w.fac, "report")  # the report files as attachments, in the facilitator's DM
    await groups_in_threads(w)
    await private_channel_round_trip(w)

    seen = check_all(w.fake)

    assert seen == known_kinds() - BARE_ONLY
    assert any(m["attachments"] for m in w.fake.dms_to(w.fac))


async def test_the_shapes_only_a_plain_client_causes_parse_too(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    client.intents.message_content = True
    tree = app_commands.CommandTree(client)
    tree.add_command(app_commands.Command(name="tst", description="tst", callback=_noop))
    edited = asyncio.Event()

    @client.event
    async def on_interaction(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="done")
        await interaction.original_response()
        edited.set()

    point_at(fake.api_base, fake.ws_url)
    await client.login(TOKEN)
    task = asyncio.create_task(client.connect())
    try:
        await asyncio.wait_for(client.wait_until_ready(), 5)
        await tree.sync()
        ana = fake.add_user("ana")
        await fake.user_says(ana, "bonjour")
        channel = client.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        await channel.send("hello")
        await fake.click(ana, "x", dm=False)
        await asyncio.wait_for(edited.wait(), 5)
    finally:
        await client.close()
        task.cancel()

    assert check_all(fake) >= BARE_ONLY


async def _noop(interaction: discord.Interaction[Any]) -> None:
    await interaction.response.send_message("ok")


def broken(kind: str, fake: FakeDiscord) -> list[Emitted]:
    """A well-formed READY and GUILD_CREATE, then one payload of `kind` with a fault."""
    from fakes import discord_payloads as P

    fake.port = 1
    ana = fake.add_user("ana")
    base = [Emitted("READY", P.ready(fake, "s", (0, 1))), Emitted("GUILD_CREATE", P.guild(fake))]
    msg = P.message(fake, 5, fake.channel_id, {"content": "x"})
    faults: dict[str, Emitted] = {
        "message without author": Emitted("POST /channels/{}/messages", _without(msg, "author")),
        "message with a malformed edit time": Emitted(
            "POST /channels/{}/messages", {**msg, "edited_timestamp": "yesterday"}
        ),
        "interaction whose member has no flags": Emitted(
            "INTERACTION_CREATE", _member_without_flags(fake, ana)
        ),
        "interaction without token": Emitted(
            "INTERACTION_CREATE",
            _without(
                P.interaction(fake, 7, "t", 2, ana, {"name": "tst", "type": 1}, None, False),
                "token",
            ),
        ),
        "thread with misspelt locked": Emitted("THREAD_UPDATE", _thread_locked_misspelt(fake)),
        "dm without recipients": Emitted(
            "POST /users/@me/channels", _without(P.dm_channel(fake, 3, ana), "recipients")
        ),
    }
    return [*base, faults[kind]]


@pytest.mark.parametrize(
    "kind",
    [
        "message without author",
        "message with a malformed edit time",
        "interaction whose member has no flags",
        "interaction without token",
        "thread with misspelt locked",
        "dm without recipients",
    ],
)
def test_a_malformed_payload_fails_the_check(kind: str) -> None:
    fake = FakeDiscord()
    with pytest.raises(AssertionError, match="does not parse"):
        asyncio.run(_check(fake, broken(kind, fake)))


async def _check(fake: FakeDiscord, emitted: list[Emitted]) -> None:
    check_all(fake, emitted)


def _without(payload: dict[str, Any], key: str) -> dict[str, Any]:
    out = copy.deepcopy(payload)
    del out[key]
    return out


def _member_without_flags(fake: FakeDiscord, user: int) -> dict[str, Any]:
    from fakes import discord_payloads as P

    payload = P.interaction(fake, 8, "t", 2, user, {"name": "tst", "type": 1}, None, False)
    del payload["member"]["flags"]
    return payload


def _thread_locked_misspelt(fake: FakeDiscord) -> dict[str, Any]:
    from fakes import discord_payloads as P

    tid = fake.next_id()
    fake.threads[tid] = {
        "parent_id": fake.channel_id,
        "name": "g",
        "type": 12,
        "invitable": False,
        "auto_archive_duration": 10080,
        "members": set(),
        "archived": True,
        "locked": True,
    }
    payload = P.thread(fake, tid)
    payload["thread_metadata"]["lockd"] = payload["thread_metadata"].pop("locked")
    return payload


async def test_what_the_bot_sends_as_components_reads_back_in_discord_py(started: World) -> None:
    """The other direction: the buttons and modals the bot built are what discord.py would
    itself build from such payloads (type by type, custom_ids intact)."""
    w = started
    await w.slash(w.fac, "round open", ROUND)
    user = w.people["ana"]
    button = next(b for b in w.buttons(user) if b.endswith(f":answer:{ROUND}"))
    modal = w.fake.acks(await w.click(user, button))[0]["data"]
    parsed = [_component_factory(c) for c in modal["components"]]
    assert [type(c).__name__ for c in parsed] == ["TextDisplay", "LabelComponent"] + [
        "LabelComponent"
    ] * (len(parsed) - 2)
    ids = [getattr(c.component, "custom_id", None) for c in parsed[1:]]  # type: ignore[union-attr]
    assert ids == [c["component"]["custom_id"] for c in modal["components"][1:]]
    for m in w.fake.dms_to(user):
        for row in m["components"]:
            buttons = _component_factory(row)
            assert [b.custom_id for b in buttons.children] == [  # type: ignore[union-attr]
                c["custom_id"] for c in row["components"]
            ]
