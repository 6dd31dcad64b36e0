"""`tst check` for Discord: the token logs in, /tst is registered, and in each configured guild
the bot holds every permission it needs (computed from its roles, as Discord does)."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.checks import Check
from bot.config import DiscordSettings

# The bot's permissions (README, "Discord, step by step"): View Channels, Send Messages, Send
# Messages in Threads, Create Private Threads, Manage Threads, Attach Files, Read Message
# History; with private channels for sub-groups, Manage Channels and Manage Roles too.
NEEDED = 360777354240
NEEDED_WITH_CHANNELS = NEEDED | (1 << 4) | (1 << 28)
ADMINISTRATOR = 1 << 3
NAMES = {
    1 << 4: "Manage Channels",
    1 << 10: "View Channels",
    1 << 11: "Send Messages",
    1 << 15: "Attach Files",
    1 << 16: "Read Message History",
    1 << 28: "Manage Roles",
    1 << 34: "Manage Threads",
    1 << 36: "Create Private Threads",
    1 << 38: "Send Messages in Threads",
}


class Refused(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


def granted(everyone: int, roles: list[dict[str, Any]], member_roles: list[str]) -> int:
    """A member's guild-level permissions: @everyone's, plus each of their roles'."""
    total = everyone
    for role in roles:
        if role["id"] in member_roles:
            total |= int(role["permissions"])
    return -1 if total & ADMINISTRATOR else total


async def discord_checks(settings: DiscordSettings) -> list[Check]:
    if settings.token is None:
        return []
    base = settings.api_base_url.rstrip("/")
    headers = {"Authorization": f"Bot {settings.token.get_secret_value()}"}
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(headers=headers, timeout=timeout) as http:

        async def get(path: str) -> Any:
            async with http.get(base + path) as response:
                body = await response.json(content_type=None)
                if response.status >= 400:
                    raise Refused(response.status, body)
                return body

        try:
            me = await get("/users/@me")
        except Refused as error:
            hint = "the token is refused: reset it under Bot → Token and copy it again"
            return [Check("Discord login", False, hint if error.status == 401 else str(error))]
        except (aiohttp.ClientError, TimeoutError) as error:
            reason = str(error) or type(error).__name__
            return [Check("Discord login", False, f"cannot reach {base}: {reason}")]
        found = [Check("Discord login", True, f"as {me.get('username', '?')} ({me['id']})")]
        app = await get("/oauth2/applications/@me")
        found.append(Check("Discord application", True, f"id {app['id']}"))
        found += [await _commands(get, app["id"], settings.guild_ids)]
        needed = NEEDED_WITH_CHANNELS if settings.subgroup_category_id else NEEDED
        for guild in settings.guild_ids:
            found.append(await _permissions(get, guild, me["id"], needed))
    return found


async def _commands(get: Any, app_id: str, guilds: list[int]) -> Check:
    scopes = [f"/applications/{app_id}/guilds/{g}/commands" for g in guilds]
    names = set()
    for path in [f"/applications/{app_id}/commands", *scopes]:
        try:
            names |= {c["name"] for c in await get(path)}
        except Refused:
            continue  # a guild the bot is not in: its own line says so
    if "tst" in names:
        return Check("Discord /tst command", True, "registered")
    return Check("Discord /tst command", True, "not registered yet: tst run registers it")


async def _permissions(get: Any, guild: int, bot_id: str, needed: int) -> Check:
    name = f"Discord permissions in guild {guild}"
    try:
        roles = await get(f"/guilds/{guild}/roles")
        member = await get(f"/guilds/{guild}/members/{bot_id}")
    except Refused:
        return Check(name, False, "the bot is not in this guild: open the invite URL (README)")
    everyone = next((int(r["permissions"]) for r in roles if r["id"] == str(guild)), 0)
    have = granted(everyone, roles, member.get("roles", []))
    lacking = [label for bit, label in NAMES.items() if needed & bit and not have & bit]
    if lacking:
        return Check(
            name,
            False,
            f"missing {', '.join(lacking)}: give the bot's role these (or "
            f"re-invite it with permissions integer {needed})",
        )
    return Check(name, True, "all it needs")
