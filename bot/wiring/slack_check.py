"""`tst check` for Slack: the token is accepted and carries every scope the manifest asks for."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.checks import Check
from bot.config import SlackSettings
from bot.wiring.slack_manifest import manifest

# What each auth.test error means for the person installing the bot.
AUTH_HINTS = {
    "invalid_auth": "the token is refused: copy the Bot User OAuth Token (xoxb-…) again",
    "not_authed": "no token was sent: set slack.bot_token",
    "account_inactive": "the app was uninstalled or its user deactivated: reinstall the app",
    "token_revoked": "the token was revoked: reinstall the app and copy the new token",
}


async def slack_checks(settings: SlackSettings) -> list[Check]:
    if settings.bot_token is None:
        return [Check("Slack", True, "installed per workspace (OAuth): tokens come at install")]
    name = "Slack token (auth.test)"
    client = AsyncWebClient(
        token=settings.bot_token.get_secret_value(), base_url=settings.api_base_url, timeout=10
    )
    try:
        reply = await client.auth_test()
    except SlackApiError as error:
        code = str(error.response.get("error", "unknown"))
        return [Check(name, False, AUTH_HINTS.get(code, f"Slack answered {code}"))]
    except Exception as error:  # unreachable, TLS, timeout: one line whatever the cause
        reason = str(error) or type(error).__name__
        return [Check(name, False, f"cannot reach {settings.api_base_url}: {reason}")]
    team = f"{reply.get('team', '?')} ({reply.get('team_id', '?')})"
    found = [Check(name, True, f"accepted for workspace {team}")]
    granted = {s.strip() for s in str(reply.headers.get("x-oauth-scopes", "")).split(",")}
    wanted = manifest(settings)["oauth_config"]["scopes"]["bot"]
    missing = [s for s in wanted if s not in granted]
    scopes = "Slack scopes"
    if missing:
        found.append(
            Check(
                scopes,
                False,
                f"missing {', '.join(missing)}: update the app from `tst slack manifest` "
                "and reinstall it to the workspace",
            )
        )
    else:
        found.append(Check(scopes, True, f"all {len(wanted)} the manifest asks for"))
    return found
