"""The fake Discord's state and REST API: what a bot can ask of Discord over HTTP."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import discord_payloads as P

GUILD_ID = 900_000_000_000_000_001
CATEGORY_ID = GUILD_ID + 2  # a category of the guild ("TST"), for private channels
APP_ID = 700_000_000_000_000_001
BOT_ID = APP_ID
TOKEN = "fake-bot-token"
JSON = {"Content-Type": "application/json"}  # discord.py parses only this exact content type
ACK_WINDOW = 3.0
# Gateway intents the fake honours when it dispatches events (discord-api-docs, gateway.mdx).
GUILDS, GUILD_MESSAGES, DIRECT_MESSAGES = 1 << 0, 1 << 9, 1 << 12
VIEW_CHANNEL, SEND_MESSAGES = 1 << 10, 1 << 11
# Ids and interaction tokens in a path, so that every route has one name ("POST /channels/{}/…").
PATH_IDS = re.compile(r"/(?:\d+|itoken-\d+)(?=/|$)")


@dataclass
class Call:
    """One REST request the fake received, with its decoded JSON body (or payload_json)."""

    method: str
    path: str
    body: Any
    status: int = 200
    files: list[str] = field(default_factory=list)
    at: float = field(default_factory=time.monotonic)
    types: list[str] = field(default_factory=list)  # each file's Content-Type, as sent


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart request."""

    field: str
    filename: str
    size: int
    content_type: str


MAX_UPLOAD = 10 * 1024 * 1024  # what Discord takes in one request without a boost


@dataclass
class Emitted:
    """One payload the fake sent: a gateway dispatch (`kind` is its event name) or a REST
    response body (`kind` is "METHOD /route/{}"). tests/discord/test_payloads.py parses each
    one with discord.py."""

    kind: str
    payload: Any
    status: int = 200


@dataclass
class Interaction:
    id: int
    token: str
    created: float
    acks: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    def settled(self) -> bool:
        """Answered for good: a message, modal or choices, or a deferral then its outcome."""
        kinds = {a["type"] for a in self.acks}
        return bool(kinds & {4, 7, 8, 9}) or (
            bool(kinds) and (bool(self.followups) or self.deleted)
        )


@dataclass
class RateLimit:
    pattern: re.Pattern[str]
    retry_after: float
    is_global: bool
    remaining: int  # how many more 429s to serve


class DiscordRest:
    """Guild, channels, threads, DMs, messages, commands and interactions, behind REST routes.
    The gateway half (discord_gateway.FakeDiscord) delivers the events REST calls cause."""

    def __init__(self, guild_id: int, members: int) -> None:
        self.guild_id = guild_id
        self.channel_id = guild_id + 1
        self.category_id = guild_id + CATEGORY_ID - GUILD_ID
        self.ids = itertools.count(guild_id + 1000)
        self.users: dict[int, str] = {BOT_ID: "tst-bot"}
        self.channels: dict[int, dict[str, Any]] = {
            self.channel_id: {"type": P.GUILD_TEXT, "name": "equipe", "parent_id": None},
            self.category_id: {"type": P.CATEGORY, "name": "TST", "parent_id": None},
        }
        self.calls: list[Call] = []
        self.emitted: list[Emitted] = []
        self.messages: dict[int, list[dict[str, Any]]] = {self.channel_id: []}
        self.dm_channels: dict[int, int] = {}
        self.closed_dms: set[int] = set()
        self.threads: dict[int, dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.interactions: dict[int, Interaction] = {}
        self.limits: list[RateLimit] = []
        self.ack_window = ACK_WINDOW
        self.token = TOKEN
        # What @everyone may do in the guild (Discord's default for a new server); a test
        # lowers it to see the bot miss a permission.
        self.everyone_permissions = 1071698660929
        self.bot_role_id = guild_id + 3
        self.bot_role_permissions = 360777354240  # the README's invite integer
        self.changed = asyncio.Condition()
        self._nonces: dict[tuple[int, str], dict[str, Any]] = {}
        self._events: list[tuple[str, dict[str, Any], int]] = []
        for _ in range(members):
            self.add_user()

    # -- state ------------------------------------------------------------------------------

    def add_user(self, name: str = "") -> int:
        uid = next(self.ids)
        self.users[uid] = name or f"user{len(self.users)}"
        return uid

    def next_id(self) -> int:
        return next(self.ids)

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until `predicate()` is truthy (checked on every change), and return its value."""
        async with asyncio.timeout(timeout):
            async with self.changed:
                while not (value := predicate()):
                    await self.changed.wait()
                return value

    def rate_limit(
        self, pattern: str, retry_after: float = 0.05, is_global: bool = False, times: int = 1
    ) -> None:
        """The next `times` requests whose "METHOD /path" matches get a 429."""
        self.limits.append(RateLimit(re.compile(pattern), retry_after, is_global, times))

    def _event(self, t: str, d: dict[str, Any], intent: int) -> None:
        """Queue a gateway event a REST call caused; sent once the response is built."""
        self._events.append((t, d, intent))

    async def broadcast(self, t: str, d: dict[str, Any], intent: int) -> None:
        raise NotImplementedError  # the gateway half sends it to the sessions that asked

    # -- HTTP -------------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> tuple[Any, list[Upload]]:
        if request.content_type.startswith("multipart/"):
            body: Any = None
            files: list[Upload] = []
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    data = await part.read()  # type: ignore[union-attr]
                    files.append(
                        Upload(
                            part.name or "",
                            part.filename or "",  # type: ignore[union-attr]
                            len(data),
                            part.headers.get("Content-Type", ""),
                        )
                    )
            return body, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), []

    def _refused_upload(self, body: Any, files: list[Upload]) -> dict[str, Any] | None:
        """What Discord answers a message with files it will not take: more than ten, over
        the size limit, a part not named files[n] or without a file name, an attachment in
        payload_json that points at no uploaded file."""
        if not files:
            return None
        if sum(f.size for f in files) > MAX_UPLOAD:
            return {"code": 40005, "message": "Request entity too large"}
        invalid = {"code": 50035, "message": "Invalid Form Body"}
        if len(files) > 10:
            return invalid | {"errors": {"files": "BASE_TYPE_MAX_LENGTH"}}
        fields = set()
        for f in files:
            m = re.fullmatch(r"files\[(\d+)\]", f.field)
            if m is None or not f.filename:
                return invalid | {"errors": {f.field: "BASE_TYPE_REQUIRED"}}
            fields.add(int(m.group(1)))
        for a in (body or {}).get("attachments", []):
            if int(a.get("id", -1)) not in fields:
                return invalid | {"errors": {"attachments": "ATTACHMENT_NOT_FOUND"}}
        return None

    def _limited(self, key: str) -> web.Response | None:
        for limit in self.limits:
            if limit.remaining > 0 and limit.pattern.search(key):
                limit.remaining -= 1
                body = {"message": "You are being rate limited.", "retry_after": limit.retry_after}
                body["global"] = limit.is_global
                self.emitted.append(Emitted("429", body, 429))
                headers = {
                    **JSON,
                    "Via": "1.1 google",  # without it discord.py takes a 429 for a Cloudflare ban
                    "Retry-After": str(limit.retry_after),
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": str(limit.retry_after),
                    "X-RateLimit-Bucket": "fake-bucket",
                    "X-RateLimit-Scope": "global" if limit.is_global else "user",
                }
                if limit.is_global:
                    headers["X-RateLimit-Global"] = "true"
                return web.Response(status=429, body=json.dumps(body).encode(), headers=headers)
        return None

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, uploads = await self._body(request)
        files = [(f.filename, f.size) for f in uploads]
        call = Call(request.method, path, body, files=[f.filename for f in uploads])
        call.types = [f.content_type for f in uploads]
        self.calls.append(call)
        refused = self._refused_upload(body, uploads)
        if refused is not None:
            call.status = 413 if refused["code"] == 40005 else 400
            self.emitted.append(Emitted("error", refused, call.status))
            await self._notify()
            return web.Response(status=call.status, body=json.dumps(refused).encode(), headers=JSON)
        limited = self._limited(f"{request.method} {path}")
        if limited is not None:
            call.status = 429
            await self._notify()
            return limited
        try:
            if not self._authorised(path, request.headers.get("Authorization", "")):
                status, out = 401, {"message": "401: Unauthorized", "code": 0}
            else:
                status, out = self._route(request.method, path, body, request.query, files)
        except KeyError:
            status, out = 404, {"code": 10003, "message": f"Unknown {path}"}
        call.status = status
        if out is not None:
            kind = "error" if status >= 400 else f"{request.method} {PATH_IDS.sub('/{}', path)}"
            self.emitted.append(Emitted(kind, out, status))
        events, self._events = self._events, []
        for t, d, intent in events:
            await self.broadcast(t, d, intent)
        await self._notify()
        if status == 204:
            return web.Response(status=204)
        return web.Response(status=status, body=json.dumps(out).encode(), headers=JSON)

    def _authorised(self, path: str, header: str) -> bool:
        """Discord refuses a bot route without the bot's token; interaction callbacks and
        webhooks are authorised by the token in their path instead."""
        if path.startswith(("/interactions/", "/webhooks/")):
            return True
        return header == f"Bot {self.token}"

    def _route(
        self, method: str, path: str, body: Any, query: Any, files: list[tuple[str, int]]
    ) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        match method, parts:
            case "GET", ["users", "@me"]:
                return 200, P.user(BOT_ID, self.users[BOT_ID], bot=True)
            case "GET", ["oauth2", "applications", "@me"]:
                return 200, P.application()
            case "GET", ["applications", _, "commands"]:
                return 200, self.commands.get("global", [])
            case "GET", ["applications", _, "guilds", gid, "commands"]:
                return 200, self.commands.get(gid, [])
            case "GET", ["guilds", gid, "roles"] if int(gid) == self.guild_id:
                return 200, P.guild(self)["roles"]
            case "GET", ["guilds", gid, "members", uid] if int(gid) == self.guild_id:
                return 200, P.member(self, int(uid))
            case "GET", ["guilds", _, *_]:
                return 404, {"code": 10004, "message": "Unknown Guild"}
            case "GET", ["gateway", "bot"]:
                return 200, P.gateway_bot(self.ws_url)
            case "PUT", ["applications", _, "commands"]:
                return 200, self._store_commands("global", body)
            case "PUT", ["applications", _, "guilds", gid, "commands"]:
                return 200, self._store_commands(gid, body)
            case "POST", ["interactions", iid, token, "callback"]:
                return self._callback(int(iid), token, body)
            case "POST", ["webhooks", _, token]:
                return 200, self._followup(token, body)
            case (("PATCH" | "GET"), ["webhooks", _, token, "messages", _]):
                return 200, self._followup(token, body or {}, record=method == "PATCH")
            case "DELETE", ["webhooks", _, token, *_]:
                next(i for i in self.interactions.values() if i.token == token).deleted = True
                return 204, None
            case "POST", ["users", "@me", "channels"]:
                return self._open_dm(int(body["recipient_id"]))
            case "POST", ["channels", cid, "messages"] if files:
                return self._create_message(int(cid), body, files)
            case "POST", ["channels", cid, "messages"]:
                # The two-argument form is what bench/'s fakes override.
                return self._create_message(int(cid), body)
            case "PATCH", ["channels", cid, "messages", mid]:
                found = next(m for m in self.messages[int(cid)] if m["id"] == mid)
                edited = ("content", "components", "flags", "allowed_mentions")
                found.update({k: v for k, v in body.items() if k in edited})
                return 200, public(found)
            case "POST", ["channels", cid, "threads"]:
                return 201, self._create_thread(int(cid), body)
            case "PUT", ["channels", tid, "thread-members", uid]:
                self.threads[int(tid)]["members"].add(int(uid))
                return 204, None
            case "GET", ["channels", cid]:
                return 200, self._channel(int(cid))
            case "PATCH", ["channels", cid]:
                return 200, self._edit_channel(int(cid), body)
            case "POST", ["guilds", gid, "channels"] if int(gid) == self.guild_id:
                return 201, self._create_channel(body)
        raise KeyError(path)

    @property
    def ws_url(self) -> str:
        raise NotImplementedError

    # -- commands and interactions ----------------------------------------------------------

    def _store_commands(self, scope: str, body: list[dict[str, Any]]) -> list[dict[str, Any]]:
        stored = [
            {**c, "id": str(self.next_id()), "application_id": str(APP_ID), "version": "1"}
            for c in body
        ]
        if scope != "global":
            for c in stored:
                c["guild_id"] = scope
        self.commands[scope] = stored
        return stored

    def _callback(self, iid: int, token: str, body: dict[str, Any]) -> tuple[int, Any]:
        inter = self.interactions.get(iid)
        if inter is None or inter.token != token:
            return 404, {"code": 10062, "message": "Unknown interaction"}
        if inter.acks:
            return 400, {"code": 40060, "message": "Interaction has already been acknowledged."}
        if time.monotonic() - inter.created > self.ack_window:
            return 404, {"code": 10062, "message": "Unknown interaction"}
        kind = body["type"]
        data = body.get("data") or {}
        if kind == 9 and (problem := _modal_problem(data)):
            return 400, {"code": 50035, "message": f"Invalid Form Body: {problem}"}
        inter.acks.append(body)
        ephemeral = bool(data.get("flags", 0) & 64)
        out: dict[str, Any] = {
            "interaction": {
                "id": str(iid),
                "type": 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": ephemeral,
            }
        }
        if kind in (4, 7):
            msg = P.message(self, self.next_id(), self.channel_id, data)
            out["interaction"]["response_message_id"] = msg["id"]
            out["resource"] = {"type": kind, "message": msg}
        else:
            out["resource"] = {"type": kind}
        return 200, out

    def _followup(self, token: str, body: dict[str, Any], record: bool = True) -> dict[str, Any]:
        inter = next(i for i in self.interactions.values() if i.token == token)
        if record:
            inter.followups.append(body)
        return P.message(self, self.next_id(), self.channel_id, body, webhook=True)

    # -- DMs, messages, channels, threads ---------------------------------------------------

    def _open_dm(self, user: int) -> tuple[int, Any]:
        if user not in self.dm_channels:
            self.dm_channels[user] = self.next_id()
            self.messages[self.dm_channels[user]] = []
        return 200, P.dm_channel(self, self.dm_channels[user], user)

    def _create_message(
        self, cid: int, body: dict[str, Any], files: list[tuple[str, int]] | None = None
    ) -> tuple[int, Any]:
        recipient = next((u for u, c in self.dm_channels.items() if c == cid), None)
        if recipient in self.closed_dms:
            return 403, {"code": 50007, "message": "Cannot send messages to this user"}
        if cid in self.channels and not self.can(BOT_ID, cid, VIEW_CHANNEL):
            return 403, {"code": 50001, "message": "Missing Access"}
        if cid in self.channels and not self.can(BOT_ID, cid, SEND_MESSAGES):
            return 403, {"code": 50013, "message": "Missing Permissions"}
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce") and (cid, nonce) in self._nonces:
            return 200, self._nonces[(cid, nonce)]
        mid = self.next_id()
        described = {str(a["id"]): a.get("description", "") for a in body.get("attachments", [])}
        attachments = [
            P.attachment(self.next_id(), cid, name, size, described.get(str(n), ""))
            for n, (name, size) in enumerate(files or [])
        ]
        msg = P.message(self, mid, cid, body, attachments=attachments)
        # The record keeps what the bot asked Discord not to ping, for the tests to check.
        self.messages.setdefault(cid, []).append(
            {**msg, "allowed_mentions": body.get("allowed_mentions")}
        )
        if nonce is not None:
            self._nonces[(cid, nonce)] = msg
        # MESSAGE_CREATE goes only to sessions with the message intents (this bot asks none).
        self._event("MESSAGE_CREATE", P.message_create(self, msg), self._message_intent(cid))
        return 200, msg

    def _message_intent(self, cid: int) -> int:
        return DIRECT_MESSAGES if cid in self.dm_channels.values() else GUILD_MESSAGES

    def _create_thread(self, cid: int, body: dict[str, Any]) -> dict[str, Any]:
        tid = self.next_id()
        self.threads[tid] = {
            "parent_id": cid,
            "name": body["name"],
            "type": body.get("type", 11),
            "invitable": body.get("invitable", True),
            "auto_archive_duration": body.get("auto_archive_duration", 4320),
            "members": set(),
            "archived": False,
            "locked": False,
        }
        self.messages[tid] = []
        self._event("THREAD_CREATE", {**P.thread(self, tid), "newly_created": True}, GUILDS)
        return P.thread(self, tid)

    def _create_channel(self, body: dict[str, Any]) -> dict[str, Any]:
        cid = self.next_id()
        self.channels[cid] = {
            "type": body.get("type", P.GUILD_TEXT),
            "name": body["name"],
            "parent_id": int(body["parent_id"]) if body.get("parent_id") else None,
            "permission_overwrites": [
                P.overwrite(int(o["id"]), o["type"], int(o.get("allow", 0)), int(o.get("deny", 0)))
                for o in body.get("permission_overwrites", [])
            ],
        }
        self.messages[cid] = []
        self._event("CHANNEL_CREATE", P.guild_channel(self, cid), GUILDS)
        return P.guild_channel(self, cid)

    def _channel(self, cid: int) -> dict[str, Any]:
        if cid in self.threads:
            return P.thread(self, cid)
        if cid in self.channels:
            return P.guild_channel(self, cid)
        user = next(u for u, c in self.dm_channels.items() if c == cid)
        return P.dm_channel(self, cid, user)

    def _edit_channel(self, cid: int, body: dict[str, Any]) -> dict[str, Any]:
        if cid in self.threads:
            thread = self.threads[cid]
            thread.update({k: body[k] for k in ("name", "archived", "locked") if k in body})
            self._event("THREAD_UPDATE", P.thread(self, cid), GUILDS)
            return P.thread(self, cid)
        channel = self.channels[cid]
        channel.update({k: body[k] for k in ("name", "parent_id") if k in body})
        if "permission_overwrites" in body:
            channel["permission_overwrites"] = [
                P.overwrite(int(o["id"]), o["type"], int(o.get("allow", 0)), int(o.get("deny", 0)))
                for o in body["permission_overwrites"]
            ]
        self._event("CHANNEL_UPDATE", P.guild_channel(self, cid), GUILDS)
        return P.guild_channel(self, cid)

    def set_overwrite(self, cid: int, target: int, allow: int = 0, deny: int = 0) -> None:
        """A moderator edits the channel's permissions for a member (or, with the guild's id,
        for @everyone), as in Edit Channel > Permissions; `allow=deny=0` removes it."""
        channel = self.channels[cid]
        kept = [o for o in channel.get("permission_overwrites", []) if int(o["id"]) != target]
        if allow or deny:
            kind = 0 if target == self.guild_id else 1
            kept.append(P.overwrite(target, kind, allow, deny))
        channel["permission_overwrites"] = kept
        self._event("CHANNEL_UPDATE", P.guild_channel(self, cid), GUILDS)

    def can(self, user: int, cid: int, permission: int) -> bool:
        """Discord's overwrite order for a member without roles (the guild grants everything):
        the @everyone overwrite, then the member's own; nothing counts without View Channel."""
        if permission != VIEW_CHANNEL and not self.can(user, cid, VIEW_CHANNEL):
            return False
        overwrites = {int(o["id"]): o for o in self.channels[cid].get("permission_overwrites", [])}
        allowed = True
        for target in (self.guild_id, user):
            o = overwrites.get(target)
            if o is not None and int(o["deny"]) & permission:
                allowed = False
            if o is not None and int(o["allow"]) & permission:
                allowed = True
        return allowed


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A stored message as Discord returns it (without the fake's own bookkeeping)."""
    return {k: v for k, v in record.items() if k != "allowed_mentions"}


def _modal_problem(data: dict[str, Any]) -> str:
    """What Discord refuses in a modal: a title over 45 characters, a custom_id over 100,
    none or more than five components, a Label's label over 45 or description over 100, a
    select with no option or more than 25, a text input longer than 4000."""
    if not 1 <= len(data.get("title", "")) <= 45:
        return "title"
    if not 1 <= len(data.get("custom_id", "")) <= 100:
        return "custom_id"
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        return "components"
    for top in components:
        if top.get("type") != 18:
            continue
        if not 1 <= len(top.get("label", "")) <= 45 or len(top.get("description", "")) > 100:
            return "label"
        inner = top.get("component") or {}
        if inner.get("type") == 3 and not 1 <= len(inner.get("options") or []) <= 25:
            return "options"
        if inner.get("type") == 4 and inner.get("max_length", 4000) > 4000:
            return "max_length"
    return ""
