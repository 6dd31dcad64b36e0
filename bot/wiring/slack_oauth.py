"""Multi-workspace installs: bolt's OAuth flow with slack-sdk's SQLAlchemy stores in our DB."""

from __future__ import annotations

from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.chat import TokenFor
from bot.app import App
from bot.config import SlackSettings
from bot.wiring.slack_manifest import BOT_SCOPES


def authorization_url(api_base_url: str) -> str:
    """slack.com/api/ -> slack.com/oauth/v2/authorize (GovSlack and test fakes alike)."""
    root = api_base_url.rstrip("/")
    root = root[: -len("/api")] if root.endswith("/api") else root
    return f"{root}/oauth/v2/authorize"


async def oauth_options(
    settings: SlackSettings, app: App, client: AsyncWebClient
) -> tuple[dict[str, Any], TokenFor]:
    """Bolt options for /slack/install and /slack/oauth_redirect, and a token lookup by team.
    The tables (slack_bots, slack_installations, slack_oauth_states) are slack-sdk's own."""
    assert settings.client_id and settings.client_secret
    engine = app.store.engine
    installations = AsyncSQLAlchemyInstallationStore(settings.client_id, engine)
    await installations.create_tables()  # type: ignore[no-untyped-call]
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    await states.create_tables()  # type: ignore[no-untyped-call]
    oauth = AsyncOAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        installation_store=installations,
        state_store=states,
        authorization_url=authorization_url(settings.api_base_url),
    )

    async def token_for(team: str) -> str | None:
        bot = await installations.async_find_bot(enterprise_id=None, team_id=team)
        return bot.bot_token if bot is not None else None

    return {"oauth_settings": oauth, "installation_store": installations}, token_for
