"""The links and the settings behind the web pages, without a browser: who may ask for a
link, what the DM says, what a token proves, and a configuration refused before anything runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from engine_helpers import Session, replies
from typer.testing import CliRunner
from web_world import SECRET, WebWorld

from bot.cli import app as cli
from bot.config import ConfigError, load_settings
from bot.core.effects import SendLink
from bot.flows.command_table import TABLE
from bot.flows.context import Policy
from bot.storage import orm
from bot.web.tokens import LINK, SESSION, Refusal, Signer

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_the_french_alias_of_dashboard_is_suivi_and_tableau_stays_the_board() -> None:
    assert TABLE.parse("suivi").name == "dashboard"
    assert TABLE.parse("tableau-de-bord").name == "dashboard"
    assert TABLE.parse("tableau voir").name == "board"
    assert TABLE.parse("mesdonnees").name == "mydata"


def test_dashboard_is_the_facilitators_and_needs_the_pages_switched_on() -> None:
    off = Session()
    off.group_with("ana")
    assert replies(off.cmd("dashboard")) == ["web.off"]
    on = Session(policy=Policy(web=True))
    on.group_with("ana")
    assert replies(on.cmd("dashboard", user="ana")) == ["error.facilitator_only"]
    outcome = on.cmd("dashboard")
    assert SendLink("fac", "dashboard") in outcome.effects  # type: ignore[arg-type]
    assert replies(outcome) == ["web.link_coming"]


def test_mydata_adds_a_link_only_when_the_pages_are_served() -> None:
    off = Session()
    off.group_with("ana")
    assert not [e for e in off.cmd("mydata", user="ana").effects if isinstance(e, SendLink)]
    on = Session(policy=Policy(web=True))
    on.group_with("ana")
    links = [e for e in on.cmd("mydata", user="ana").effects if isinstance(e, SendLink)]
    assert links == [SendLink("ana", "mydata")]  # type: ignore[arg-type]


async def test_the_dm_carries_a_link_that_no_database_row_holds(web: WebWorld) -> None:
    link = await web.link("dashboard")
    dm = web.chat.log[-1].message.plain()
    assert link.startswith(f"{web.base_url}/web/link/") and "15" in dm
    token = link.rsplit("/", 1)[1]
    rows = await web.world.rows(orm.OutboxRow)
    assert all(token not in repr(r.payload) for r in rows)
    assert any(r.kind == "link" and r.payload["page"] == "dashboard" for r in rows)


def test_a_token_proves_only_what_it_was_signed_for() -> None:
    signer = Signer(SECRET)
    token, granted = signer.issue(
        LINK, "mydata", "slack", "T1", "U1", "fr", NOW, timedelta(minutes=15)
    )
    assert signer.read(LINK, token, NOW) == granted
    with pytest.raises(Refusal, match="forged"):
        signer.read(SESSION, token, NOW)  # a link is not a session cookie
    with pytest.raises(Refusal, match="forged"):
        Signer(SECRET + "x").read(LINK, token, NOW)  # another deployment's secret
    body, mac = token.split(".")
    with pytest.raises(Refusal, match="forged"):
        signer.read(LINK, body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + mac, NOW)
    with pytest.raises(Refusal, match="expired") as expired:
        signer.read(LINK, token, NOW + timedelta(minutes=15))
    assert expired.value.locale == "fr"  # the refusal speaks the holder's language
    _token, session = signer.issue(
        SESSION, "mydata", "slack", "T1", "U1", "fr", NOW, timedelta(hours=1)
    )
    other, _ = signer.issue(SESSION, "mydata", "slack", "T1", "U1", "fr", NOW, timedelta(hours=1))
    assert signer.csrf_ok(session, signer.csrf(session))
    assert not signer.csrf_ok(session, signer.csrf(signer.read(SESSION, other, NOW)))
    assert not signer.csrf_ok(session, "")


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("enabled = true\nsecret = '" + SECRET + "'", "web.public_url"),
        ("enabled = true\npublic_url = 'https://tst.example.org'", "web.secret"),
        ("public_url = 'https://tst.example.org'\nsecret = 'short'", "web.secret"),
        ("public_url = 'http://tst.example.org'", "web.public_url"),
        ("public_url = 'https://tst.example.org/?x=1'", "web.public_url"),
        ("link_minutes = 0", "web.link_minutes"),
    ],
)
def test_a_bad_web_setting_is_named_and_the_cli_exits_with_2(
    tmp_path: Path, section: str, key: str
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(f"[web]\n{section}\n")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_settings(cfg)
    result = CliRunner().invoke(cli, ["db", "upgrade", "--config", str(cfg)])
    assert result.exit_code == 2 and key in result.output


def test_the_pages_need_the_http_server_they_share(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f"[http]\nenabled = false\n[web]\nenabled = true\nsecret = '{SECRET}'\n"
        "public_url = 'https://tst.example.org'\n"
    )
    with pytest.raises(ConfigError, match=r"http\.enabled"):
        load_settings(cfg)


def test_plain_http_only_for_a_loopback_address(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f"[web]\nenabled = true\nsecret = '{SECRET}'\npublic_url = 'http://localhost:8080/'\n"
    )
    web = load_settings(cfg).web
    assert web.public_url == "http://localhost:8080" and web.plain_http


def test_on_discord_the_live_page_is_a_button_under_the_facilitators_status() -> None:
    """Discord allows 25 sub-commands, all taken: the status carries a button instead."""
    from bot.core.effects import Reply
    from bot.core.events import ChoiceMade

    assert not TABLE.spec("dashboard").slash
    on = Session(policy=Policy(web=True))
    on.group_with("ana")
    status = on.cmd("status")
    buttons = [b for e in status.effects if isinstance(e, Reply) for b in e.message.buttons]
    # The private notes and templates are buttons there too (bot/flows/notes.py).
    assert [b.action for b in buttons] == ["notes", "tform", "dashboard"]
    assert "web.status" not in replies(on.cmd("status", user="ana"))
    assert on.state is not None
    pressed = on.feed(ChoiceMade(on.meta("fac", None), on.state.id, "dashboard"))
    assert SendLink("fac", "dashboard") in pressed.effects  # type: ignore[arg-type]
    refused = on.feed(ChoiceMade(on.meta("ana", None), on.state.id, "dashboard"))
    assert replies(refused) == ["error.facilitator_only"]
