"""The Slack app manifest: scopes, `/tst`, events and interactivity, ready to paste."""

from __future__ import annotations

from typing import Any

from bot.config import SlackSettings

BOT_SCOPES = (
    "commands",  # /tst
    "chat:write",  # prompts, syntheses, replies
    "im:write",  # conversations.open for DMs
    "mpim:write",  # group DM fallback for sub-groups
    "groups:write",  # private channels for sub-groups (create, invite, archive)
    "users:read",  # users.info: name, timezone
    "files:write",  # charts
    "channels:read",
    "groups:read",
    "im:read",
)


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
    events: dict[str, Any] = {"bot_events": ["app_home_opened", "message.im"]}
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
