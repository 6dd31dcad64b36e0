"""The `tst` command line: run, check, list, report, demo, database and grouping tools."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

import typer

from bot.cli_support import UserError, describe, require_database, require_schema
from bot.config import ConfigError, Settings, load_settings, missing_for_platforms
from bot.grouping.cli import grouping_app

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="tst-bot: assist a facilitator running the TST process.",
)
db_app = typer.Typer(no_args_is_help=True, help="Database maintenance.")
app.add_typer(db_app, name="db")
app.add_typer(grouping_app, name="grouping", help="Heterogeneous sub-group solver.")

ConfigOption = Annotated[Path | None, typer.Option("--config", help="TOML settings file.")]


def _settings(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except ConfigError as error:
        typer.echo(f"configuration error: {error}", err=True)
        raise typer.Exit(2) from None


def _platform_settings(config: Path | None) -> Settings:
    """Settings that can serve: each enabled platform has what it needs (exit 2 otherwise)."""
    settings = _settings(config)
    lacking = missing_for_platforms(settings, config)
    if settings.slack is None and settings.discord is None:
        lacking.append(
            "no platform configured: add a [slack] or [discord] section "
            "(or TSTBOT_SLACK__BOT_TOKEN / TSTBOT_DISCORD__TOKEN)"
        )
    for line in lacking:
        typer.echo(f"configuration error: {line}", err=True)
    if lacking:
        raise typer.Exit(2)
    return settings


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"tst-bot {version('tst-bot')}")
        raise typer.Exit()


@app.callback()
def root(
    _version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    _debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an error.")
    ] = False,
) -> None:
    """tst-bot: assist a facilitator running the TST process."""


@app.command()
def run(
    config: ConfigOption = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Dispatcher processes")] = 1,
) -> None:
    """Serve the configured platforms (Slack, Discord) with the dispatcher and scheduler."""
    import multiprocessing

    from bot.checks import preflight
    from bot.logs import configure_logging

    settings = _platform_settings(config)
    if workers > 1 and settings.database.url.startswith("sqlite"):
        typer.echo("--workers needs PostgreSQL (SQLite serves one process)", err=True)
        raise typer.Exit(2)
    # The same checks as `tst check`, before anything is migrated or served.
    failed = [c for c in asyncio.run(preflight(settings, config, starting=True)) if not c.ok]
    for check in failed:
        typer.echo(check.line(), err=True)
    if failed:
        raise typer.Exit(1)
    configure_logging(settings)
    with _shared_metrics(workers):
        from bot.serve import serve  # imports prometheus_client: after the directory is set

        extra = [
            multiprocessing.Process(target=_dispatch_only, args=(config,), daemon=True)
            for _ in range(workers - 1)
        ]
        for process in extra:
            process.start()
        asyncio.run(serve(settings))


@contextlib.contextmanager
def _shared_metrics(workers: int) -> Iterator[None]:
    """With several processes, a directory where each one's counters are written for the one
    serving /metrics to add up (prometheus_client's multi-process mode, chosen once, when it
    is first imported). An operator's own PROMETHEUS_MULTIPROC_DIR is used as it is."""
    if workers == 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    shared = tempfile.mkdtemp(prefix="tst-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = shared
    try:
        yield
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def _dispatch_only(config: Path | None) -> None:
    """An extra worker: claims and delivers outbox rows, shares the database with the others."""
    from bot.logs import configure_logging
    from bot.serve import dispatch_forever

    settings = _settings(config)
    configure_logging(settings)
    asyncio.run(dispatch_forever(settings))


slack_app = typer.Typer(no_args_is_help=True, help="Slack helpers.")
app.add_typer(slack_app, name="slack")


@slack_app.command("manifest")
def slack_manifest(
    url: Annotated[
        str, typer.Option(help="Public base URL of the bot (HTTP mode)")
    ] = "https://tst.example.org",
    config: ConfigOption = None,
) -> None:
    """Print the Slack app manifest (scopes, /tst, events, interactivity): paste it to install."""
    import json

    from bot.config import SlackSettings
    from bot.wiring.slack_manifest import manifest

    settings = _settings(config)
    typer.echo(
        json.dumps(manifest(settings.slack or SlackSettings(), url), indent=2, ensure_ascii=False)
    )


@app.command()
def demo(
    locale: Annotated[str, typer.Option(help="fr or en")] = "fr",
    participants: Annotated[int, typer.Option(min=4, max=18)] = 9,
    seed: int = 7,
    out: Path = Path("demo-out"),
) -> None:
    """Run a whole seven-step intervention with simulated participants (SQLite, in-memory chat)."""
    from bot.demo.run import run_demo

    if locale not in ("fr", "en"):
        typer.echo("--locale must be fr or en", err=True)
        raise typer.Exit(2)
    chosen: Literal["fr", "en"] = "fr" if locale == "fr" else "en"
    started = time.perf_counter()
    folder = asyncio.run(run_demo(chosen, participants, seed, out, say=typer.echo))
    typer.echo(
        f"done in {time.perf_counter() - started:.1f}s; wrote {folder}/transcript.txt, "
        f"report.{{md,html,csv}} (the group's), report-facilitator.{{md,html,csv}}, tst.db"
    )


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply the database migrations (the bot also does it on start)."""
    from bot.storage.migrate import upgrade

    settings = _settings(config)
    upgrade(settings.database.url)
    typer.echo("database is up to date")


@db_app.command("purge")
def db_purge(
    config: ConfigOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be purged, change nothing.")
    ] = False,
) -> None:
    """Delete the raw answers of interventions closed longer ago than `defaults.retention_days`
    (`tst run` also does it once a day)."""
    from bot.core.ports import SystemClock
    from bot.storage.retention import Expired, Retention
    from bot.storage.store import SqlStore, make_engine

    settings = _settings(config)
    days = settings.defaults.retention_days
    require_database(settings.database.url)
    asyncio.run(require_schema(settings.database.url))

    async def purge() -> tuple[list[Expired], int | None]:
        store = SqlStore(make_engine(settings.database.url))
        retention = Retention(store, days)
        now = SystemClock().now()
        try:
            if dry_run:
                return await retention.expired(now), 0
            return [], await retention.purge(now)
        finally:
            await store.close()

    expired, count = asyncio.run(purge())
    if dry_run:
        typer.echo(f"{len(expired)} closed intervention(s) past {days} days would be purged")
        for e in expired:
            typer.echo(f"{e.id}  {e.closed_at.date().isoformat()}  {e.title}")
    elif count is None:
        typer.echo("another process is purging right now; nothing done", err=True)
        raise typer.Exit(1)
    else:
        typer.echo(f"purged the answers of {count} closed intervention(s) past {days} days")


@app.command()
def report(
    intervention: Annotated[str, typer.Argument(help="Intervention id")],
    fmt: Annotated[str, typer.Option("--format", help="md, csv or html")] = "md",
    out: Annotated[Path | None, typer.Option(help="File to write (default: stdout)")] = None,
    locale: Annotated[
        str | None, typer.Option(help="fr or en (default: the intervention's)")
    ] = None,
    audience: Annotated[
        str, typer.Option(help="group (what was published) or facilitator (adds counts)")
    ] = "group",
    config: ConfigOption = None,
) -> None:
    """Export an intervention's report (anonymised: no author is ever read)."""
    from bot.reports.cli import export

    settings = _settings(config)
    require_database(settings.database.url)
    asyncio.run(require_schema(settings.database.url))
    try:
        data = asyncio.run(export(settings.database.url, intervention, fmt, locale, audience))
    except LookupError as error:
        raise UserError(f"{error}: tst list shows the interventions") from None
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)


@app.command("list")
def list_interventions(
    config: ConfigOption = None,
    closed: Annotated[bool, typer.Option("--all", help="Closed ones too.")] = False,
) -> None:
    """List interventions: id, title, platform, channel, step, state."""
    from bot.storage.listing import interventions

    settings = _settings(config)
    require_database(settings.database.url)
    asyncio.run(require_schema(settings.database.url))
    rows = asyncio.run(interventions(settings.database.url, include_closed=closed))
    if not rows:
        typer.echo("no intervention yet" if closed else "no open intervention (--all: closed too)")
        return
    header = ("id", "title", "platform", "channel", "step", "state")
    table = [header, *((r.id, r.title, r.platform, r.channel, r.step, r.state) for r in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@app.command("commands")
def commands_table() -> None:
    """Print the README's table of /tst commands, from the command table and the catalogs."""
    from bot.command_doc import command_table_markdown
    from bot.flows.command_table import TABLE
    from bot.i18n.catalog import Catalog

    typer.echo(command_table_markdown(TABLE, Catalog.load()))


@app.command()
def check(config: ConfigOption = None) -> None:
    """Check that the bot can work: config, database, Slack and Discord access, HTTP port."""
    from bot.checks import preflight

    settings = _platform_settings(config)
    results = asyncio.run(preflight(settings, config, starting=False))
    for result in results:
        typer.echo(result.line())
    raise typer.Exit(0 if all(r.ok for r in results) else 1)


def main(argv: list[str] | None = None) -> None:
    """`tst`: every error ends in one line and a non-zero exit; `--debug` adds the traceback
    (accepted anywhere on the line, as people type it after the command)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    try:
        app(args=args, prog_name="tst")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as error:  # the one place nothing unexpected may pass as a traceback
        if debug:
            traceback.print_exc()
        hint = "" if debug or isinstance(error, UserError) else " (--debug shows the details)"
        typer.echo(f"error: {describe(error)}{hint}", err=True)
        raise SystemExit(error.code if isinstance(error, UserError) else 1) from None
