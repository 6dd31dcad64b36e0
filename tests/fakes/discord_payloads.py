"""Complete Discord payload shapes (discord-api-docs), as the fake sends them; parser-checked
in tests/discord/test_payloads.py."""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .discord_gateway import FakeDiscord

STAMP = "2026-03-02T08:00:00.000000+00:00"
ADMIN = str(1 << 3)
GUILD_TEXT, DM, CATEGORY, PRIVATE_THREAD = 0, 1, 4, 12


def _ids() -> tuple[int, int]:
    from .discord_gateway import APP_ID, BOT_ID

    return APP_ID, BOT_ID


def user(uid: int, name: str, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(uid),
        "username": name,
        "global_name": name.title(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "mfa_enabled": False,
        "verified": True,
    }


def member(fake: FakeDiscord, uid: int) -> dict[str, Any]:
    return {
        "user": user(uid, fake.users[uid], bot=uid == _ids()[1]),
        "nick": None,
        "avatar": None,
        "roles": [str(fake.bot_role_id)] if uid == _ids()[1] else [],
        "joined_at": STAMP,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "permissions": ADMIN,
        "communication_disabled_until": None,
    }


def application() -> dict[str, Any]:
    app_id, bot_id = _ids()
    return {
        "id": str(app_id),
        "name": "tst-bot",
        "description": "",
        "icon": None,
        "bot_public": False,
        "bot_require_code_grant": False,
        "owner": user(bot_id + 1, "owner"),
        "verify_key": "00" * 32,
        "flags": 0,
        "team": None,
    }


def gateway_bot(url: str, shards: int = 1) -> dict[str, Any]:
    return {
        "url": url,
        "shards": shards,
        "session_start_limit": {
            "total": 1000,
            "remaining": 1000,
            "reset_after": 0,
            "max_concurrency": 1,
        },
    }


def ready(fake: FakeDiscord, session_id: str, shard: tuple[int, int]) -> dict[str, Any]:
    app_id, bot_id = _ids()
    return {
        "v": 10,
        "user": user(bot_id, fake.users[bot_id], bot=True),
        "guilds": [{"id": str(fake.guild_id), "unavailable": True}],
        "session_id": session_id,
        "resume_gateway_url": fake.ws_url,
        "shard": list(shard),
        "application": {"id": str(app_id), "flags": 0},
        "private_channels": [],
        "relationships": [],
    }


def overwrite(target: int, kind: int, allow: int = 0, deny: int = 0) -> dict[str, Any]:
    """A permission overwrite: `kind` 0 is a role (the guild id is @everyone), 1 a member."""
    return {"id": str(target), "type": kind, "allow": str(allow), "deny": str(deny)}


def guild_channel(fake: FakeDiscord, cid: int) -> dict[str, Any]:
    """A text channel or a category, from the fake's channel record."""
    c = fake.channels[cid]
    out: dict[str, Any] = {
        "id": str(cid),
        "type": c["type"],
        "guild_id": str(fake.guild_id),
        "name": c["name"],
        "position": c.get("position", 0),
        "permission_overwrites": list(c.get("permission_overwrites", [])),
        "nsfw": False,
        "parent_id": str(c["parent_id"]) if c.get("parent_id") else None,
        "flags": 0,
    }
    if c["type"] == GUILD_TEXT:
        out |= {"topic": None, "last_message_id": None, "rate_limit_per_user": 0}
    return out


def text_channel(fake: FakeDiscord) -> dict[str, Any]:
    return guild_channel(fake, fake.channel_id)


def role(rid: str, name: str, permissions: int, managed: bool) -> dict[str, Any]:
    return {
        "id": rid,
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": 1 if managed else 0,
        "permissions": str(permissions),
        "managed": managed,
        "mentionable": False,
        "flags": 0,
    }


def guild(fake: FakeDiscord) -> dict[str, Any]:
    gid = str(fake.guild_id)
    bot_id = _ids()[1]
    return {
        "id": gid,
        "name": "Team",
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(min((u for u in fake.users if u != bot_id), default=bot_id + 1)),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [
            role(gid, "@everyone", fake.everyone_permissions, managed=False),
            # The role Discord gives a bot invited with a permissions integer.
            role(str(fake.bot_role_id), "tst-bot", fake.bot_role_permissions, managed=True),
        ],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "max_members": 500000,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "fr",
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "safety_alerts_channel_id": None,
        "joined_at": STAMP,
        "large": False,
        "unavailable": False,
        "member_count": len(fake.users),
        "voice_states": [],
        "members": [member(fake, bot_id)],
        "channels": [guild_channel(fake, cid) for cid in fake.channels],
        "threads": [thread(fake, tid) for tid, t in fake.threads.items() if not t["archived"]],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def dm_channel(fake: FakeDiscord, cid: int, uid: int) -> dict[str, Any]:
    return {
        "id": str(cid),
        "type": DM,
        "last_message_id": None,
        "recipients": [user(uid, fake.users[uid])],
        "flags": 0,
    }


def thread(fake: FakeDiscord, tid: int) -> dict[str, Any]:
    t = fake.threads[tid]
    return {
        "id": str(tid),
        "type": t["type"],
        "guild_id": str(fake.guild_id),
        "parent_id": str(t["parent_id"]),
        "owner_id": str(_ids()[1]),
        "name": t["name"],
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": len(fake.messages.get(tid, [])),
        "total_message_sent": len(fake.messages.get(tid, [])),
        "member_count": len(t["members"]),
        "flags": 0,
        "thread_metadata": {
            "archived": t["archived"],
            "locked": t["locked"],
            "auto_archive_duration": t["auto_archive_duration"],
            "archive_timestamp": STAMP,
            "invitable": t["invitable"],
            "create_timestamp": STAMP,
        },
    }


def attachment(aid: int, cid: int, filename: str, size: int, description: str) -> dict[str, Any]:
    url = f"https://cdn.discordapp.com/attachments/{cid}/{aid}/{filename}"
    return {
        "id": str(aid),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
        "content_type": mimetypes.guess_type(filename)[0] or "application/octet-stream",
        "description": description,
    }


def message(
    fake: FakeDiscord,
    mid: int,
    cid: int | None,
    body: dict[str, Any],
    webhook: bool = False,
    author: int | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A message object as REST returns it and MESSAGE_CREATE carries it (minus guild
    fields, which `message_create` adds)."""
    app_id, bot_id = _ids()
    who = bot_id if author is None else author
    out = {
        "id": str(mid),
        "channel_id": str(cid or fake.channel_id),
        "author": user(who, fake.users[who], bot=who == bot_id),
        "content": body.get("content", ""),
        "timestamp": STAMP,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments or [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": body.get("flags", 0),
        "components": body.get("components", []),
    }
    if "nonce" in body:
        out["nonce"] = body["nonce"]
    if webhook:
        out["webhook_id"] = str(app_id)
        out["application_id"] = str(app_id)
    return out


def message_create(fake: FakeDiscord, msg: dict[str, Any]) -> dict[str, Any]:
    """The MESSAGE_CREATE dispatch: the message, plus `guild_id` and the author's partial
    `member` when it was posted in the guild."""
    cid = int(msg["channel_id"])
    if cid not in fake.channels and cid not in fake.threads:
        return msg
    partial = {k: v for k, v in member(fake, int(msg["author"]["id"])).items() if k != "user"}
    return {**msg, "guild_id": str(fake.guild_id), "member": partial}


def interaction(
    fake: FakeDiscord,
    iid: int,
    token: str,
    kind: int,
    uid: int,
    data: dict[str, Any],
    channel: int | None,
    dm: bool,
    locale: str = "fr",
) -> dict[str, Any]:
    """INTERACTION_CREATE of any type (2 command, 3 component, 4 autocomplete, 5 modal), from
    a DM (`dm`) or from a guild channel or thread (`channel`, default the main channel)."""
    app_id, _ = _ids()
    base: dict[str, Any] = {
        "id": str(iid),
        "application_id": str(app_id),
        "type": kind,
        "token": token,
        "version": 1,
        "data": data,
        "locale": locale,
        "app_permissions": "2248473465835073",
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
        "authorizing_integration_owners": {"0": str(fake.guild_id)},
    }
    if dm:
        base["channel_id"] = str(channel)
        base["channel"] = dm_channel(fake, channel or 0, uid)
        base["user"] = user(uid, fake.users[uid])
        base["context"] = 1
        return base
    where = channel or fake.channel_id
    base["channel_id"] = str(where)
    base["channel"] = thread(fake, where) if where in fake.threads else guild_channel(fake, where)
    base["guild_id"] = str(fake.guild_id)
    base["guild_locale"] = "fr"
    base["member"] = member(fake, uid)
    base["context"] = 0
    return base
