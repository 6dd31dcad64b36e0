"""What Slack checks when a manifest is validated or an app created from it (apps.manifest.*),
as its manifest and events references state it; an independent transcription of the docs,
so a mistake in the bot's own table (bot/wiring/slack_manifest.py) shows here."""

from __future__ import annotations

import re
from typing import Any

# docs.slack.dev/reference/events/<event>, "Required scopes" (any one of them).
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "app_uninstalled": frozenset(),
    "tokens_revoked": frozenset(),
    "app_mention": frozenset({"app_mentions:read"}),
    "message.im": frozenset({"im:history"}),
    "message.channels": frozenset({"channels:history"}),
    "message.groups": frozenset({"groups:history"}),
    "message.mpim": frozenset({"mpim:history"}),
    "member_joined_channel": frozenset({"channels:read", "groups:read"}),
    "member_left_channel": frozenset({"channels:read", "groups:read"}),
    "channel_archive": frozenset({"channels:read"}),
    "channel_created": frozenset({"channels:read"}),
    "channel_deleted": frozenset({"channels:read"}),
    "channel_rename": frozenset({"channels:read"}),
    "group_archive": frozenset({"groups:read"}),
    "group_deleted": frozenset({"groups:read"}),
    "group_rename": frozenset({"groups:read"}),
    "im_created": frozenset({"im:read"}),
    "team_join": frozenset({"users:read"}),
    "user_change": frozenset({"users:read"}),
    "reaction_added": frozenset({"reactions:read"}),
    "file_shared": frozenset({"files:read"}),
    "link_shared": frozenset({"links:read"}),
}
# docs.slack.dev/reference/scopes?token_types=Bot (the ones an app like this could ask for).
BOT_SCOPES = frozenset(
    {
        "app_mentions:read",
        "channels:history",
        "channels:join",
        "channels:manage",
        "channels:read",
        "chat:write",
        "chat:write.public",
        "commands",
        "files:read",
        "files:write",
        "groups:history",
        "groups:read",
        "groups:write",
        "im:history",
        "im:read",
        "im:write",
        "links:read",
        "mpim:history",
        "mpim:read",
        "mpim:write",
        "reactions:read",
        "team:read",
        "users:read",
        "users:read.email",
    }
)
COMMAND = re.compile(r"/[a-z0-9_.\-]{1,31}")
BOT_NAME = re.compile(r"[a-z0-9._\-]{1,80}")

Problem = dict[str, str]


def _https(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("https://") and len(value) > 8


def problems(manifest: Any) -> list[Problem]:
    """Slack's `errors` for a manifest: a message and a JSON pointer each; empty when valid."""
    out: list[Problem] = []

    def bad(pointer: str, message: str) -> None:
        out.append({"message": message, "pointer": pointer})

    if not isinstance(manifest, dict):
        return [{"message": "The manifest must be an object", "pointer": "/"}]
    info = manifest.get("display_information") or {}
    name = info.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 35:
        bad("/display_information/name", "Must be between 1 and 35 characters")
    if len(str(info.get("description") or "")) > 140:
        bad("/display_information/description", "Must be at most 140 characters")
    long = info.get("long_description")
    if long is not None and not 174 <= len(str(long)) <= 4000:
        bad("/display_information/long_description", "Must be 174 to 4000 characters")
    settings = manifest.get("settings") or {}
    socket = settings.get("socket_mode_enabled") is True
    features = manifest.get("features") or {}
    scopes = (manifest.get("oauth_config") or {}).get("scopes") or {}
    bot_scopes = scopes.get("bot") or []
    for n, scope in enumerate(bot_scopes):
        if scope not in BOT_SCOPES:
            bad(f"/oauth_config/scopes/bot/{n}", f"Invalid scope: {scope}")
    if len(bot_scopes) > 255:
        bad("/oauth_config/scopes/bot", "At most 255 scopes")
    for n, redirect in enumerate((manifest.get("oauth_config") or {}).get("redirect_urls") or []):
        if not _https(redirect):
            bad(f"/oauth_config/redirect_urls/{n}", "Redirect URLs must use https")
    bot_user = features.get("bot_user")
    if bot_user is not None and not BOT_NAME.fullmatch(str(bot_user.get("display_name") or "")):
        bad("/features/bot_user/display_name", "Lowercase letters, digits, . - _ ; 1 to 80")
    home = features.get("app_home") or {}
    if home.get("messages_tab_read_only_enabled") and not home.get("messages_tab_enabled"):
        bad("/features/app_home", "The Messages tab must be enabled to be read-only")
    commands = features.get("slash_commands") or []
    if len(commands) > 50:
        bad("/features/slash_commands", "At most 50 slash commands")
    if commands and "commands" not in bot_scopes:
        bad("/oauth_config/scopes/bot", "Slash commands require the commands scope")
    for n, command in enumerate(commands):
        at = f"/features/slash_commands/{n}"
        if not COMMAND.fullmatch(str(command.get("command") or "")):
            bad(f"{at}/command", "A slash command is / then 1 to 31 lowercase characters")
        if not 1 <= len(str(command.get("description") or "")) <= 2000:
            bad(f"{at}/description", "Must be between 1 and 2000 characters")
        if len(str(command.get("usage_hint") or "")) > 1000:
            bad(f"{at}/usage_hint", "Must be at most 1000 characters")
        if not socket and not _https(command.get("url")):
            bad(f"{at}/url", "Slash commands require an https Request URL")
    events = settings.get("event_subscriptions") or {}
    bot_events = events.get("bot_events") or []
    if bot_events and bot_user is None:
        bad("/features/bot_user", "Bot events require a bot user")
    if bot_events and not socket and not _https(events.get("request_url")):
        bad(
            "/settings/event_subscriptions",
            "Event Subscription requires either Request URL or Socket Mode Enabled",
        )
    if len(bot_events) > 100:
        bad("/settings/event_subscriptions/bot_events", "At most 100 events")
    for n, event in enumerate(bot_events):
        at = f"/settings/event_subscriptions/bot_events/{n}"
        needs = EVENT_SCOPES.get(event)
        if needs is None:
            bad(at, f"Invalid event type: {event}")
        elif needs and not needs & set(bot_scopes):
            bad(at, f"Event {event} requires one of these bot scopes: {', '.join(sorted(needs))}")
    interactivity = settings.get("interactivity") or {}
    if (
        interactivity.get("is_enabled")
        and not socket
        and not _https(interactivity.get("request_url"))
    ):
        bad("/settings/interactivity", "Interactivity requires a Request URL")
    for flag in ("socket_mode_enabled", "org_deploy_enabled", "token_rotation_enabled"):
        if flag in settings and not isinstance(settings[flag], bool):
            bad(f"/settings/{flag}", "Must be a boolean")
    return out
