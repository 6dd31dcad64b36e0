"""Complete Discord payload shapes (discord-api-docs), as the fake sends them; parser-checked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .discord_gateway import FakeDiscord

STAMP = "2026-03-02T08:00:00.000000+00:00"
ADMIN = str(1 << 3)


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
        "user": user(uid, fake.users[uid]),
        "nick": None,
        "avatar": None,
        "roles": [],
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
    from .discord_gateway import APP_ID, BOT_ID

    return {
        "id": str(APP_ID),
        "name": "tst-bot",
        "description": "",
        "icon": None,
        "bot_public": False,
        "bot_require_code_grant": False,
        "owner": user(BOT_ID + 1, "owner"),
        "verify_key": "00" * 32,
        "flags": 0,
        "team": None,
    }


def gateway_bot(url: str) -> dict[str, Any]:
    return {
        "url": url,
        "shards": 1,
        "session_start_limit": {
            "total": 1000,
            "remaining": 1000,
            "reset_after": 0,
            "max_concurrency": 1,
        },
    }


def ready(fake: FakeDiscord, session_id: str, shard: tuple[int, int]) -> dict[str, Any]:
    from .discord_gateway import APP_ID, BOT_ID

    return {
        "v": 10,
        "user": user(BOT_ID, fake.users[BOT_ID], bot=True),
        "guilds": [{"id": str(fake.guild_id), "unavailable": True}],
        "session_id": session_id,
        "resume_gateway_url": fake.ws_url,
        "shard": list(shard),
        "application": {"id": str(APP_ID), "flags": 0},
        "private_channels": [],
        "relationships": [],
    }


def text_channel(fake: FakeDiscord) -> dict[str, Any]:
    return {
        "id": str(fake.channel_id),
        "type": 0,
        "guild_id": str(fake.guild_id),
        "name": "equipe",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def guild(fake: FakeDiscord) -> dict[str, Any]:
    gid = str(fake.guild_id)
    return {
        "id": gid,
        "name": "Team",
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(min(u for u in fake.users if u != _bot_id())),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [
            {
                "id": gid,
                "name": "@everyone",
                "color": 0,
                "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                "hoist": False,
                "icon": None,
                "unicode_emoji": None,
                "position": 0,
                "permissions": "1071698660929",
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
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
        "members": [member(fake, _bot_id())],
        "channels": [text_channel(fake)],
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def _bot_id() -> int:
    from .discord_gateway import BOT_ID

    return BOT_ID


def dm_channel(fake: FakeDiscord, cid: int, uid: int) -> dict[str, Any]:
    return {
        "id": str(cid),
        "type": 1,
        "last_message_id": None,
        "recipients": [user(uid, fake.users[uid])],
        "flags": 0,
    }


def thread(fake: FakeDiscord, tid: int, t: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(tid),
        "type": t["type"],
        "guild_id": str(fake.guild_id),
        "parent_id": str(t["parent_id"]),
        "owner_id": str(_bot_id()),
        "name": t["name"],
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": len(t["members"]),
        "flags": 0,
        "thread_metadata": {
            "archived": t["thread_metadata"]["archived"],
            "locked": t["thread_metadata"]["locked"],
            "auto_archive_duration": 10080,
            "archive_timestamp": STAMP,
            "invitable": t["invitable"],
            "create_timestamp": STAMP,
        },
    }


def message(
    fake: FakeDiscord, mid: int, cid: int | None, body: dict[str, Any], webhook: bool = False
) -> dict[str, Any]:
    from .discord_gateway import APP_ID, BOT_ID

    out = {
        "id": str(mid),
        "channel_id": str(cid or fake.channel_id),
        "author": user(BOT_ID, fake.users[BOT_ID], bot=True),
        "content": body.get("content", ""),
        "timestamp": STAMP,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": body.get("flags", 0),
        "components": body.get("components", []),
    }
    if "nonce" in body:
        out["nonce"] = body["nonce"]
    if webhook:
        out["webhook_id"] = str(APP_ID)
        out["application_id"] = str(APP_ID)
    return out


def interaction(
    fake: FakeDiscord,
    iid: int,
    token: str,
    kind: int,
    uid: int,
    data: dict[str, Any],
    channel: int | None,
    dm: bool,
) -> dict[str, Any]:
    from .discord_gateway import APP_ID

    base: dict[str, Any] = {
        "id": str(iid),
        "application_id": str(APP_ID),
        "type": kind,
        "token": token,
        "version": 1,
        "data": data,
        "locale": "fr",
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
    else:
        base["channel_id"] = str(fake.channel_id)
        base["channel"] = text_channel(fake)
        base["guild_id"] = str(fake.guild_id)
        base["guild_locale"] = "fr"
        base["member"] = member(fake, uid)
        base["context"] = 0
    return base
