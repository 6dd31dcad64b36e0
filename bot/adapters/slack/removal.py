"""app_uninstalled and tokens_revoked: the bot says so (bot/departure.py closes the workspace's
interventions and stops its deliveries), and its installation and cached data go."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from bot.core.ports import WorkspaceRemoved

from .chat import SlackChat

log = logging.getLogger(__name__)
PLATFORM = "slack"


class Installations(Protocol):
    """The part of slack-sdk's installation store used here (OAuth, several workspaces)."""

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None) -> Any: ...

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None: ...


def takes_the_bot_away(event: dict[str, Any]) -> bool:
    """app_uninstalled always; tokens_revoked when the bot's own token is among them (user
    tokens, which this app never asks for, change nothing)."""
    if event.get("type") == "app_uninstalled":
        return True
    return bool((event.get("tokens") or {}).get("bot"))


async def removed(
    workspace_removed: WorkspaceRemoved,
    chat: SlackChat,
    installations: Installations | None,
    body: dict[str, Any],
) -> None:
    """Everything the bot does when Slack says it was removed from a workspace. Slack sends
    both events, in either order, and may send each again: each step is idempotent, and the
    first notice of the day is logged at WARNING, the others at INFO."""
    event = body["event"]
    team, kind = str(body["team_id"]), str(event["type"])
    if not takes_the_bot_away(event):
        log.info("slack: user tokens revoked in %s; the bot's own token still works", team)
        return
    done = await workspace_removed(PLATFORM, team, str(body["event_id"]))
    dropped = False
    if installations is not None:
        dropped = await installations.async_find_bot(enterprise_id=None, team_id=team) is not None
        await installations.async_delete_all(enterprise_id=None, team_id=team)
    chat.forget_workspace(team)
    token = (
        "its installation was deleted"
        if dropped
        else "the configured bot token no longer works"
        if installations is None
        else "no installation was left"
    )
    log.log(
        logging.WARNING if done.first_today else logging.INFO,
        "slack: the app was removed from workspace %s (%s): %d intervention(s) closed, "
        "%d pending delivery(ies) stopped, %s; the answers stay until the retention purge, "
        "%d days after closing",
        team,
        kind,
        done.closed,
        done.stopped,
        token,
        done.retention_days,
    )
