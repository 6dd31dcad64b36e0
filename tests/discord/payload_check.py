"""discord.py's own parsers over every payload the fake emitted, each checked for meaning as
well as shape (a misspelt field parses to a default, and the comparison catches it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.shard import SessionStartLimits
from fakes.discord_gateway import APP_ID, BOT_ID, Emitted, FakeDiscord

Channel = discord.TextChannel | discord.CategoryChannel | discord.Thread | discord.DMChannel


@dataclass
class HttpResponse:
    """What discord.HTTPException reads from a failed response besides its body."""

    status: int
    reason: str = "fake"


@dataclass
class Parsers:
    """A ConnectionState that discord.py itself filled from the fake's payloads, in order."""

    fake: FakeDiscord
    client: discord.Client = field(
        default_factory=lambda: discord.Client(intents=discord.Intents.all())
    )
    interactions: dict[int, discord.Interaction[Any]] = field(default_factory=dict)

    @property
    def state(self) -> Any:
        return self.client._connection

    def guild(self) -> discord.Guild:
        found = self.state._get_guild(self.fake.guild_id)
        assert found is not None, "no GUILD_CREATE parsed yet"
        return found  # type: ignore[no-any-return]

    def channel(self, d: dict[str, Any]) -> Channel:
        """A channel, thread or DM object, through the class discord.py picks for its type."""
        kind = d["type"]
        if kind == 1:
            return discord.DMChannel(me=self.state.user, state=self.state, data=d)  # type: ignore[arg-type]
        if kind in (10, 11, 12):
            thread = discord.Thread(guild=self.guild(), state=self.state, data=d)  # type: ignore[arg-type]
            meta = d["thread_metadata"]
            assert (thread.archived, thread.locked) == (meta["archived"], meta["locked"])
            assert thread.is_private() == (kind == 12) and thread.parent_id == int(d["parent_id"])
            return thread
        cls = {0: discord.TextChannel, 4: discord.CategoryChannel}[kind]
        channel = cls(state=self.state, guild=self.guild(), data=d)  # type: ignore[arg-type]
        assert channel.name == d["name"] and channel.category_id == _id(d.get("parent_id"))
        for o in d["permission_overwrites"]:
            allow, deny = channel.overwrites_for(discord.Object(int(o["id"]))).pair()
            assert (allow.value, deny.value) == (int(o["allow"]), int(o["deny"])), o
        return channel

    def message(self, d: dict[str, Any]) -> discord.Message:
        channel, _ = self.state._get_guild_channel(d)
        msg = discord.Message(state=self.state, channel=channel, data=d)  # type: ignore[arg-type]
        assert msg.id == int(d["id"]) and msg.channel.id == int(d["channel_id"])
        assert msg.content == d["content"] and msg.author.id == int(d["author"]["id"])
        assert msg.author.bot == d["author"]["bot"] and msg.flags.value == d["flags"]
        assert msg.nonce == d.get("nonce")
        sent = [c["custom_id"] for row in d["components"] for c in row["components"]]
        parsed = [c.custom_id for row in msg.components for c in row.children]  # type: ignore[union-attr]
        assert parsed == sent
        assert [(a.filename, a.size) for a in msg.attachments] == [
            (a["filename"], a["size"]) for a in d["attachments"]
        ]
        return msg

    # -- gateway events ---------------------------------------------------------------------

    def ready(self, d: dict[str, Any]) -> None:
        self.state.parse_ready(d)
        assert self.state.user.id == BOT_ID and self.state.user.bot
        assert self.state.application_id == APP_ID

    def guild_create(self, d: dict[str, Any]) -> None:
        self.state.parse_guild_create(d)
        guild = self.guild()
        assert guild.me is not None and guild.me.bot
        assert sorted(c.id for c in guild.channels) == sorted(int(c["id"]) for c in d["channels"])
        for c in d["channels"]:
            self.channel(c)
        assert sorted(t.id for t in guild.threads) == sorted(int(t["id"]) for t in d["threads"])

    def interaction_create(self, d: dict[str, Any]) -> None:
        i: discord.Interaction[Any] = discord.Interaction(data=d, state=self.state)  # type: ignore[arg-type]
        self.interactions[i.id] = i
        assert i.type.value == d["type"] and i.application_id == APP_ID
        assert i.user.id == int((d.get("member") or d)["user"]["id"])
        assert isinstance(i.user, discord.Member) == ("guild_id" in d)
        assert i.channel is not None and i.channel.id == int(d["channel_id"])
        assert i.locale.value == d["locale"]
        self.channel(d["channel"])
        data = d["data"]
        if i.type == discord.InteractionType.component:
            assert i.message is not None and i.message.id == int(d["message"]["id"])
            self.message(d["message"])
        elif i.type == discord.InteractionType.modal_submit:
            submitted = _submitted(i, data)
            assert submitted, data
        elif i.type == discord.InteractionType.autocomplete:
            assert _focused(data["options"])["focused"] is True
        else:
            assert data["name"] == "tst" and data["type"] == 1

    def message_create(self, d: dict[str, Any]) -> None:
        self.state.parse_message_create(d)
        msg = self.message(d)
        if "guild_id" in d:
            assert msg.guild is not None and isinstance(msg.author, discord.Member)

    def thread_create(self, d: dict[str, Any]) -> None:
        self.state.parse_thread_create(d)
        thread = self.guild().get_thread(int(d["id"]))
        assert thread is not None and thread.name == d["name"]
        self.channel(d)

    def thread_update(self, d: dict[str, Any]) -> None:
        self.state.parse_thread_update(d)
        self.channel(d)

    def channel_event(self, d: dict[str, Any], parse: str) -> None:
        getattr(self.state, parse)(d)
        channel = self.guild().get_channel(int(d["id"]))
        assert channel is not None and channel.name == d["name"]
        self.channel(d)

    # -- REST responses ---------------------------------------------------------------------

    def commands(self, d: list[dict[str, Any]]) -> None:
        for c in d:
            command = app_commands.AppCommand(data=c, state=self.state)  # type: ignore[arg-type]
            assert command.name == c["name"] and command.id == int(c["id"])
            _walk(command.options, c.get("options", []))

    def callback(self, d: dict[str, Any]) -> None:
        parent = self.interactions[int(d["interaction"]["id"])]
        kind = discord.InteractionResponseType(d["resource"]["type"])
        response = discord.InteractionCallbackResponse(
            data=d,  # type: ignore[arg-type]
            parent=parent,
            state=self.state,
            type=kind,
        )
        assert response.id == parent.id and response.type == kind
        message = d["resource"].get("message")
        if message is not None:
            assert response.resource is not None and response.message_id == int(message["id"])
            self.message(message)

    def webhook_message(self, d: dict[str, Any]) -> None:
        assert self.message(d).webhook_id == APP_ID

    def dm(self, d: dict[str, Any]) -> None:
        channel = self.channel(d)
        assert isinstance(channel, discord.DMChannel) and channel.recipient is not None
        assert channel.recipient.id == int(d["recipients"][0]["id"])

    def error(self, d: dict[str, Any], status: int) -> None:
        error = discord.HTTPException(HttpResponse(status), d)  # type: ignore[arg-type]
        assert error.code == d["code"] and error.text == d["message"]

    def too_many(self, d: dict[str, Any]) -> None:
        # discord.py's 429 path reads exactly these (http.py, HTTPClient.request).
        assert float(d["retry_after"]) >= 0 and isinstance(d["global"], bool) and d["message"]

    def gateway_bot(self, d: dict[str, Any]) -> None:
        limits = SessionStartLimits(**d["session_start_limit"])
        assert limits.remaining > 0 and d["shards"] >= 1
        assert yarl.URL(d["url"]).scheme in ("ws", "wss")

    # -- the table --------------------------------------------------------------------------

    def table(self) -> dict[str, Callable[[Emitted], None]]:
        s = self
        return {
            "READY": lambda e: s.ready(e.payload),
            "GUILD_CREATE": lambda e: s.guild_create(e.payload),
            "INTERACTION_CREATE": lambda e: s.interaction_create(e.payload),
            "MESSAGE_CREATE": lambda e: s.message_create(e.payload),
            "THREAD_CREATE": lambda e: s.thread_create(e.payload),
            "THREAD_UPDATE": lambda e: s.thread_update(e.payload),
            "CHANNEL_CREATE": lambda e: s.channel_event(e.payload, "parse_channel_create"),
            "CHANNEL_UPDATE": lambda e: s.channel_event(e.payload, "parse_channel_update"),
            "RESUMED": lambda e: s.state.parse_resumed(e.payload),
            "GET /users/@me": lambda e: _bot_user(s, e.payload),
            "GET /oauth2/applications/@me": lambda e: _app_info(s, e.payload),
            "GET /gateway/bot": lambda e: s.gateway_bot(e.payload),
            "PUT /applications/{}/commands": lambda e: s.commands(e.payload),
            "PUT /applications/{}/guilds/{}/commands": lambda e: s.commands(e.payload),
            "POST /interactions/{}/{}/callback": lambda e: s.callback(e.payload),
            "POST /webhooks/{}/{}": lambda e: s.webhook_message(e.payload),
            "PATCH /webhooks/{}/{}/messages/@original": lambda e: s.webhook_message(e.payload),
            "GET /webhooks/{}/{}/messages/@original": lambda e: s.webhook_message(e.payload),
            "POST /users/@me/channels": lambda e: s.dm(e.payload),
            "POST /channels/{}/messages": lambda e: s.message(e.payload) and None,
            "PATCH /channels/{}/messages/{}": lambda e: s.message(e.payload) and None,
            "POST /channels/{}/threads": lambda e: s.channel(e.payload) and None,
            "GET /channels/{}": lambda e: s.channel(e.payload) and None,
            "PATCH /channels/{}": lambda e: s.channel(e.payload) and None,
            "POST /guilds/{}/channels": lambda e: s.channel(e.payload) and None,
            "error": lambda e: s.error(e.payload, e.status),
            "429": lambda e: s.too_many(e.payload),
        }


def check_all(fake: FakeDiscord, emitted: list[Emitted] | None = None) -> set[str]:
    """Parse every emitted payload in order; returns the kinds seen. Fails on a payload
    discord.py cannot read, reads differently, or on a kind nobody knows how to check."""
    parsers = Parsers(fake)
    table = parsers.table()
    seen: set[str] = set()
    try:
        for n, item in enumerate(emitted if emitted is not None else fake.emitted):
            assert item.kind in table, f"no parser for {item.kind}: add one to payload_check"
            try:
                table[item.kind](item)
            except Exception as error:
                raise AssertionError(f"#{n} {item.kind} does not parse: {error!r}") from error
            seen.add(item.kind)
    finally:
        task = parsers.state._ready_task
        if task is not None:
            task.cancel()
    return seen


def known_kinds() -> set[str]:
    return set(Parsers(FakeDiscord()).table())


def _id(raw: Any) -> int | None:
    return int(raw) if raw is not None else None


def _bot_user(p: Parsers, d: dict[str, Any]) -> None:
    me = discord.ClientUser(state=p.state, data=d)  # type: ignore[arg-type]
    assert me.id == BOT_ID and me.bot


def _app_info(p: Parsers, d: dict[str, Any]) -> None:
    info = discord.AppInfo(p.state, d)  # type: ignore[arg-type]
    assert info.id == APP_ID and info.owner.id == int(d["owner"]["id"])


def _focused(options: list[dict[str, Any]]) -> dict[str, Any]:
    for o in options:
        if o.get("focused"):
            return o
        found = _focused(o.get("options", []))
        if found:
            return found
    return {}


def _walk(parsed: list[Any], raw: list[dict[str, Any]]) -> None:
    """Sub-commands, groups and arguments with their localizations, level by level."""
    assert [o.name for o in parsed] == [o["name"] for o in raw]
    for o, r in zip(parsed, raw, strict=True):
        names = {k.value: v for k, v in o.name_localizations.items()}
        assert names == (r.get("name_localizations") or {}), (names, r)
        if isinstance(o, app_commands.AppCommandGroup):
            _walk(o.options, r.get("options", []))


def _submitted(i: discord.Interaction[Any], data: dict[str, Any]) -> dict[str, Any]:
    """A modal submission read the way discord.py reads one into its own Modal's items."""
    modal = discord.ui.Modal(title="check", custom_id=data["custom_id"])
    items: dict[str, discord.ui.TextInput[Any] | discord.ui.Select[Any]] = {}
    for top in data["components"]:
        inner = top.get("component")
        if inner is None:
            continue
        item: discord.ui.TextInput[Any] | discord.ui.Select[Any]
        if inner["type"] == 4:
            item = discord.ui.TextInput(label="x", custom_id=inner["custom_id"], required=False)
        else:
            item = discord.ui.Select(custom_id=inner["custom_id"])
        modal.add_item(discord.ui.Label(text="x", component=item))
        items[inner["custom_id"]] = item
    modal._refresh(i, data["components"], {})
    out: dict[str, Any] = {}
    for top in data["components"]:
        inner = top.get("component")
        if inner is None:
            continue
        item = items[inner["custom_id"]]
        got = item.value if isinstance(item, discord.ui.TextInput) else item.values
        assert got == inner.get("value", inner.get("values")), (got, inner)
        out[inner["custom_id"]] = got
    return out
