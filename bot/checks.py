"""`tst check`, and the same checks before `tst run` touches anything: can the bot work here?"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from bot.cli_support import describe, safe_url, sqlite_file
from bot.config import Settings


@dataclass(frozen=True)
class Check:
    """One line of the check: what was tried, whether it passed, and what to do if not."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.name}: {self.detail}"


async def database(url: str) -> Check:
    """The database answers and its schema is one this version can use (or upgrade)."""
    from bot.storage.migrate import current_revision, head_revision, known_revisions

    name = f"database {safe_url(url)}"
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        if not path.parent.is_dir():
            return Check(name, False, f"folder {path.parent} does not exist: create it")
        return Check(name, True, "no file yet: tst run creates it")
    try:
        current = await current_revision(url)
    except Exception as error:  # every way a database can fail to answer ends in one line
        return Check(name, False, describe(error) + ": start it, or fix database.url")
    head = head_revision()
    if current is None:
        return Check(name, True, "reachable, no tables yet: tst run creates them")
    if current == head:
        return Check(name, True, f"reachable, schema {current} (current)")
    if current in known_revisions():
        return Check(name, True, f"reachable, schema {current}: upgraded to {head} at start")
    return Check(
        name, False, f"schema {current} is newer than this tst-bot ({head}): upgrade tst-bot"
    )


def port_free(what: str, host: str, port: int) -> Check:
    """Nothing else listens where the bot will (port 0 lets the system choose)."""
    name = f"{what} port {host}:{port}"
    if port == 0:
        return Check(name, True, "any free port")
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return Check(name, False, f"{error.strerror}: stop what uses it or choose another")
    return Check(name, True, "free")


async def preflight(settings: Settings, file: Path | None, starting: bool) -> list[Check]:
    """Every check, one line each. `starting`: before `tst run`, where a missing database or
    an older schema is normal (the start creates or upgrades it)."""
    enabled = [n for n in ("slack", "discord") if getattr(settings, n) is not None]
    found = [Check("settings", True, f"complete for {', '.join(enabled)}")]
    found.append(await database(settings.database.url))
    http_on_slack = settings.slack is not None and settings.slack.mode == "http"
    if settings.slack is not None:
        from bot.wiring.slack_check import slack_checks

        found += await slack_checks(settings.slack)
        if http_on_slack:
            found.append(port_free("Slack HTTP", settings.slack.host, settings.slack.port))
    if settings.discord is not None:
        from bot.wiring.discord_check import discord_checks

        found += await discord_checks(settings.discord)
    if settings.http.enabled and not http_on_slack:
        found.append(port_free("probes (/healthz)", settings.http.host, settings.http.port))
    return found
