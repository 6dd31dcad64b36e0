"""The `tst` command line: demo, database upgrade, report export, grouping solver."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

import typer

from bot.config import ConfigError, load_settings
from bot.grouping.cli import grouping_app

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="tst-bot: assist a facilitator running the TST process.",
)
db_app = typer.Typer(no_args_is_help=True, help="Database maintenance.")
app.add_typer(db_app, name="db")
app.add_typer(grouping_app, name="grouping", help="Heterogeneous sub-group solver.")

ConfigOption = Annotated[Path | None, typer.Option("--config", help="TOML settings file.")]


def _settings(config: Path | None):  # type: ignore[no-untyped-def]
    try:
        return load_settings(config)
    except ConfigError as error:
        typer.echo(f"configuration error: {error}", err=True)
        raise typer.Exit(2) from None


@app.command()
def run(
    config: ConfigOption = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Dispatcher processes")] = 1,
) -> None:
    """Serve the configured platforms (Slack, Discord) with the dispatcher and scheduler."""
    import logging
    import multiprocessing

    settings = _settings(config)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    if workers > 1 and settings.database.url.startswith("sqlite"):
        typer.echo("--workers needs PostgreSQL (SQLite serves one process)", err=True)
        raise typer.Exit(2)
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
    from bot.serve import dispatch_forever

    asyncio.run(dispatch_forever(_settings(config)))


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

    from bot.adapters.slack.manifest import manifest
    from bot.config import SlackSettings

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
        f"report.md, report.html, results.csv, tst.db"
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
    config: ConfigOption = None,
) -> None:
    """Export an intervention's report (anonymised: no author is ever read)."""
    from bot.reports.cli import export

    settings = _settings(config)
    try:
        text = asyncio.run(export(settings.database.url, intervention, fmt, locale))
    except LookupError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, "utf-8")


def main() -> None:
    app()
