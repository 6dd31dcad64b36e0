"""Each ChatPort with what its people see: the memory chat, Slack and Discord over their fakes.

A harness builds the port as production does (the real slack-sdk and discord.py clients
over sockets, against tests/fakes) and reads the fake's record the way a person would see
the conversation: the text of each message as it stands now, its buttons, its files, who
may see and write in a space. The contract suite asks the same questions of every one."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import discord
import discord.gateway
import discord.http
from fakes.discord_gateway import FakeDiscord
from fakes.discord_rest import BOT_ID, SEND_MESSAGES, TOKEN, VIEW_CHANNEL
from fakes.slack_api import FakeSlack

from bot.adapters.discord.chat import DiscordChat
from bot.adapters.memory import MemoryChat
from bot.adapters.slack.chat import SlackChat
from bot.adapters.slack.web import make_client
from bot.core.model import ConversationRef, Locale, UserId, UserRef
from bot.core.ports import ChatPort, KnowsLanguages
from bot.wiring.discord import point_at

PLATFORMS = ("memory", "slack", "discord-thread", "discord-channel")


@dataclass
class Seen:
    """One message as its audience sees it now (after any edit)."""

    text: str
    buttons: list[str] = field(default_factory=list)  # action ids, in order
    files: list[str] = field(default_factory=list)  # file names


class Harness:
    """One port, a channel the bot was added to, and the view of its people."""

    port: ChatPort
    channel: ConversationRef

    def person(self, name: str, locale: Locale = "fr") -> UserRef:
        raise NotImplementedError

    def seen_in(self, conversation: ConversationRef) -> list[Seen]:
        """Every message of the conversation, oldest first."""
        raise NotImplementedError

    def who_sees(self, space: ConversationRef) -> set[str]:
        """The people (never the bot) who can read the space."""
        raise NotImplementedError

    def may_write(self, space: ConversationRef, user: UserRef) -> bool:
        raise NotImplementedError

    def shut_out(self, user: UserRef) -> None:
        """The person can no longer be written to (closed DMs, a deactivated account)."""
        raise NotImplementedError

    def channel_without_bot(self) -> ConversationRef:
        raise NotImplementedError

    def texts_in(self, conversation: ConversationRef) -> list[str]:
        return [m.text for m in self.seen_in(conversation)]


class MemoryHarness(Harness):
    def __init__(self) -> None:
        self.chat = MemoryChat()
        self.port = self.chat
        self.channel = ConversationRef("memory", "W1", "C1")

    def person(self, name: str, locale: Locale = "fr") -> UserRef:
        self.chat.locales[UserId(name)] = locale
        return UserRef("memory", "W1", UserId(name))

    def seen_in(self, conversation: ConversationRef) -> list[Seen]:
        channel = conversation.channel
        where = (
            f"@{channel.removeprefix('D-')}"
            if channel.startswith("D-")
            else f"space:{channel}"
            if channel in self.chat.spaces
            else f"#{channel}"
        )
        shown: dict[str, Seen] = {}
        for d in self.chat.log:
            m = d.message
            now = Seen(m.plain(), [b.action_id for b in m.buttons], [f.name for f in m.files])
            if d.where == where or (d.where == f"edit:{d.message_id}" and d.message_id in shown):
                shown[d.message_id] = now
        return list(shown.values())

    def who_sees(self, space: ConversationRef) -> set[str]:
        return set(self.chat.spaces[space.channel][1])

    def may_write(self, space: ConversationRef, user: UserRef) -> bool:
        _name, members, open_ = self.chat.spaces[space.channel]
        return open_ and user.user in members

    def shut_out(self, user: UserRef) -> None:
        self.chat.unreachable.add(user.user)

    def channel_without_bot(self) -> ConversationRef:
        self.chat.outside.add("C-elsewhere")
        return ConversationRef("memory", "W1", "C-elsewhere")


class SlackHarness(Harness):
    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        fake.add_channel("C1", "equipe")
        fake.join("C1")
        self.chat = SlackChat(
            make_client(fake.base_url, "xoxb-test", rate_limit_retries=0),
            self._token,
            pace_seconds=0.0,
        )
        self.port = self.chat
        self.channel = ConversationRef("slack", fake.team, "C1")
        self._ids = itertools.count(1)

    async def _token(self, team: str) -> str | None:
        return "xoxb-test"

    def person(self, name: str, locale: Locale = "fr") -> UserRef:
        user = f"U{name.upper()}{next(self._ids)}"
        self.fake.add_user(user, name, locale=f"{locale}-{locale.upper()}")
        return UserRef("slack", self.fake.team, UserId(user))

    def seen_in(self, conversation: ConversationRef) -> list[Seen]:
        channel = conversation.channel
        files = [f for f in self.fake.files if f.get("channel") == channel and f.get("done")]
        seen = [
            Seen(
                "".join(b["text"]["text"] for b in m["blocks"] if b["type"] == "section"),
                [e["action_id"] for b in m["blocks"] for e in b.get("elements", [])],
            )
            for m in self.fake.messages_in(channel)
        ]
        if seen and files:  # a message's images follow it in its thread
            seen[-1].files = [str(f["filename"]) for f in files]
        return seen

    def who_sees(self, space: ConversationRef) -> set[str]:
        channel = self.fake.channels[space.channel]
        return {u for u in channel["members"] if u != "UBOT"}

    def may_write(self, space: ConversationRef, user: UserRef) -> bool:
        channel = self.fake.channels[space.channel]
        return not channel["archived"] and user.user in channel["members"]

    def shut_out(self, user: UserRef) -> None:
        self.fake.deactivate(user.user)

    def channel_without_bot(self) -> ConversationRef:
        self.fake.add_channel("C9", "ailleurs")
        return ConversationRef("slack", self.fake.team, "C9")


class DiscordHarness(Harness):
    def __init__(self, fake: FakeDiscord, client: discord.Client, in_channels: bool) -> None:
        self.fake = fake
        category = fake.category_id if in_channels else 0
        self.chat = DiscordChat(
            dm_per_second=1000.0, dm_opens_per_second=1000.0, subgroup_category_id=category
        )
        self.chat.http, self.chat.me = client.http, str(BOT_ID)
        self.port = self.chat
        self.channel = ConversationRef("discord", str(fake.guild_id), str(fake.channel_id))

    def person(self, name: str, locale: Locale = "fr") -> UserRef:
        return UserRef("discord", str(self.fake.guild_id), UserId(str(self.fake.add_user(name))))

    def seen_in(self, conversation: ConversationRef) -> list[Seen]:
        return [
            Seen(
                str(m.get("content", "")),
                [c["custom_id"] for row in m.get("components", []) for c in row["components"]],
                [str(a["filename"]) for a in m.get("attachments", [])],
            )
            for m in self.fake.messages.get(int(conversation.channel), [])
        ]

    def _people(self) -> list[int]:
        return [u for u in self.fake.users if u != BOT_ID]

    def who_sees(self, space: ConversationRef) -> set[str]:
        sid = int(space.channel)
        if sid in self.fake.threads:  # a private thread: its members only
            return {str(u) for u in self.fake.threads[sid]["members"]}
        return {str(u) for u in self._people() if self.fake.can(u, sid, VIEW_CHANNEL)}

    def may_write(self, space: ConversationRef, user: UserRef) -> bool:
        sid, uid = int(space.channel), int(user.user)
        thread = self.fake.threads.get(sid)
        if thread is not None:
            return bool(uid in thread["members"] and not (thread["archived"] or thread["locked"]))
        return self.fake.can(uid, sid, SEND_MESSAGES)

    def shut_out(self, user: UserRef) -> None:
        self.fake.closed_dms.add(int(user.user))

    def channel_without_bot(self) -> ConversationRef:
        self.fake.set_overwrite(self.fake.channel_id, BOT_ID, deny=VIEW_CHANNEL)
        return self.channel


async def harness(platform: str) -> AsyncIterator[Harness]:
    """The harness for one platform, its fake started and stopped around it."""
    if platform == "memory":
        yield MemoryHarness()
    elif platform == "slack":
        fake = await FakeSlack().start()
        slack = SlackHarness(fake)
        try:
            yield slack
        finally:
            await slack.chat.close()
            await fake.stop()
    else:
        async for found in _discord(platform == "discord-channel"):
            yield found


async def _discord(in_channels: bool) -> AsyncIterator[Harness]:
    # point_at sets two class attributes of discord.py: put them back for the next test.
    base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    fake = await FakeDiscord().start()
    point_at(fake.api_base, fake.ws_url)
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(TOKEN)  # REST only: the port never needs the gateway
        yield DiscordHarness(fake, client, in_channels)
    finally:
        await client.close()
        await fake.stop()
        discord.http.Route.BASE = base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


def languages_of(port: ChatPort) -> KnowsLanguages | None:
    """The port as one that reports a person's language, when it is one."""
    return port if isinstance(port, KnowsLanguages) else None


def describe(seen: list[Seen]) -> str:
    """For a failure message: what the conversation holds."""
    return json.dumps([vars(s) for s in seen], ensure_ascii=False, indent=1)
