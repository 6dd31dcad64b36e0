"""The gate in front of bolt: a signed Slack request that bolt or the parsers cannot read is
answered at once (400, or the one line Slack shows the person) and logged once, never a 500.

Bolt parses the raw body itself, and some bodies Slack never sends make it raise (broken JSON
in `payload`, a `team` that is a number, a body that is not UTF-8), which aiohttp answers with
a 500 and a traceback; a form whose text merely contains the word "payload" even reads as
empty. So the gate verifies the signature (slack_sdk's verifier, the one bolt uses), decodes
the body once, checks its shape against what Slack sends (shapes.py) and hands bolt that very
payload as JSON: bolt's own verification is off in HTTP mode because the gate did it, on the
bytes Slack signed. In Socket Mode, where the WebSocket is authenticated, the same shapes are
checked on each envelope before bolt sees it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from .shapes import SLACK_ID, Unreadable, kind_of

log = logging.getLogger(__name__)
# The one line shown to a person whose command could not be read, in their language.
UnreadableLine = Callable[[str, str], str]
# What each kind of Socket Mode envelope may carry.
ENVELOPES = {
    "slash_commands": {"command"},
    "interactive": {"block_actions", "view_submission"},
    "events_api": {"event_callback", "app_rate_limited"},
}


def decode(raw: bytes, content_type: str) -> Any:
    """The body as Slack meant it: JSON (Events API), a form with `payload` (interactivity)
    or a plain form (slash commands). Raises Unreadable for anything else."""
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable("the body is not UTF-8") from None
    if content_type == "application/json" or body.startswith("{"):
        return _json(body, "the body")
    try:
        pairs = urllib.parse.parse_qsl(
            body, keep_blank_values=True, strict_parsing=True, errors="strict"
        )
    except (ValueError, UnicodeDecodeError):
        raise Unreadable("the body is not a form") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise Unreadable("a form field is given twice")
    if "payload" in fields:
        if len(fields) != 1:
            raise Unreadable("the form has fields beside its payload")
        return _json(fields["payload"], "/payload")
    return fields


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise Unreadable(f"{what} is not JSON") from None


def signed(secret: str, raw: bytes, timestamp: str, signature: str, now: float) -> bool:
    """Slack's v0 signature over the exact bytes received, within five minutes. (slack_sdk's
    verifier decodes the body first and reads the timestamp as a number: a body that is not
    UTF-8, or a timestamp that is not a number, would raise rather than fail.)"""
    if not timestamp.isascii() or not timestamp.isdigit() or abs(now - int(timestamp)) > 300:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v0={digest}".encode(), signature.encode("utf-8", "replace"))


def _ids(payload: Any) -> tuple[str, str] | None:
    """Team and person of a command-shaped form, when both can be read."""
    if not isinstance(payload, dict) or "command" not in payload:
        return None
    team, user = payload.get("team_id"), payload.get("user_id")
    ok = all(isinstance(v, str) and SLACK_ID.fullmatch(v) for v in (team, user))
    return (str(team), str(user)) if ok else None


class Gate:
    """Checks each request before bolt; `unreadable(team, user)` is the line a person whose
    command could not be read sees (their language when known)."""

    def __init__(self, bolt: AsyncApp, signing_secret: str, unreadable: UnreadableLine) -> None:
        self.bolt = bolt
        self.secret = signing_secret
        self.unreadable = unreadable

    def refuse(self, problem: Unreadable, payload: Any = None) -> tuple[int, dict[str, str]]:
        """400, or for a command whose sender can be told, 200 with one line for them."""
        who = _ids(payload)
        if who is None:
            log.warning("slack: refused a malformed request: %s (400)", problem.reason)
            return 400, {}
        log.warning("slack: a /tst command could not be read: %s", problem.reason)
        return 200, {"response_type": "ephemeral", "text": self.unreadable(*who)}

    def admit(self, payload: Any, expected: set[str] | None = None) -> str:
        """The payload's kind when bolt may have it; raises Unreadable otherwise."""
        kind = kind_of(payload)
        if expected is not None and kind not in expected:
            raise Unreadable(f"a {kind} payload in the wrong envelope")
        if kind == "command" and not str(payload["command"]).startswith("/tst"):
            raise Unreadable("/command is not /tst")
        return kind

    async def http(self, request: web.Request) -> web.Response:
        raw = await request.read()
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not signed(self.secret, raw, stamp, signature, time.time()):
            log.info("slack: refused a request whose signature does not verify (401)")
            return web.Response(status=401)
        payload: Any = None
        try:
            payload = decode(raw, request.content_type)
            kind = self.admit(payload)
        except Unreadable as problem:
            status, reply = self.refuse(problem, payload)
            return web.json_response(reply, status=status) if reply else web.Response(status=400)
        if kind == "app_rate_limited":
            log.warning("slack: Slack held back events for a minute (app_rate_limited)")
            return web.Response(status=200)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"}
        bolt_request = AsyncBoltRequest(
            body=json.dumps(payload),
            query=request.query_string,
            headers={**headers, "Content-Type": "application/json"},
        )
        return await to_aiohttp_response(await self.bolt.async_dispatch(bolt_request))


class GatedSocketMode(AsyncSocketModeHandler):
    """Socket Mode with the gate's checks: an envelope whose payload cannot be read is
    acknowledged (so Slack does not send it again) and logged once; bolt never sees it."""

    gate: Gate

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        expected = ENVELOPES.get(req.type)
        try:
            if expected is None:
                raise Unreadable("an envelope of a type this app does not receive")
            self.gate.admit(req.payload, expected)
        except Unreadable as problem:
            _status, reply = self.gate.refuse(problem, req.payload)
            answer = SocketModeResponse(envelope_id=req.envelope_id, payload=reply or None)
            await client.send_socket_mode_response(answer)
            return
        await super().handle(client, req)
