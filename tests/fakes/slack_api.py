"""A fake Slack on 127.0.0.1: Web API (stateful, fault injection), Socket Mode, signing driver."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from . import slack_manifest

TRIGGER_TTL = 3.0


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str
    at: float


@dataclass
class Fault:
    status: int = 200
    error: str = ""
    retry_after: int = 0
    delay: float = 0.0


# The scopes an app installed from our manifest holds (Slack returns them in the
# x-oauth-scopes header of every Web API answer); a test removes some with `missing_scopes`.
INSTALLED_SCOPES = (
    "app_mentions:read",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:read",
    "groups:write",
    "im:history",
    "im:read",
    "im:write",
    "mpim:write",
    "users:read",
)


MAX_FILE = 1024**3  # Slack accepts files up to 1 GB


@dataclass
class Limit:
    """A per-method budget: `per_window` calls per `window` seconds (time-scaled tiers)."""

    per_window: int
    window: float
    stamps: list[float] = field(default_factory=list)


class FakeSlack:
    """The Web API methods the bot uses, answering like Slack, recording every request."""

    def __init__(self, team: str = "T1", bot_token: str = "xoxb-test") -> None:
        self.team = team
        self.tokens: dict[str, tuple[str, str]] = {bot_token: (team, "UBOT")}
        self.calls: list[Call] = []
        self.messages: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self.channels: dict[str, dict[str, Any]] = {}
        self.views: list[dict[str, Any]] = []
        self.homes: dict[str, dict[str, Any]] = {}
        self.files: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.triggers: dict[str, float] = {}
        self.used_triggers: set[str] = set()
        self.faults: dict[str, list[Fault]] = {}
        self.limits: dict[str, Limit] = {}
        self.missing_scopes: set[str] = set()
        self.fractional_retry_after = False
        self.apps: dict[str, str] = {}
        self.manifests: list[Any] = []  # apps created from a manifest
        self.revoked: set[str] = set()
        self.codes: dict[str, str] = {}
        self.rejected: dict[str, int] = {}
        self.sockets: list[web.WebSocketResponse] = []
        self.acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response_url/{n}", self._response_url)
        app.router.add_post("/upload/{file}", self._upload)
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for ws in self.sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/api/"

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"

    # --- test controls ------------------------------------------------------------------------

    def add_user(self, user: str, name: str = "", locale: str = "fr-FR", tz: str = "") -> None:
        self.users[user] = {
            "id": user,
            "name": name or user.lower(),
            "real_name": name or user,
            "tz": tz or "Europe/Paris",
            "locale": locale,
            "profile": {"display_name": name or user},
        }

    def deactivate(self, user: str) -> None:
        """An admin deactivates the account: Slack will not open a DM with it any more."""
        self.users[user]["deleted"] = True

    def add_channel(self, cid: str, name: str, private: bool = False) -> None:
        """A channel people made, which the bot is not a member of until it is invited."""
        self.channels[cid] = {
            "id": cid,
            "name": name,
            "members": [],
            "archived": False,
            "private": private,
        }

    def join(self, cid: str, user: str = "UBOT") -> None:
        """Someone types `/invite @tst` in the channel (or joins it themselves)."""
        self.channels[cid]["members"].append(user)

    def register_app(self, client_id: str, client_secret: str) -> None:
        self.apps[client_id] = client_secret

    def authorize(self, team: str) -> str:
        """What Slack does when an admin of `team` approves the install: a one-time code."""
        code = self.next_id("code.")
        self.codes[code] = team
        return code

    def _oauth_access(self, p: dict[str, Any], basic: str) -> dict[str, Any]:
        client_id, _, secret = basic.partition(":")
        client_id = client_id or str(p.get("client_id", ""))
        secret = secret or str(p.get("client_secret", ""))
        if self.apps.get(client_id) != secret or not client_id:
            return {"ok": False, "error": "invalid_client_id"}
        team = self.codes.pop(str(p.get("code", "")), None)
        if team is None:
            return {"ok": False, "error": "invalid_code"}
        token = self.next_id(f"xoxb-{team}-")
        self.tokens[token] = (team, "UBOT")
        return {
            "ok": True,
            "app_id": "A1",
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write,im:write",
            "bot_user_id": "UBOT",
            "team": {"id": team, "name": f"Team {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "UADMIN"},
        }

    def uninstall(self, team: str) -> None:
        """An admin removes the app from `team`: its bot tokens stop working at once (Slack
        then sends app_uninstalled and tokens_revoked, which tests send with the driver)."""
        for token, (owner, _bot) in list(self.tokens.items()):
            if owner == team:
                del self.tokens[token]
                self.revoked.add(token)

    def issue_trigger(self, age: float = 0.0) -> str:
        trigger = self.next_id("trg.")
        self.triggers[trigger] = time.monotonic() - age
        return trigger

    def fail_next(
        self, method: str, status: int = 429, retry_after: int = 1, count: int = 1
    ) -> None:
        self.faults.setdefault(method, []).extend(
            Fault(status, "ratelimited", retry_after) for _ in range(count)
        )

    def error_next(self, method: str, error: str, count: int = 1) -> None:
        self.faults.setdefault(method, []).extend(Fault(200, error) for _ in range(count))

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        self.faults.setdefault(method, []).extend(Fault(delay=seconds) for _ in range(count))

    def limit(self, method: str, per_window: int, window: float) -> None:
        self.limits[method] = Limit(per_window, window)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until something the fake received makes `predicate` true (no sleeps)."""

        async def until() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(until(), timeout)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- observations -------------------------------------------------------------------------

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["channel"] == channel]

    def dm_of(self, user: str) -> str:
        return f"D{user}"

    def delivery_keys(self) -> Counter[str]:
        """How many stored messages carry each delivery key (a count above 1 is a duplicate)."""
        keys: Counter[str] = Counter()
        for m in self.messages:
            meta = m.get("metadata") or {}
            if isinstance(meta, str):
                meta = json.loads(meta)
            if meta.get("event_type") == "tst_delivery":
                keys[str(meta["event_payload"]["key"])] += 1
        return keys

    def everything_sent(self) -> str:
        """Every byte the bot sent, for checks like "this author's name never appears"."""
        return "\n".join(json.dumps(c.params, ensure_ascii=False) for c in self.calls)

    # --- HTTP handlers ------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
        token = token or str(params.pop("token", ""))
        basic = ""
        if auth.startswith("Basic "):
            basic = base64.b64decode(auth.removeprefix("Basic ")).decode()
        self.calls.append(Call(method, params, token, time.monotonic()))
        try:
            return await self._answer(method, params, token, basic)
        finally:
            await self._notify()

    async def _answer(
        self, method: str, params: dict[str, Any], token: str, basic: str = ""
    ) -> web.Response:
        queue = self.faults.get(method)
        fault = queue.pop(0) if queue else None
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)  # an injected slow answer, not a test wait
        if fault is not None and fault.status == 429:
            return self._ratelimited(fault.retry_after)
        limited = self._over_limit(method)
        if limited is not None:
            return limited
        if method == "oauth.v2.access":  # authenticated by the app's credentials, not a token
            return web.json_response(self._oauth_access(params, basic))
        if method.startswith("apps.manifest."):  # app configuration tokens, not bot tokens
            if not token.startswith("xoxe."):
                return web.json_response({"ok": False, "error": "invalid_auth"})
            return web.json_response(self._manifest(method, params))
        if method == "apps.connections.open":
            if not token.startswith("xapp-"):
                return web.json_response({"ok": False, "error": "invalid_auth"})
            return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"})
        if token in self.revoked:
            return web.json_response({"ok": False, "error": "token_revoked"})
        if token not in self.tokens:
            error = "not_authed" if not token else "invalid_auth"
            return web.json_response({"ok": False, "error": error})
        if fault is not None and fault.error:
            return web.json_response({"ok": False, "error": fault.error})
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        body: dict[str, Any] = handler(params, self.tokens[token])
        granted = [s for s in INSTALLED_SCOPES if s not in self.missing_scopes]
        return web.json_response(body, headers={"x-oauth-scopes": ",".join(granted)})

    def _manifest(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        """apps.manifest.validate and .create: Slack's checks (slack_manifest.py), its error
        shape (`invalid_manifest` with `errors`: message and pointer each)."""
        if method not in ("apps.manifest.validate", "apps.manifest.create"):
            return {"ok": False, "error": "unknown_method"}
        raw = p.get("manifest")
        try:
            manifest = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            return {
                "ok": False,
                "error": "invalid_manifest",
                "errors": [{"message": "Not JSON", "pointer": "/"}],
            }
        errors = slack_manifest.problems(manifest)
        if errors:
            return {"ok": False, "error": "invalid_manifest", "errors": errors}
        if method == "apps.manifest.create":
            self.manifests.append(manifest)
            return {"ok": True, "app_id": self.next_id("A")}
        return {"ok": True}

    def _ratelimited(self, retry_after: float) -> web.Response:
        return web.json_response(
            {"ok": False, "error": "ratelimited"},
            status=429,
            headers={"Retry-After": str(retry_after)},
        )

    def _over_limit(self, method: str) -> web.Response | None:
        limit = self.limits.get(method)
        if limit is None:
            return None
        now = time.monotonic()
        limit.stamps = [t for t in limit.stamps if now - t < limit.window]
        if len(limit.stamps) >= limit.per_window:
            self.rejected[method] = self.rejected.get(method, 0) + 1
            wait = limit.window - (now - limit.stamps[0])
            if self.fractional_retry_after:  # time-scaled limits: whole seconds are too coarse
                return self._ratelimited(round(max(0.001, wait), 3))
            return self._ratelimited(max(0, int(wait + 0.999)))
        limit.stamps.append(now)
        return None

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append({"n": request.match_info["n"], **body})
        self.calls.append(Call("response_url", body, "", time.monotonic()))
        await self._notify()
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL Slack hands out: one POST of exactly the announced bytes, raw or as
        a multipart form, to a URL of this workspace's; anything else is refused."""
        found = next((f for f in self.files if f["id"] == request.match_info["file"]), None)
        if found is None:
            return web.Response(status=404, text="file not found")
        if found.get("uploaded"):
            return web.Response(status=400, text="already uploaded")
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            part = await reader.next()
            data = await part.read() if part is not None else b""  # type: ignore[union-attr]
        else:
            data = await request.read()
        if len(data) != found["length"]:
            return web.Response(status=400, text="length does not match")
        found.update(size=len(data), data=data, uploaded=True)
        self.calls.append(Call("upload", {"file": found["id"], "size": len(data)}, "", 0.0))
        await self._notify()
        return web.Response(text=f"OK - {len(data)}")

    # --- Web API methods ----------------------------------------------------------------------

    def m_auth_test(self, p: dict[str, Any], who: tuple[str, str]) -> dict[str, Any]:
        team, bot = who
        return {"ok": True, "team_id": team, "user_id": bot, "bot_id": "B" + bot, "team": "Team"}

    def m_users_info(self, p: dict[str, Any], who: tuple[str, str]) -> dict[str, Any]:
        user = self.users.get(str(p.get("user")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        # As Slack documents it: the locale is opt-in, sent only when include_locale is true.
        asked = str(p.get("include_locale", "")).lower() in ("1", "true")
        return {
            "ok": True,
            "user": user if asked else {k: v for k, v in user.items() if k != "locale"},
        }

    def m_conversations_open(self, p: dict[str, Any], who: tuple[str, str]) -> dict[str, Any]:
        users = [u for u in str(p.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) > 8:
            return {"ok": False, "error": "too_many_users"}
        if users == ["UBOT"]:
            return {"ok": False, "error": "cannot_dm_bot"}
        if len(users) == 1:
            if users[0] not in self.users:
                return {"ok": False, "error": "user_not_found"}
            if self.users[users[0]].get("deleted"):
                return {"ok": False, "error": "user_disabled"}
            cid = self.dm_of(users[0])
        else:
            cid = "G" + hashlib.sha1(",".join(sorted(users)).encode()).hexdigest()[:8].upper()
        self.channels.setdefault(cid, {"id": cid, "members": users, "archived": False})
        return {"ok": True, "channel": {"id": cid}}

    def m_conversations_create(self, p: dict[str, Any], who: tuple[str, str]) -> dict[str, Any]:
        if "groups:write" in self.missing_scopes:
            return {"ok": False, "error": "missing_scope", "needed": "groups:write"}
        name = str(p.get("name", ""))
        if any(c["name"] == name for c in self.channels.values() if "name" in c):
            return {"ok": False, "error": "name_taken"}
        cid = self.next_id("C")
        self.channels[cid] = {"id": cid, "name": name, "members": [who[1]], "archived": False}
        return {"ok": True, "channel": {"id": cid, "name": name, "is_private": True}}

    def m_conversations_invite(self, p: dict[str, Any], who: tuple[str, str]) -> dict[str, Any]:
        channel = self.channels.get(str(p.get("channel")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        new = [u for u in str(p.get("users", "")).split(",") if u and u not in channel["members"]]
        if not new:
            return {"ok": False, "error": "already_in_channel"}
        channel["members"] += new
        return {"ok": True, "channel": {"id": channel["id"]}}

    def m_conversations_list(self, p: dict[str, Any], who: tuple[str, str]) -> dict[str, Any]:
        """Named channels the bot is in, paged by `cursor` (an offset here) and `limit`."""
        private = "private_channel" in str(p.get("types", "public_channel"))
        skip_archived = str(p.get("exclude_archived", "")).lower() in ("1", "true")
        found = [
            {"id": c["id"], "name": c["name"], "is_private": private, "is_archived": c["archived"]}
            for c in self.channels.values()
            if "name" in c and who[1] in c["members"] and not (skip_archived and c["archived"])
        ]
        start = int(p.get("cursor") or 0)
        limit = max(1, min(1000, int(p.get("limit") or 100)))
        page = found[start : start + limit]
        more = start + limit < len(found)
        cursor = str(start + limit) if more else ""
        return {"ok": True, "channels": page, "response_metadata": {"next_cursor": cursor}}

    def m_conversations_archive(self, p: dict[str, Any], who: tuple[str, str]) -> dict[str, Any]:
        channel = self.channels.get(str(p.get("channel")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if channel["id"].startswith("G"):
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        if channel["archived"]:
            return {"ok": False, "error": "already_archived"}
        channel["archived"] = True
        return {"ok": True}

    def m_conversations_close(self, p: dict[str, Any], who: tuple[str, str]) -> dict[str, Any]:
        channel = self.channels.get(str(p.get("channel")))
        if channel is not None:
            channel["archived"] = True
        return {"ok": True}

    def _blocks(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        blocks = p.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else list(blocks)

    def m_chat_postMessage(self, p: dict[str, Any], who: tuple[str, str]) -> dict[str, Any]:
        channel = str(p.get("channel", ""))
        known = self.channels.get(channel)
        if known is not None and known["archived"]:
            return {"ok": False, "error": "is_archived"}
        if not channel.startswith(("C", "D", "G")):
            return {"ok": False, "error": "channel_not_found"}
        if known is not None and "name" in known and who[1] not in known["members"]:
            # As Slack answers a bot without chat:write.public (the manifest does not ask
            # it): a public channel says it is not a member, a private one does not exist.
            error = "channel_not_found" if known.get("private") else "not_in_channel"
            return {"ok": False, "error": error}
        ts = f"{time.time():.0f}.{next(self._ids):06d}"
        message = {
            "channel": channel,
            "ts": ts,
            "text": p.get("text", ""),
            "blocks": self._blocks(p),
            "thread_ts": p.get("thread_ts"),
            "metadata": p.get("metadata"),
        }
        self.messages.append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def m_chat_update(self, p: dict[str, Any], who: tuple[str, str]) -> dict[str, Any]:
        for m in self.messages:
            if m["channel"] == p.get("channel") and m["ts"] == p.get("ts"):
                m.update(text=p.get("text", ""), blocks=self._blocks(p))
                return {"ok": True, "channel": m["channel"], "ts": m["ts"]}
        return {"ok": False, "error": "message_not_found"}

    def m_views_open(self, p: dict[str, Any], who: tuple[str, str]) -> dict[str, Any]:
        trigger = str(p.get("trigger_id", ""))
        if trigger in self.used_triggers:
            return {"ok": False, "error": "exchanged_trigger_id"}
        issued = self.triggers.get(trigger)
        if issued is None:
            return {"ok": False, "error": "invalid_trigger_id"}
        if time.monotonic() - issued > TRIGGER_TTL:
            return {"ok": False, "error": "expired_trigger_id"}
        self.used_triggers.add(trigger)
        view = p.get("view")
        view = json.loads(view) if isinstance(view, str) else dict(view or {})
        if len(view.get("blocks", [])) > 100:
            return {"ok": False, "error": "invalid_arguments"}
        # A modal's title, submit and close labels: plain text of at most 24 characters.
        labels = [view.get(k) for k in ("title", "submit", "close") if view.get(k)]
        if any(len(label.get("text", "")) > 24 for label in labels):
            return {"ok": False, "error": "invalid_arguments"}
        view.update(id=self.next_id("V"), hash=self.next_id("h"))
        self.views.append(view)
        return {"ok": True, "view": view}

    def m_views_publish(self, p: dict[str, Any], who: tuple[str, str]) -> dict[str, Any]:
        view = p.get("view")
        view = json.loads(view) if isinstance(view, str) else dict(view or {})
        self.homes[str(p.get("user_id"))] = view
        return {"ok": True, "view": view}

    def m_files_getUploadURLExternal(
        self, p: dict[str, Any], who: tuple[str, str]
    ) -> dict[str, Any]:
        """Step 1 of Slack's external upload: a name and the exact length in bytes."""
        filename, length = str(p.get("filename") or ""), str(p.get("length") or "")
        if not filename or not length.isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        if int(length) == 0:
            return {"ok": False, "error": "invalid_length"}
        if int(length) > MAX_FILE:
            return {"ok": False, "error": "file_too_large"}
        fid = self.next_id("F")
        self.files.append(
            {"id": fid, "team": who[0], "filename": filename, "length": int(length), "size": 0}
            | ({"alt_txt": p["alt_txt"]} if p.get("alt_txt") else {})
        )
        return {"ok": True, "upload_url": f"{self.root}/upload/{fid}", "file_id": fid}

    def m_files_completeUploadExternal(
        self, p: dict[str, Any], who: tuple[str, str]
    ) -> dict[str, Any]:
        """Step 3: every file listed was asked for by this workspace and fully uploaded, not
        yet completed; the channel exists and the bot may post there."""
        try:
            listed = json.loads(p["files"]) if isinstance(p.get("files"), str) else p["files"]
            ids = [str(f["id"]) for f in listed]
        except (KeyError, TypeError, ValueError):
            return {"ok": False, "error": "invalid_arguments"}
        if not ids:
            return {"ok": False, "error": "invalid_arguments"}
        mine = {f["id"]: f for f in self.files if f.get("team") == who[0]}
        if any(i not in mine or mine[i].get("done") for i in ids):
            return {"ok": False, "error": "file_not_found"}
        if any(not mine[i].get("uploaded") for i in ids):
            return {"ok": False, "error": "file_upload_incomplete"}
        channel = str(p.get("channel_id") or "")
        known = self.channels.get(channel)
        if channel and (known is None or not channel.startswith(("C", "D", "G"))):
            return {"ok": False, "error": "channel_not_found"}
        if known is not None and "name" in known and who[1] not in known["members"]:
            return {"ok": False, "error": "not_in_channel"}
        if known is not None and known["archived"]:
            return {"ok": False, "error": "is_archived"}
        titles = {str(f["id"]): f.get("title") for f in listed}
        for i in ids:
            mine[i].update(
                channel=channel or None,
                title=titles[i] or mine[i]["filename"],
                thread_ts=p.get("thread_ts"),
                initial_comment=p.get("initial_comment"),
                done=True,
            )
        return {"ok": True, "files": [{"id": i, "title": mine[i]["title"]} for i in ids]}

    def files_in(self, channel: str) -> list[dict[str, Any]]:
        """The files shared in a conversation, as its members see them."""
        return [f for f in self.files if f.get("done") and f.get("channel") == channel]

    # --- Socket Mode --------------------------------------------------------------------------

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        await self._notify()
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                data = json.loads(msg.data)
                future = self.acks.get(data.get("envelope_id", ""))
                if future is not None and not future.done():
                    future.set_result(data)
        return ws

    async def send_envelope(
        self, kind: str, payload: Mapping[str, Any], retry_attempt: int = 0
    ) -> dict[str, Any]:
        """Deliver one envelope to the connected app and return its ack."""
        await self.wait_for(lambda: bool(self.sockets))
        envelope_id = self.next_id("env-")
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.acks[envelope_id] = future
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return await asyncio.wait_for(future, 5)


def sign(secret: str, body: str | bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature over `v0:<timestamp>:<body>`, exactly the bytes sent."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Reply:
    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


class SlackDriver:
    """Plays Slack's side: builds real payloads, signs them and posts them to the bot's URL
    (or sends them as Socket Mode envelopes when `socket` is set)."""

    def __init__(self, fake: FakeSlack, url: str, secret: str, socket: bool = False) -> None:
        self.fake = fake
        self.url = url
        self.secret = secret
        self.socket = socket
        self.team = fake.team
        self.session = aiohttp.ClientSession()
        self._n = itertools.count(1)

    async def close(self) -> None:
        await self.session.close()

    async def post(
        self,
        body: str | bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        forged: bool = False,
        retry_num: int | None = None,
    ) -> Reply:
        raw = body.encode() if isinstance(body, str) else body
        headers = {"Content-Type": content_type, **sign(self.secret, raw, timestamp)}
        if forged:
            headers["X-Slack-Signature"] = "v0=" + "0" * 64
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        async with self.session.post(self.url, data=raw, headers=headers) as resp:
            return Reply(resp.status, await resp.text())

    async def _form(self, fields: Mapping[str, str], kind: str, **kw: Any) -> Reply:
        if self.socket:
            ack = await self.fake.send_envelope(kind, dict(fields))
            return Reply(200, json.dumps(ack))
        return await self.post(
            urllib.parse.urlencode(fields), "application/x-www-form-urlencoded", **kw
        )

    def _response_url(self) -> str:
        return f"{self.fake.root}/response_url/{next(self._n)}"

    def command_body(self, text: str, user: str, channel: str = "C1") -> dict[str, str]:
        return {
            "token": "legacy",
            "team_id": self.team,
            "team_domain": "team",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/tst",
            "text": text,
            "api_app_id": "A1",
            "response_url": self._response_url(),
            "trigger_id": self.fake.issue_trigger(),
        }

    async def slash(self, text: str, user: str, channel: str = "C1", **kw: Any) -> Reply:
        return await self._form(self.command_body(text, user, channel), "slash_commands", **kw)

    async def _interactive(self, payload: Mapping[str, Any], **kw: Any) -> Reply:
        if self.socket:
            ack = await self.fake.send_envelope("interactive", payload)
            return Reply(200, json.dumps(ack.get("payload") or {}))
        body = "payload=" + urllib.parse.quote(json.dumps(payload))
        return await self.post(body, "application/x-www-form-urlencoded", **kw)

    async def click(self, action_id: str, user: str, channel: str = "", **kw: Any) -> Reply:
        return await self._interactive(self.click_payload(action_id, user, channel), **kw)

    def click_payload(self, action_id: str, user: str, channel: str = "") -> dict[str, Any]:
        """A block_actions payload: `user` pressed the button `action_id`."""
        return {
            "type": "block_actions",
            "team": {"id": self.team, "domain": "team"},
            "user": {"id": user, "username": user.lower(), "team_id": self.team},
            "api_app_id": "A1",
            "trigger_id": self.fake.issue_trigger(),
            "response_url": self._response_url(),
            "container": {"type": "message", "channel_id": channel or f"D{user}"},
            "channel": {"id": channel or f"D{user}"},
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b",
                    "value": action_id,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }

    async def submit(
        self,
        view: Mapping[str, Any],
        user: str,
        answers: Mapping[str, Any],
        visibility: str | None = None,
        skip: bool = False,
    ) -> Reply:
        """Fill the modal the bot opened as a person would, then submit it."""
        return await self._interactive(
            self.submit_payload(view, user, answers, visibility=visibility, skip=skip)
        )

    def submit_payload(
        self,
        view: Mapping[str, Any],
        user: str,
        answers: Mapping[str, Any],
        visibility: str | None = None,
        skip: bool = False,
    ) -> dict[str, Any]:
        """The view_submission of a filled modal. Like Slack, only
        a view that was opened can be submitted, and only with the inputs it has: naming a
        field the view does not have raises (a test answering no real field cannot pass)."""
        if not any(v.get("id") == view.get("id") for v in self.fake.views):
            raise ValueError(f"view {view.get('id')!r} was never opened (views.open)")
        fields = {
            b["block_id"].partition("|")[2].partition("|")[0]
            for b in view["blocks"]
            if b.get("type") == "input" and "|" in b["block_id"]
        }
        unknown = sorted(set(answers) - fields)
        if unknown:
            raise ValueError(f"the view has no input {unknown}; its inputs are {sorted(fields)}")
        values: dict[str, dict[str, Any]] = {}
        for block in view["blocks"]:
            if block.get("type") != "input":
                continue
            bid = block["block_id"]
            element = block["element"]
            kind, _, rest = bid.partition("|")
            key, _, extra = rest.partition("|")
            value: Any = None
            if bid == "visibility":
                chosen = visibility or element["initial_option"]["value"]
                value = chosen
            elif bid == "skip":
                value = ("skip",) if skip else ()
            elif key in answers:
                value = answers[key]
                if kind == "rank":
                    ranked = list(value)
                    place = int(extra) - 1
                    value = ranked[place] if place < len(ranked) else None
                elif kind == "dots":
                    value = value.get(extra)
            values[bid] = {"v": _element_state(element, value)}
        return {
            "type": "view_submission",
            "team": {"id": self.team, "domain": "team"},
            "user": {"id": user, "username": user.lower(), "team_id": self.team},
            "api_app_id": "A1",
            "trigger_id": self.fake.issue_trigger(),
            "view": {
                **{k: view[k] for k in ("id", "hash", "callback_id", "private_metadata")},
                "type": "modal",
                "state": {"values": values},
            },
        }

    async def event(
        self, event: Mapping[str, Any], event_id: str = "", retry_num: int | None = None, **kw: Any
    ) -> Reply:
        body = self.event_body(event, event_id)
        if self.socket:
            ack = await self.fake.send_envelope("events_api", body, retry_num or 0)
            return Reply(200, json.dumps(ack))
        return await self.post(json.dumps(body), "application/json", retry_num=retry_num, **kw)

    def event_body(self, event: Mapping[str, Any], event_id: str = "") -> dict[str, Any]:
        """An Events API callback wrapping `event`, as Slack sends it."""
        return {
            "token": "legacy",
            "team_id": self.team,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id or self.fake.next_id("Ev"),
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team, "user_id": "UBOT", "is_bot": True}],
            "event": dict(event),
        }

    async def dm(self, user: str, text: str, /, **event: Any) -> Reply:
        """`user` writes `text` in their DM with the bot: the `message.im` event Slack sends
        (`event` overrides fields: a bot_id, an edit's subtype, another channel_type)."""
        ts = f"{time.time():.6f}"
        written = {
            "type": "message",
            "channel": self.fake.dm_of(user),
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "im",
            "client_msg_id": self.fake.next_id("msg-"),
            **event,
        }
        return await self.event(written)


def _element_state(element: Mapping[str, Any], value: Any) -> dict[str, Any]:
    kind = element["type"]
    state: dict[str, Any] = {"type": kind}
    if kind in ("plain_text_input", "number_input"):
        state["value"] = None if value is None else str(value)
    elif kind in ("radio_buttons", "static_select"):
        state["selected_option"] = None if value is None else _option(element, str(value))
    elif kind in ("checkboxes", "multi_static_select"):
        state["selected_options"] = [_option(element, str(v)) for v in value or ()]
    return state


def _option(element: Mapping[str, Any], value: str) -> dict[str, Any]:
    for option in element.get("options", []):
        if option["value"] == value:
            return dict(option)
    raise AssertionError(f"no option {value!r} in {element.get('options')}")
