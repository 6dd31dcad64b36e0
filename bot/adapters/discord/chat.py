"""DiscordChat: the ChatPort over Discord's REST API (DMs, channel posts, private threads)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
import discord
from discord.http import HTTPClient, Route

from bot.adapters.discord import render
from bot.core.model import ConversationRef, MessageRef, UserRef
from bot.core.ports import Cause, DeliveryError, OutMessage

log = logging.getLogger(__name__)
CANNOT_DM = 50007
DM_TOO_FAST = 40003
# Discord's JSON error codes, by what they mean for a delivery (dead letters are counted by it).
CAUSES: dict[int, Cause] = {
    50001: "not_in_channel",  # Missing Access: the bot cannot see the channel
    50013: "missing_permission",  # Missing Permissions: it sees it, may not post
    CANNOT_DM: "dm_closed",
    50083: "archived",  # operation on an archived thread
    10003: "gone",  # Unknown Channel
    10013: "account_inactive",  # Unknown User: the account was deleted
}
GUILD_TEXT, PRIVATE_THREAD = 0, 12
THREAD_TYPES = (10, 11, 12)
ROLE, MEMBER = 0, 1  # permission overwrite target types
VIEW_CHANNEL, SEND_MESSAGES, READ_HISTORY, ATTACH_FILES = 1 << 10, 1 << 11, 1 << 16, 1 << 15
# Everything that writes in a channel, refused to members once their space is closed.
WRITE = SEND_MESSAGES | (1 << 6) | (1 << 35) | (1 << 36) | (1 << 38)
SawRateLimit = Callable[[float], None]


class Pacer:
    """At most one call per `interval` seconds on average, in arrival order (a DM fan-out must
    stay well under the global 50/s and Discord's undocumented DM anti-spam). The schedule is
    kept, not restarted from each wake-up: a caller woken late (a busy event loop) leaves the
    next one less to wait, so late wake-ups do not add up to a slower rate. Two calls may
    then come closer than `interval`, never more than `2 + elapsed / interval` in a stretch."""

    def __init__(
        self,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._lock = asyncio.Lock()
        self._next = 0.0

    async def wait(self) -> None:
        async with self._lock:
            delay = self._next - self.clock()
            if delay > 0:
                await self.sleep(delay)
                self._next += self.interval  # on schedule, however late this wake-up was
            else:  # idle (or more than an interval behind): the schedule starts again now
                self._next = self.clock() + self.interval


class DiscordChat:
    """Sends through discord.py's HTTPClient (its buckets and global lock) with raw payloads
    built by `render`. Attach the client's `http` before the dispatcher delivers."""

    platform = "discord"

    def __init__(
        self,
        dm_per_second: float = 20.0,
        dm_opens_per_second: float = 2.0,
        subgroup_category_id: int = 0,
    ) -> None:
        self.http: HTTPClient | None = None
        self.me = ""  # the bot's user id, set once connected (private channels let it in)
        self.subgroup_category_id = subgroup_category_id
        self._spaces: dict[tuple[str, str, frozenset[str]], str] = {}
        # Set by whoever counts 429s (the app's metrics); see `rate_limit_trace`.
        self.on_rate_limited: SawRateLimit | None = None
        self._dm_channels: dict[str, str] = {}
        self._dm_pacer = Pacer(1.0 / dm_per_second)
        self._open_pacer = Pacer(1.0 / dm_opens_per_second)

    def saw_rate_limit(self, retry_after: float) -> None:
        if self.on_rate_limited is not None:
            self.on_rate_limited(retry_after)

    def rate_limit_trace(self) -> aiohttp.TraceConfig:
        """discord.py waits out most 429s inside its HTTPClient, out of our sight: this trace on
        its aiohttp session (its documented `http_trace` option) reports every one."""
        trace = aiohttp.TraceConfig()

        async def on_end(
            _session: aiohttp.ClientSession,
            _context: object,
            params: aiohttp.TraceRequestEndParams,
        ) -> None:
            if params.response.status == 429:
                self.saw_rate_limit(_header_seconds(params.response.headers))

        trace.on_request_end.append(on_end)
        return trace

    def _client(self) -> HTTPClient:
        if self.http is None:
            raise DeliveryError(
                "discord client not connected",
                permanent=False,
                retry_after=5.0,
                cause="unavailable",
            )
        return self.http

    async def _request(self, route: Route, **kwargs: Any) -> Any:
        """One REST call; Discord's errors become DeliveryErrors the dispatcher understands."""
        try:
            return await self._client().request(route, **kwargs)
        except discord.RateLimited as error:
            retry = error.retry_after
            raise DeliveryError("rate_limited", permanent=False, retry_after=retry) from error
        except discord.Forbidden as error:
            cause = CAUSES.get(error.code)
            raise DeliveryError(f"forbidden:{error.code}", permanent=True, cause=cause) from error
        except discord.NotFound as error:
            cause = CAUSES.get(error.code, "gone")
            raise DeliveryError(f"not_found:{error.code}", permanent=True, cause=cause) from error
        except discord.DiscordServerError as error:
            raise DeliveryError(f"server:{error.status}", permanent=False) from error
        except discord.HTTPException as error:
            if error.status == 429:  # discord.py gave up after its own retries
                retry = _retry_after(error)
                raise DeliveryError("rate_limited", permanent=False, retry_after=retry) from error
            if error.code == DM_TOO_FAST:
                raise DeliveryError("dm_too_fast", permanent=False, retry_after=60.0) from error
            # Any other 4xx is a payload the bot built wrongly: retrying cannot help.
            revoked: Cause | None = "access_revoked" if error.status == 401 else None
            reason = f"http:{error.status}:{error.code}"
            raise DeliveryError(reason, permanent=True, cause=revoked) from error

    async def _send(self, channel: str, msg: OutMessage) -> str:
        last = ""
        for part, body in enumerate(render.message_payloads(msg)):
            # The dispatcher's delivery key makes a retried row reuse its nonce; without one
            # (ephemeral paths) a hash of the body still catches a resend of the same message.
            key = f"{msg.idempotency_key}:{part}" if msg.idempotency_key else ""
            nonce = key[:25] if key else render.nonce(channel, body, part)
            body = {**body, "nonce": nonce, "enforce_nonce": True}
            route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel)
            if "attachments" in body:
                files = [discord.File(io.BytesIO(i.png), filename=i.name) for i in msg.images]
                form: list[dict[str, Any]] = [{"name": "payload_json", "value": json.dumps(body)}]
                form += [
                    {
                        "name": f"files[{n}]",
                        "value": f.fp,
                        "filename": f.filename,
                        "content_type": "image/png",
                    }
                    for n, f in enumerate(files)
                ]
                data = await self._request(route, files=files, form=form)
            else:
                data = await self._request(route, json=body)
            last = str(data["id"])
        return last

    async def post(self, to: ConversationRef, msg: OutMessage) -> MessageRef:
        return MessageRef(to, await self._send(to.channel, msg))

    async def _dm_channel(self, user: UserRef) -> str:
        cached = self._dm_channels.get(user.user)
        if cached is not None:
            return cached
        await self._open_pacer.wait()
        route = Route("POST", "/users/@me/channels")
        data = await self._request(route, json={"recipient_id": user.user})
        self._dm_channels[user.user] = str(data["id"])
        return str(data["id"])

    async def send_direct(self, user: UserRef, msg: OutMessage) -> MessageRef:
        channel = await self._dm_channel(user)
        await self._dm_pacer.wait()
        mid = await self._send(channel, msg)
        return MessageRef(ConversationRef(self.platform, user.workspace, channel), mid)

    async def edit(self, ref: MessageRef, msg: OutMessage) -> None:
        body = render.message_payloads(msg)[0]
        body.setdefault("components", [])
        route = Route(
            "PATCH",
            "/channels/{channel_id}/messages/{message_id}",
            channel_id=ref.conversation.channel,
            message_id=ref.message_id,
        )
        await self._request(route, json=body)

    async def open_space(
        self, parent: ConversationRef, name: str, members: Sequence[UserRef]
    ) -> ConversationRef:
        """A private thread under the channel (nobody but its members and moderators sees it,
        nobody else can invite), or a private channel under the configured category."""
        # A retry after a partial failure (a member not added yet) reuses the space this
        # process already created instead of opening a second one.
        key = (parent.channel, name, frozenset(m.user for m in members))
        space = self._spaces.get(key)
        if space is None:
            if self.subgroup_category_id:
                space = await self._create_channel(parent, name, members)
            else:
                space = await self._create_thread(parent, name)
            self._spaces[key] = space
        if not self.subgroup_category_id:
            for m in members:
                route = Route(
                    "PUT",
                    "/channels/{channel_id}/thread-members/{user_id}",
                    channel_id=space,
                    user_id=m.user,
                )
                await self._request(route)
        return ConversationRef(parent.platform, parent.workspace, space)

    async def _create_thread(self, parent: ConversationRef, name: str) -> str:
        route = Route("POST", "/channels/{channel_id}/threads", channel_id=parent.channel)
        body = {
            "name": render.shorten(name, 100),
            "type": PRIVATE_THREAD,
            "invitable": False,
            "auto_archive_duration": 10080,
        }
        return str((await self._request(route, json=body))["id"])

    async def _create_channel(
        self, parent: ConversationRef, name: str, members: Sequence[UserRef]
    ) -> str:
        """Hidden from @everyone, open to the bot and each member: membership is the channel's
        permission overwrites, set in the same call that creates it."""
        see = VIEW_CHANNEL | SEND_MESSAGES | READ_HISTORY
        overwrites = [
            render.overwrite(parent.workspace, ROLE, deny=VIEW_CHANNEL),
            render.overwrite(self.me, MEMBER, allow=see | ATTACH_FILES),
            *(render.overwrite(m.user, MEMBER, allow=see) for m in members),
        ]
        body = {
            "name": render.channel_name(name),
            "type": GUILD_TEXT,
            "parent_id": str(self.subgroup_category_id),
            "permission_overwrites": overwrites,
        }
        route = Route("POST", "/guilds/{guild_id}/channels", guild_id=parent.workspace)
        return str((await self._request(route, json=body))["id"])

    async def close_space(self, space: ConversationRef) -> None:
        """Archived and locked: a thread is archived and locked; a private channel keeps its
        history readable by its members but nobody can write in it any more."""
        self._spaces = {k: v for k, v in self._spaces.items() if v != space.channel}
        route = Route("GET", "/channels/{channel_id}", channel_id=space.channel)
        channel = await self._request(route)
        patch = Route("PATCH", "/channels/{channel_id}", channel_id=space.channel)
        if channel["type"] in THREAD_TYPES:
            await self._request(patch, json={"archived": True, "locked": True})
            return
        read_only = [
            render.overwrite(o["id"], MEMBER, allow=VIEW_CHANNEL | READ_HISTORY, deny=WRITE)
            if o["type"] == MEMBER and str(o["id"]) != self.me
            else o
            for o in channel.get("permission_overwrites", [])
        ]
        await self._request(patch, json={"permission_overwrites": read_only})


def _header_seconds(headers: Any) -> float:
    """How long a 429 asks to wait: X-RateLimit-Reset-After (fractional), else Retry-After."""
    for name in ("X-RateLimit-Reset-After", "Retry-After"):
        try:
            return float(headers[name])
        except (KeyError, TypeError, ValueError):
            continue
    return 1.0


def _retry_after(error: discord.HTTPException) -> float:
    try:
        return float(error.response.headers.get("Retry-After", "1"))
    except (TypeError, ValueError):
        return 1.0
