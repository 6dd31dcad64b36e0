"""The Slack app manifest: scopes, `/tst`, events and interactivity, ready to paste."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.config import SlackSettings

# The bot scope each event needs, from the "Required scopes" of Slack's events reference
# (docs.slack.dev/reference/events/<event>); any one of several alternatives will do, and
# an empty tuple means none. Slack refuses to install a manifest whose bot events lack their
# scope (invalid_manifest), so `manifest()` derives the scopes from the events below.
EVENT_SCOPES: Mapping[str, tuple[str, ...]] = {
    "app_home_opened": (),
    "app_uninstalled": (),
    "tokens_revoked": (),
    "app_mention": ("app_mentions:read",),
    "message.im": ("im:history",),
    "message.channels": ("channels:history",),
    "message.groups": ("groups:history",),
    "message.mpim": ("mpim:history",),
    "member_joined_channel": ("channels:read", "groups:read"),
    "member_left_channel": ("channels:read", "groups:read"),
    "channel_archive": ("channels:read",),
    "channel_created": ("channels:read",),
    "channel_deleted": ("channels:read",),
    "channel_rename": ("channels:read",),
    "group_archive": ("groups:read",),
    "group_deleted": ("groups:read",),
    "group_rename": ("groups:read",),
    "im_created": ("im:read",),
    "team_join": ("users:read",),
    "user_change": ("users:read",),
    "reaction_added": ("reactions:read",),
    "file_shared": ("files:read",),
    "link_shared": ("links:read",),
}
# What the bot listens to: the Home tab, DMs written to it (answered with a pointer to the
# buttons, never stored), and its own removal from a workspace (app.py, removal.py).
BOT_EVENTS = ("app_home_opened", "message.im", "app_uninstalled", "tokens_revoked")
USED_SCOPES = (
    "commands",  # /tst
    "chat:write",  # prompts, syntheses, replies
    "im:write",  # conversations.open for DMs
    "mpim:write",  # group DM fallback for sub-groups
    "groups:write",  # private channels for sub-groups (create, invite, archive)
    "users:read",  # users.info: name, timezone
    "files:write",  # the report files uploaded to the facilitator's DM
    "channels:read",
    "groups:read",
    "im:read",
)


def missing_scopes(events: Iterable[str], scopes: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The events whose required scope is not among `scopes` (with what would do), and
    events Slack's reference does not list here (with an empty tuple)."""
    granted = set(scopes)
    missing: dict[str, tuple[str, ...]] = {}
    for event in events:
        needs = EVENT_SCOPES.get(event)
        if needs is None or (needs and not granted & set(needs)):
            missing[event] = needs or ()
    return missing


def scopes_for(events: Iterable[str], used: Iterable[str]) -> tuple[str, ...]:
    """`used`, then the first alternative of each event whose need is not met yet."""
    scopes = list(used)
    for event in events:
        needs = EVENT_SCOPES[event]
        if needs and not set(scopes) & set(needs):
            scopes.append(needs[0])
    return tuple(scopes)


BOT_SCOPES = scopes_for(BOT_EVENTS, USED_SCOPES)


def manifest(settings: SlackSettings, public_url: str = "https://example.org") -> dict[str, Any]:
    """In Socket Mode Slack needs no URL; in HTTP mode every request goes to `path`."""
    socket = settings.mode == "socket"
    url = public_url.rstrip("/") + settings.path
    command: dict[str, Any] = {
        "command": "/tst",
        "description": "TST facilitation: /tst help",
        "usage_hint": "help | start <title> | round open <round> | ...",
        # Mentions arrive as <@U…|name>, which the command grammar reads as user ids.
        "should_escape": True,
    }
    interactivity: dict[str, Any] = {"is_enabled": True}
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    if not socket:
        command["url"] = url
        interactivity["request_url"] = url
        events["request_url"] = url
    settings_block: dict[str, Any] = {
        "interactivity": interactivity,
        "event_subscriptions": events,
        "org_deploy_enabled": False,
        "socket_mode_enabled": socket,
        "token_rotation_enabled": False,
    }
    oauth: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if settings.client_id:
        oauth["redirect_urls"] = [public_url.rstrip("/") + "/slack/oauth_redirect"]
    return {
        "display_information": {
            "name": "TST",
            "description": "Assists a facilitator running the Thérapie Sociale process.",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "tst", "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": oauth,
        "settings": settings_block,
    }
