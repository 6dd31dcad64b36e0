"""The manifest `tst slack manifest` prints installs: each bot event has the scope Slack
requires for it, and Slack's other checks pass, in HTTP and Socket Mode, with and without
OAuth; the fake's apps.manifest.validate refuses what Slack refuses."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fakes import slack_manifest
from fakes.slack_api import FakeSlack
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.config import SlackSettings
from bot.wiring.slack_manifest import BOT_EVENTS, EVENT_SCOPES, manifest, missing_scopes

VARIANTS = {
    "http": SlackSettings(),
    "http, several workspaces": SlackSettings(client_id="1.2", client_secret="s"),
    "socket": SlackSettings(mode="socket"),
}


@pytest.fixture
async def slack() -> AsyncIterator[tuple[FakeSlack, AsyncWebClient]]:
    fake = await FakeSlack().start()
    client = AsyncWebClient(token="xoxe.xoxp-1-config", base_url=fake.base_url)
    yield fake, client
    await fake.stop()


async def validate(client: AsyncWebClient, body: dict[str, Any]) -> dict[str, Any]:
    try:
        return dict((await client.apps_manifest_validate(manifest=body)).data)  # type: ignore[arg-type]
    except SlackApiError as refused:
        return dict(refused.response.data)  # type: ignore[arg-type]


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_bot_event_has_the_scope_slack_requires(variant: str) -> None:
    body = manifest(VARIANTS[variant], "https://tst.example.org")
    events = body["settings"]["event_subscriptions"]["bot_events"]
    scopes = body["oauth_config"]["scopes"]["bot"]
    assert "message.im" in events and "im:history" in scopes
    assert missing_scopes(events, scopes) == {}
    assert len(set(scopes)) == len(scopes)


def test_the_table_says_what_is_missing() -> None:
    assert missing_scopes(["message.im", "app_mention"], ["chat:write"]) == {
        "message.im": ("im:history",),
        "app_mention": ("app_mentions:read",),
    }
    assert missing_scopes(["member_joined_channel"], ["groups:read"]) == {}
    assert missing_scopes(["app_home_opened", "tokens_revoked"], []) == {}
    assert missing_scopes(["no_such_event"], ["chat:write"]) == {"no_such_event": ()}


def test_the_bots_table_agrees_with_slacks_docs_as_the_fake_reads_them() -> None:
    """Two transcriptions of Slack's events reference, one in the bot, one in the fake."""
    assert {e: frozenset(s) for e, s in EVENT_SCOPES.items()} == slack_manifest.EVENT_SCOPES


def test_removal_events_are_subscribed_and_cost_no_scope() -> None:
    assert {"app_uninstalled", "tokens_revoked"} <= set(BOT_EVENTS)
    assert EVENT_SCOPES["app_uninstalled"] == EVENT_SCOPES["tokens_revoked"] == ()


@pytest.mark.parametrize("variant", VARIANTS)
async def test_slack_validates_each_manifest(
    variant: str, slack: tuple[FakeSlack, AsyncWebClient]
) -> None:
    _fake, client = slack
    answer = await validate(client, manifest(VARIANTS[variant], "https://tst.example.org"))
    assert answer == {"ok": True}


async def test_slack_refuses_a_dm_event_without_im_history(
    slack: tuple[FakeSlack, AsyncWebClient],
) -> None:
    """main's manifest before this fix: message.im subscribed, im:history not requested."""
    _fake, client = slack
    body = manifest(SlackSettings(), "https://tst.example.org")
    body["oauth_config"]["scopes"]["bot"].remove("im:history")
    answer = await validate(client, body)
    n = body["settings"]["event_subscriptions"]["bot_events"].index("message.im")
    assert answer == {
        "ok": False,
        "error": "invalid_manifest",
        "errors": [
            {
                "message": "Event message.im requires one of these bot scopes: im:history",
                "pointer": f"/settings/event_subscriptions/bot_events/{n}",
            }
        ],
    }


async def test_slack_refuses_what_its_manifest_reference_forbids(
    slack: tuple[FakeSlack, AsyncWebClient],
) -> None:
    _fake, client = slack
    body = manifest(SlackSettings(), "http://tst.example.org")  # not https
    body["features"]["slash_commands"][0]["command"] = "/TST Facilitation"
    body["display_information"]["name"] = "T" * 36
    answer = await validate(client, body)
    pointers = {e["pointer"] for e in answer["errors"]}
    assert answer["error"] == "invalid_manifest"
    assert pointers == {
        "/display_information/name",
        "/features/slash_commands/0/command",
        "/features/slash_commands/0/url",
        "/settings/event_subscriptions",
        "/settings/interactivity",
    }
    socket = manifest(SlackSettings(mode="socket"))
    socket["settings"]["socket_mode_enabled"] = False  # no URLs, and no Socket Mode either
    refused = await validate(client, socket)
    assert {e["pointer"] for e in refused["errors"]} == {
        "/features/slash_commands/0/url",
        "/settings/event_subscriptions",
        "/settings/interactivity",
    }


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_the_printed_manifest_validates(
    mode: str, tmp_path: Path, slack: tuple[FakeSlack, AsyncWebClient]
) -> None:
    config = tmp_path / "tst.toml"
    config.write_text(f'[slack]\nmode = "{mode}"\n', "utf-8")
    printed = CliRunner().invoke(
        cli, ["slack", "manifest", "--url", "https://tst.example.org", "--config", str(config)]
    )
    assert printed.exit_code == 0, printed.output
    body = json.loads(printed.output)
    assert body["settings"]["socket_mode_enabled"] is (mode == "socket")
    _fake, client = slack
    assert await validate(client, body) == {"ok": True}
