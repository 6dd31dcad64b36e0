"""A fake Discord (gateway WebSocket + REST) on 127.0.0.1 that real discord.py clients talk to."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from . import discord_payloads as P

APP_ID = 700_000_000_000_000_001
BOT_ID = APP_ID
TOKEN = "fake-bot-token"
JSON = {"Content-Type": "application/json"}  # discord.py parses only this exact content type
ACK_WINDOW = 3.0


@dataclass
class Call:
    """One REST request the fake received, with its decoded JSON body (or payload_json)."""

    method: str
    path: str
    body: Any
    status: int = 200
    files: list[str] = field(default_factory=list)


@dataclass
class Session:
    """One gateway connection; `buffer` keeps dispatched events for RESUME replays."""

    ws: web.WebSocketResponse | None
    session_id: str
    shard: tuple[int, int] = (0, 1)
    seq: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Interaction:
    id: int
    token: str
    created: float
    acks: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    def settled(self) -> bool:
        """Answered for good: a message or modal, or a deferral followed by its outcome."""
        kinds = {a["type"] for a in self.acks}
        return bool(kinds & {4, 7, 9}) or (bool(kinds) and (bool(self.followups) or self.deleted))


@dataclass
class RateLimit:
    pattern: re.Pattern[str]
    retry_after: float
    is_global: bool
    remaining: int  # how many more 429s to serve


class FakeDiscord:
    """State and recorder. Tests drive it (`slash`, `click`, `submit_modal`) and read `calls`."""

    def __init__(self, guild_id: int = 900_000_000_000_000_001, members: int = 0) -> None:
        self.guild_id = guild_id
        self.channel_id = guild_id + 1
        self.ids = itertools.count(guild_id + 1000)
        self.users: dict[int, str] = {BOT_ID: "tst-bot"}
        self.calls: list[Call] = []
        self.messages: dict[int, list[dict[str, Any]]] = {self.channel_id: []}
        self.dm_channels: dict[int, int] = {}
        self.closed_dms: set[int] = set()
        self.threads: dict[int, dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.interactions: dict[int, Interaction] = {}
        self.sessions: list[Session] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.limits: list[RateLimit] = []
        self.changed = asyncio.Condition()
        self._nonces: dict[tuple[int, str], dict[str, Any]] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0
        for _ in range(members):
            self.add_user()

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for s in self.sessions:
            if s.ws is not None:
                await s.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

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

    # -- fault injection --------------------------------------------------------------------

    def rate_limit(
        self, pattern: str, retry_after: float = 0.05, is_global: bool = False, times: int = 1
    ) -> None:
        """The next `times` requests whose "METHOD /path" matches get a 429."""
        self.limits.append(RateLimit(re.compile(pattern), retry_after, is_global, times))

    # -- gateway ----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        session: Session | None = None
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            msg = json.loads(frame.data)
            op = msg["op"]
            if op == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                session = await self._identify(ws, msg["d"])
            elif op == 6:
                session = await self._resume(ws, msg["d"])
        if session is not None and session.ws is ws:
            session.ws = None
        await self._notify()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> Session:
        self.identifies.append(d)
        shard = tuple(d.get("shard") or (0, 1))
        session = Session(ws, f"session-{len(self.sessions) + 1}", (shard[0], shard[1]))
        self.sessions.append(session)
        ready = P.ready(self, session.session_id, session.shard)
        await self._send(session, "READY", ready)
        if (self.guild_id >> 22) % session.shard[1] == session.shard[0]:
            await self._send(session, "GUILD_CREATE", P.guild(self))
        await self._notify()
        return session

    async def _resume(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> Session:
        self.resumes.append(d)
        session = next(s for s in self.sessions if s.session_id == d["session_id"])
        session.ws = ws
        for event in session.buffer:
            if event["s"] > d["seq"]:
                await ws.send_str(json.dumps(event))
        session.seq += 1
        await ws.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": session.seq, "d": {}}))
        await self._notify()
        return session

    async def _send(self, session: Session, t: str, d: dict[str, Any]) -> None:
        session.seq += 1
        event = {"op": 0, "t": t, "s": session.seq, "d": d}
        session.buffer.append(event)
        if session.ws is not None and not session.ws.closed:
            await session.ws.send_str(json.dumps(event))

    def session_for(self, guild_id: int | None) -> Session:
        """Discord routes guild events by `(guild_id >> 22) % shards`, guild-less ones to 0."""
        live = [s for s in self.sessions if s.session_id]
        count = live[-1].shard[1]
        shard = (guild_id >> 22) % count if guild_id else 0
        return [s for s in live if s.shard[0] == shard][-1]

    async def dispatch(self, t: str, d: dict[str, Any]) -> None:
        """Send an event, or buffer it for the resume if that shard is disconnected."""
        gid = d.get("guild_id")
        await self._send(self.session_for(int(gid) if gid else None), t, d)

    async def send_reconnect(self) -> None:
        """op 7: the client must reconnect and RESUME; events sent meanwhile are replayed."""
        session = self.session_for(None)
        ws, session.ws = session.ws, None
        if ws is not None:
            await ws.send_str(json.dumps({"op": 7, "d": None}))

    # -- drivers ----------------------------------------------------------------------------

    def _interaction(self, kind: int, user: int, data: dict[str, Any], dm: bool) -> dict[str, Any]:
        iid = self.next_id()
        token = f"itoken-{iid}"
        self.interactions[iid] = Interaction(iid, token, time.monotonic())
        channel = self.dm_channels.get(user) if dm else self.channel_id
        return P.interaction(self, iid, token, kind, user, data, channel, dm)

    async def slash(self, user: int, path: list[str], args: str | None = None) -> int:
        """`/tst <path...> [args:...]` as typed by `user` in the guild channel."""
        synced = [c for cs in self.commands.values() for c in cs if c["name"] == "tst"]
        assert synced, "no /tst command was synced"
        options: list[dict[str, Any]] = (
            [{"name": "args", "type": 3, "value": args}] if args is not None else []
        )
        node = synced[0]
        chain = []
        for name in path:
            node = next(o for o in node["options"] if o["name"] == name)
            chain.append(node)
        for sub in reversed(chain):
            options = [{"name": sub["name"], "type": sub["type"], "options": options}]
        data = {"id": str(synced[0]["id"]), "name": "tst", "type": 1, "options": options}
        payload = self._interaction(2, user, data, dm=False)
        await self.dispatch("INTERACTION_CREATE", payload)
        return int(payload["id"])

    async def click(self, user: int, custom_id: str, dm: bool = True) -> int:
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(3, user, data, dm)
        # discord.py finds the clicked button in the message it rides on, as Discord sends it.
        payload["message"] = self._message_with(custom_id) or P.message(
            self, self.next_id(), int(payload["channel_id"]), {}
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return int(payload["id"])

    async def submit_modal(
        self, user: int, modal: dict[str, Any], values: dict[str, Any], dm: bool = True
    ) -> int:
        """Submit a modal the bot opened, Label (type 18) shapes; select values are lists."""
        components = []
        for top in modal["components"]:
            if top["type"] == 18:
                inner = top["component"]
                value = values.get(inner["custom_id"])
                sub: dict[str, Any] = {"type": inner["type"], "custom_id": inner["custom_id"]}
                if inner["type"] == 4:
                    sub["value"] = value or ""
                else:
                    sub["values"] = list(value or [])
                components.append({"type": 18, "id": top.get("id", 0), "component": sub})
            else:
                components.append({"type": top["type"], "id": top.get("id", 0)})
        data = {"custom_id": modal["custom_id"], "components": components}
        payload = self._interaction(5, user, data, dm)
        await self.dispatch("INTERACTION_CREATE", payload)
        return int(payload["id"])

    # -- REST -------------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> tuple[Any, list[str]]:
        if request.content_type.startswith("multipart/"):
            body: Any = None
            files: list[str] = []
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    files.append(part.filename or "")  # type: ignore[union-attr]
                    await part.read()  # type: ignore[union-attr]
            return body, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), []

    def _limited(self, key: str) -> web.Response | None:
        for limit in self.limits:
            if limit.remaining > 0 and limit.pattern.search(key):
                limit.remaining -= 1
                body = {"message": "You are being rate limited.", "retry_after": limit.retry_after}
                body["global"] = limit.is_global
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
        body, files = await self._body(request)
        call = Call(request.method, path, body, files=files)
        self.calls.append(call)
        limited = self._limited(f"{request.method} {path}")
        if limited is not None:
            call.status = 429
            await self._notify()
            return limited
        try:
            status, out = self._route(request.method, path, body, request.query)
        except KeyError:
            status, out = 404, {"code": 10003, "message": f"Unknown {path}"}
        call.status = status
        await self._notify()
        if status == 204:
            return web.Response(status=204)
        return web.Response(status=status, body=json.dumps(out).encode(), headers=JSON)

    def _route(self, method: str, path: str, body: Any, query: Any) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        match method, parts:
            case "GET", ["users", "@me"]:
                return 200, P.user(BOT_ID, self.users[BOT_ID], bot=True)
            case "GET", ["oauth2", "applications", "@me"]:
                return 200, P.application()
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
            case "POST", ["channels", cid, "messages"]:
                return self._create_message(int(cid), body)
            case "PATCH", ["channels", cid, "messages", mid]:
                found = next(m for m in self.messages[int(cid)] if m["id"] == mid)
                found.update(body)
                return 200, found
            case "POST", ["channels", cid, "threads"]:
                return 201, self._create_thread(int(cid), body)
            case "PUT", ["channels", tid, "thread-members", uid]:
                self.threads[int(tid)]["members"].add(int(uid))
                return 204, None
            case "PATCH", ["channels", tid]:
                thread = self.threads[int(tid)]
                thread["thread_metadata"].update(body)
                return 200, P.thread(self, int(tid), thread)
        raise KeyError(path)

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
        if time.monotonic() - inter.created > ACK_WINDOW:
            return 404, {"code": 10062, "message": "Unknown interaction"}
        inter.acks.append(body)
        kind = body["type"]
        data = body.get("data") or {}
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

    def _open_dm(self, user: int) -> tuple[int, Any]:
        if user not in self.dm_channels:
            self.dm_channels[user] = self.next_id()
            self.messages[self.dm_channels[user]] = []
        return 200, P.dm_channel(self, self.dm_channels[user], user)

    def _create_message(self, cid: int, body: dict[str, Any]) -> tuple[int, Any]:
        recipient = next((u for u, c in self.dm_channels.items() if c == cid), None)
        if recipient in self.closed_dms:
            return 403, {"code": 50007, "message": "Cannot send messages to this user"}
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce") and (cid, nonce) in self._nonces:
            return 200, self._nonces[(cid, nonce)]
        msg = P.message(self, self.next_id(), cid, body)
        # Kept beside the message so tests can check what the bot asked Discord not to ping.
        msg["allowed_mentions"] = body.get("allowed_mentions")
        self.messages.setdefault(cid, []).append(msg)
        if nonce is not None:
            self._nonces[(cid, nonce)] = msg
        return 200, msg

    def _create_thread(self, cid: int, body: dict[str, Any]) -> dict[str, Any]:
        tid = self.next_id()
        self.threads[tid] = {
            "parent_id": cid,
            "name": body["name"],
            "type": body.get("type", 11),
            "invitable": body.get("invitable", True),
            "members": set(),
            "thread_metadata": {"archived": False, "locked": False},
        }
        self.messages[tid] = []
        return P.thread(self, tid, self.threads[tid])

    def _message_with(self, custom_id: str) -> dict[str, Any] | None:
        followups = [
            P.message(self, self.next_id(), self.channel_id, f, webhook=True)
            for i in self.interactions.values()
            for f in i.followups
        ]
        for msg in [m for ms in self.messages.values() for m in ms] + followups:
            for row in msg.get("components") or []:
                if any(c.get("custom_id") == custom_id for c in row.get("components", [])):
                    return msg
        return None

    # -- observation ------------------------------------------------------------------------

    def dms_to(self, user: int) -> list[dict[str, Any]]:
        return self.messages.get(self.dm_channels.get(user, -1), [])

    def channel_messages(self) -> list[dict[str, Any]]:
        return self.messages[self.channel_id]

    def acks(self, iid: int) -> list[dict[str, Any]]:
        return self.interactions[iid].acks

    def replies(self, iid: int) -> list[dict[str, Any]]:
        """What the person saw in answer to an interaction: the ack's data and follow-ups."""
        inter = self.interactions[iid]
        return [a.get("data") or {} for a in inter.acks if a["type"] in (4, 7)] + inter.followups

    def everything_sent(self) -> str:
        """Every byte the bot sent, for checks such as "no author name anywhere"."""
        return "\n".join(json.dumps(c.body, ensure_ascii=False) for c in self.calls)
