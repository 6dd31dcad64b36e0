"""A fake Discord (gateway WebSocket + REST) on 127.0.0.1 that real discord.py clients talk to."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from . import discord_payloads as P
from .discord_rest import (
    ACK_WINDOW,
    APP_ID,
    BOT_ID,
    CATEGORY_ID,
    DIRECT_MESSAGES,
    GUILD_ID,
    GUILD_MESSAGES,
    GUILDS,
    JSON,
    SEND_MESSAGES,
    TOKEN,
    VIEW_CHANNEL,
    Call,
    DiscordRest,
    Emitted,
    Interaction,
    RateLimit,
    public,
)

__all__ = [
    "ACK_WINDOW",
    "APP_ID",
    "BOT_ID",
    "CATEGORY_ID",
    "DIRECT_MESSAGES",
    "GUILDS",
    "GUILD_ID",
    "GUILD_MESSAGES",
    "JSON",
    "SEND_MESSAGES",
    "TOKEN",
    "VIEW_CHANNEL",
    "Call",
    "Emitted",
    "FakeDiscord",
    "Interaction",
    "RateLimit",
    "Session",
]


@dataclass
class Session:
    """One gateway session; `buffer` keeps dispatched events for RESUME replays."""

    ws: web.WebSocketResponse | None
    session_id: str
    shard: tuple[int, int] = (0, 1)
    intents: int = 0
    seq: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)
    invalid: bool = False


class FakeDiscord(DiscordRest):
    """State and recorder. Tests drive it (`slash`, `click`, `submit_modal`, `autocomplete`,
    `user_says`) and read what the bot did (`calls`, `messages`, `threads`, `channels`)."""

    def __init__(self, guild_id: int = GUILD_ID, members: int = 0) -> None:
        super().__init__(guild_id, members)
        self.sessions: list[Session] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.heartbeats = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

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
                self.heartbeats += 1
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
        session = Session(
            ws, f"session-{len(self.sessions) + 1}", (shard[0], shard[1]), int(d["intents"])
        )
        self.sessions.append(session)
        await self._send(session, "READY", P.ready(self, session.session_id, session.shard))
        if self._shard_of(self.guild_id, session.shard[1]) == session.shard[0]:
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
        await self._send(session, "RESUMED", {})
        await self._notify()
        return session

    async def _send(self, session: Session, t: str, d: dict[str, Any]) -> None:
        session.seq += 1
        event = {"op": 0, "t": t, "s": session.seq, "d": d}
        session.buffer.append(event)
        self.emitted.append(Emitted(t, d))
        if session.ws is not None and not session.ws.closed:
            await session.ws.send_str(json.dumps(event))

    @staticmethod
    def _shard_of(guild_id: int | None, count: int) -> int:
        """Discord routes guild events by `(guild_id >> 22) % shards`, guild-less ones to 0."""
        return (guild_id >> 22) % count if guild_id else 0

    def live_sessions(self) -> list[Session]:
        return [s for s in self.sessions if not s.invalid]

    def session_for(self, guild_id: int | None) -> Session:
        live = self.live_sessions()
        shard = self._shard_of(guild_id, live[-1].shard[1])
        return [s for s in live if s.shard[0] == shard][-1]

    async def dispatch(self, t: str, d: dict[str, Any]) -> None:
        """Send an event, or buffer it for the resume if that shard is disconnected."""
        gid = d.get("guild_id")
        await self._send(self.session_for(int(gid) if gid else None), t, d)

    async def broadcast(self, t: str, d: dict[str, Any], intent: int) -> None:
        """An event caused by a REST call, to the shard that owns it if it asked for `intent`."""
        if not self.live_sessions():
            return
        session = self.session_for(int(d["guild_id"]) if d.get("guild_id") else None)
        if session.intents & intent:
            await self._send(session, t, d)

    async def send_reconnect(self) -> None:
        """op 7: the client must reconnect and RESUME; events sent meanwhile are replayed."""
        session = self.session_for(None)
        ws, session.ws = session.ws, None
        if ws is not None:
            await ws.send_str(json.dumps({"op": 7, "d": None}))

    async def send_invalid_session(self) -> None:
        """op 9 (not resumable): the client must open a new connection and IDENTIFY again,
        at the gateway it was configured with (READY's resume URL no longer applies)."""
        session = self.session_for(None)
        session.invalid = True
        ws, session.ws = session.ws, None
        if ws is not None:
            await ws.send_str(json.dumps({"op": 9, "d": False}))

    # -- drivers ----------------------------------------------------------------------------

    def _interaction(
        self,
        kind: int,
        user: int,
        data: dict[str, Any],
        dm: bool,
        channel: int | None = None,
        locale: str = "fr",
    ) -> dict[str, Any]:
        iid = self.next_id()
        token = f"itoken-{iid}"
        self.interactions[iid] = Interaction(iid, token, time.monotonic())
        where = self.dm_channels.get(user) if dm else channel
        return P.interaction(self, iid, token, kind, user, data, where, dm, locale)

    def _command_data(self, path: list[str], options: list[dict[str, Any]]) -> dict[str, Any]:
        synced = [c for cs in self.commands.values() for c in cs if c["name"] == "tst"]
        assert synced, "no /tst command was synced"
        node = synced[0]
        chain = []
        for name in path:
            node = next(o for o in node["options"] if o["name"] == name)
            chain.append(node)
        for sub in reversed(chain):
            options = [{"name": sub["name"], "type": sub["type"], "options": options}]
        return {"id": str(synced[0]["id"]), "name": "tst", "type": 1, "options": options}

    async def slash(
        self, user: int, path: list[str], args: str | None = None, locale: str = "fr"
    ) -> int:
        """`/tst <path...> [args:...]` as typed by `user` in the guild channel."""
        options: list[dict[str, Any]] = (
            [{"name": "args", "type": 3, "value": args}] if args is not None else []
        )
        data = self._command_data(path, options)
        payload = self._interaction(2, user, data, dm=False, locale=locale)
        await self.dispatch("INTERACTION_CREATE", payload)
        return int(payload["id"])

    async def autocomplete(
        self, user: int, path: list[str], current: str, locale: str = "fr"
    ) -> int:
        """The client asking for `args` suggestions while `user` types `current`."""
        focused = [{"name": "args", "type": 3, "value": current, "focused": True}]
        payload = self._interaction(4, user, self._command_data(path, focused), False, None, locale)
        await self.dispatch("INTERACTION_CREATE", payload)
        return int(payload["id"])

    def choices(self, iid: int) -> list[dict[str, Any]]:
        """The suggestions the bot answered an autocomplete with."""
        ack = self.interactions[iid].acks[0]
        assert ack["type"] == 8, ack
        return list(ack["data"]["choices"])

    async def click(
        self,
        user: int,
        custom_id: str,
        dm: bool = True,
        channel: int | None = None,
        locale: str = "fr",
        values: list[str] | None = None,
    ) -> int:
        """A button press in `user`'s DM, or in a guild channel or thread (`dm=False`); with
        `values`, a choice in a select menu (component type 3) instead."""
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": 2}
        if values is not None:
            data.update(component_type=3, values=values)
        payload = self._interaction(3, user, data, dm, channel, locale)
        # discord.py finds the clicked button in the message it rides on, as Discord sends it;
        # a custom_id no message of this run has is on a message an earlier run posted.
        found = self._message_with(custom_id)
        if found is None:
            component: dict[str, Any] = {
                "type": 2,
                "style": 2,
                "label": "?",
                "custom_id": custom_id,
            }
            if values is not None:
                options = [{"label": v, "value": v} for v in values]
                component = {"type": 3, "custom_id": custom_id, "options": options}
            rows = {"components": [{"type": 1, "components": [component]}]}
            found = P.message(self, self.next_id(), int(payload["channel_id"]), rows)
        payload["message"] = public(found)
        await self.dispatch("INTERACTION_CREATE", payload)
        return int(payload["id"])

    async def submit_modal(
        self,
        user: int,
        modal: dict[str, Any],
        values: dict[str, Any],
        dm: bool = True,
        channel: int | None = None,
        locale: str = "fr",
    ) -> int:
        """Submit a modal the bot opened, Label (type 18) shapes; select values are lists. An
        input missing from `values` is left as the bot prefilled it (text, default options);
        values Discord's client would refuse to send (too long, not an option) raise. Like
        every interaction, it carries the language of the person's Discord (`locale`). Only
        a modal the bot opened (an interaction answered with type 9) can be submitted, and
        only with its own inputs: naming a custom_id the modal does not have raises."""
        opened = [
            a["data"] for i in self.interactions.values() for a in i.acks if a.get("type") == 9
        ]
        if not any(m.get("custom_id") == modal.get("custom_id") for m in opened):
            raise ValueError(f"modal {modal.get('custom_id')!r} was never opened by the bot")
        inputs = {t["component"]["custom_id"] for t in modal["components"] if t["type"] == 18}
        unknown = sorted(set(values) - inputs)
        if unknown:
            raise ValueError(f"the modal has no input {unknown}; its inputs are {sorted(inputs)}")
        components = []
        for top in modal["components"]:
            if top["type"] == 18:
                inner = top["component"]
                value = values.get(inner["custom_id"], _untouched(inner))
                _check_input(inner, value)
                sub: dict[str, Any] = {"type": inner["type"], "custom_id": inner["custom_id"]}
                if inner["type"] == 4:
                    sub["value"] = value or ""
                else:
                    sub["values"] = list(value or [])
                components.append({"type": 18, "id": top.get("id", 0), "component": sub})
            else:
                components.append({"type": top["type"], "id": top.get("id", 0)})
        data = {"custom_id": modal["custom_id"], "components": components}
        payload = self._interaction(5, user, data, dm, channel, locale)
        await self.dispatch("INTERACTION_CREATE", payload)
        return int(payload["id"])

    async def stale_slash(self, user: int, data: dict[str, Any], locale: str = "fr") -> int:
        """A command sent from a Discord client whose copy of the command list is older (or
        newer) than the bot's: `data` names subcommands and options as that copy had them."""
        payload = self._interaction(2, user, data, dm=False, locale=locale)
        await self.dispatch("INTERACTION_CREATE", payload)
        return int(payload["id"])

    async def stale_modal(
        self,
        user: int,
        custom_id: str,
        components: list[dict[str, Any]],
        dm: bool = True,
        locale: str = "fr",
    ) -> int:
        """The submission of a modal an earlier version of the bot opened (before a restart or
        an upgrade): its custom_id and inputs are whatever that version rendered, in Discord's
        submission shapes (Label, type 18; or legacy action rows, type 1)."""
        data = {"custom_id": custom_id, "components": components}
        payload = self._interaction(5, user, data, dm, None, locale)
        await self.dispatch("INTERACTION_CREATE", payload)
        return int(payload["id"])

    async def user_says(self, user: int, content: str, channel: int | None = None) -> None:
        """A member writes in a guild channel: MESSAGE_CREATE, to sessions with the intent."""
        cid = channel or self.channel_id
        msg = P.message(self, self.next_id(), cid, {"content": content}, author=user)
        self.messages.setdefault(cid, []).append(msg)
        await self.broadcast("MESSAGE_CREATE", P.message_create(self, msg), GUILD_MESSAGES)

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

    def channel_messages(self, channel: int | None = None) -> list[dict[str, Any]]:
        return self.messages[channel or self.channel_id]

    def acks(self, iid: int) -> list[dict[str, Any]]:
        return self.interactions[iid].acks

    def replies(self, iid: int) -> list[dict[str, Any]]:
        """What the person saw in answer to an interaction: the ack's data and follow-ups."""
        inter = self.interactions[iid]
        return [a.get("data") or {} for a in inter.acks if a["type"] in (4, 7)] + inter.followups

    def everything_sent(self) -> str:
        """Every byte the bot sent, for checks such as "no author name anywhere"."""
        return "\n".join(json.dumps(c.body, ensure_ascii=False) for c in self.calls)


def _untouched(component: dict[str, Any]) -> Any:
    if component["type"] == 4:
        return component.get("value", "")
    return [o["value"] for o in component.get("options", []) if o.get("default")]


def _check_input(component: dict[str, Any], value: Any) -> None:
    """What Discord's client enforces before a modal can be submitted at all."""
    name = component["custom_id"]
    if component["type"] == 4:
        text = value or ""
        if component.get("required", True) and not text:
            raise ValueError(f"{name} is required")
        if not component.get("min_length", 0) <= len(text) <= component.get("max_length", 4000):
            raise ValueError(f"{name}: {len(text)} characters is outside the allowed length")
        return
    chosen = list(value or [])
    allowed = {o["value"] for o in component.get("options", [])}
    if not set(chosen) <= allowed:
        raise ValueError(f"{name}: {set(chosen) - allowed} are not options")
    low, high = component.get("min_values", 1), component.get("max_values", 1)
    missing = component.get("required", True) and not chosen
    if missing or (chosen and not low <= len(chosen) <= high):
        raise ValueError(f"{name}: {len(chosen)} values, {low} to {high} allowed")
