"""Opening a round for 10,000 people: a DM each vs pull mode, on the fake Slack and Discord.

Run `python -m bench.round_open` (a few minutes; `--platform slack|discord` for one). For each
platform an intervention of `--members` people, all past the frame, is written straight to a
fresh SQLite database (tests/big_roster.py: what invite and consent would build), tst-bot is
started in a process of its own, as `tst run` would run it (the Discord one is
`bench.discord_bot`, the Slack one this module with `--serve-slack`), and the fake, in this
process, enforces the platform's documented limits, `--*-scale` times faster. Then, in the same
run, the facilitator opens one round in DM mode (`/tst round delivery direct`) and one in pull
mode (`/tst round delivery channel`), and the bench counts the platform calls each made until
the outbox is empty and compares the time with the rate-limit floor: calls / documented rate.

Time-scaled: in DM mode every call waits on a limit, so the wall time multiplied by the scale
is the time on the platform's clock. Pull mode makes a few calls that no limit holds back: its
wall time is its time. Prints a table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path

from bench.discord_bot import DM_OPENS_PER_S, DM_PER_S
from bench.discord_fanout import GLOBAL_PER_S, LimitedFake, outbox_empty, settle
from bot.storage.migrate import upgrade
from bot.storage.store import SqlStore, make_engine
from tests.big_roster import roster, seed
from tests.fakes.discord_gateway import TOKEN
from tests.fakes.slack_api import FakeSlack, SlackDriver

# Slack's documented floors per minute (PERFORMANCE.md B1, PLATFORMS.md 1.7).
OPEN_PER_MIN = 50  # conversations.open, Tier 3
POST_PER_MIN = 300  # chat.postMessage, "several hundred per minute" per workspace
SECRET = "bench-signing-secret"
FAC = "UFAC"
PASSES = (("dm", "direct", "trust.intake"), ("pull", "channel", "trust.barometer"))


@dataclass(frozen=True, slots=True)
class Row:
    platform: str
    mode: str
    calls: int
    refused: int
    wall: float
    on_clock: float  # seconds on the platform's clock
    floor: float  # calls / documented rate, seconds
    paced: float | None = None  # the floor tst-bot sets itself (Discord's DM pacing)


def _now() -> datetime:
    return datetime.now(UTC)


async def _seed(
    url: str, platform: str, workspace: str, channel: str, fac: str, people: list[str]
) -> None:
    await asyncio.to_thread(upgrade, url)
    store = SqlStore(make_engine(url))
    try:
        await seed(store, roster(platform, workspace, channel, fac, people, _now(), "dm"))
    finally:
        await store.close()


async def _stop(bot: asyncio.subprocess.Process) -> None:
    bot.terminate()
    await bot.wait()


async def discord(members: int, scale: float, deadline: float) -> list[Row]:
    fake = LimitedFake(members, scale)
    await fake.start()
    tmp = tempfile.TemporaryDirectory()
    db = Path(tmp.name) / "discord.db"
    url = f"sqlite+aiosqlite:///{db}"
    fac = fake.add_user("fac")
    people = [str(u) for u in fake.members]
    await _seed(url, "discord", str(fake.guild_id), str(fake.channel_id), str(fac), people)
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.discord_bot",
        *("--api", fake.api_base, "--gateway", fake.ws_url, "--db", url, "--token", TOKEN),
        *("--guild", str(fake.guild_id), "--scale", str(scale)),
    )
    rows = []
    try:
        await fake.wait_for(
            lambda: fake.live_sessions() and fake.commands.get(str(fake.guild_id)), timeout=60.0
        )
        for mode, word, round_key in PASSES:
            await settle(fake, await fake.slash(fac, ["round", "delivery"], word))
            calls, refused = len(fake.calls), sum(fake.served_429.values())
            started = time.monotonic()
            await settle(fake, await fake.slash(fac, ["round", "open"], round_key))
            await outbox_empty(db, deadline)
            wall = time.monotonic() - started
            made = len(fake.calls) - calls
            dms = members if mode == "dm" else 0
            rows.append(
                Row(
                    "discord",
                    mode,
                    made,
                    sum(fake.served_429.values()) - refused,
                    wall,
                    wall * scale if mode == "dm" else wall,
                    made / GLOBAL_PER_S,
                    # tst-bot opens DM channels at 2/s and sends at 20/s (DiscordChat).
                    max(dms / DM_OPENS_PER_S, dms / DM_PER_S) if dms else None,
                )
            )
    finally:
        await _stop(bot)
        await fake.stop()
        tmp.cleanup()
    return rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def slack(members: int, scale: float, deadline: float) -> list[Row]:
    window = 60.0 / scale  # one Slack minute, in seconds here
    fake = await FakeSlack().start()
    people = [f"U{i:05d}" for i in range(members)]
    for user in (FAC, *people):
        fake.add_user(user)
    tmp = tempfile.TemporaryDirectory()
    db = Path(tmp.name) / "slack.db"
    url = f"sqlite+aiosqlite:///{db}"
    await _seed(url, "slack", fake.team, "C1", FAC, people)
    fake.limit("conversations.open", OPEN_PER_MIN, window)
    fake.limit("chat.postMessage", POST_PER_MIN, window)
    fake.fractional_retry_after = True
    port = _free_port()
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bench.round_open", "--serve-slack", "--api", fake.base_url, "--db", url),
        *("--port", str(port), "--slack-scale", str(scale)),
    )
    driver = SlackDriver(fake, f"http://127.0.0.1:{port}/slack/events", SECRET)
    rows = []

    async def command(text: str) -> None:
        answered = len(fake.responses)
        reply = await driver.slash(text, FAC, "C1")
        assert reply.status == 200, reply
        await fake.wait_for(lambda: len(fake.responses) > answered, timeout=deadline)

    try:
        await _listening(port, 60.0)
        for mode, word, round_key in PASSES:
            await command(f"round delivery {word}")
            calls, refused = len(fake.calls), sum(fake.rejected.values())
            opens, posts = (len(fake.called(m)) for m in ("conversations.open", "chat.postMessage"))
            started = time.monotonic()
            await command(f"round open {round_key}")
            await outbox_empty(db, deadline)
            wall = time.monotonic() - started
            methods = collections.Counter(c.method for c in fake.calls[calls:])
            print(f"slack {mode}: calls by method {dict(methods)}")
            opens = len(fake.called("conversations.open")) - opens
            posts = len(fake.called("chat.postMessage")) - posts
            floor = 60.0 * max(opens / OPEN_PER_MIN, posts / POST_PER_MIN)
            rows.append(
                Row(
                    "slack",
                    mode,
                    len(fake.calls) - calls,
                    sum(fake.rejected.values()) - refused,
                    wall,
                    wall * scale if mode == "dm" else wall,
                    floor,
                )
            )
    finally:
        await driver.close()
        await _stop(bot)
        await fake.stop()
        tmp.cleanup()
    return rows


async def _listening(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            _r, w = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        w.close()
        return
    raise TimeoutError("the Slack bot did not start")


async def serve_slack(api: str, db: str, port: int, scale: float) -> None:
    """The Slack bot as `tst run` runs it (HTTP mode, its clock waking the dispatcher)."""
    from bot import heap
    from bot.app import build
    from bot.config import DatabaseSettings, InterventionDefaults, Settings, SlackSettings
    from bot.scheduler import Wakeup
    from bot.wiring.slack import SlackService

    window = 60.0 / scale
    settings = SlackSettings(
        bot_token="xoxb-test", signing_secret=SECRET, port=port, api_base_url=api
    )
    # As bench.slack_fanout: a Retry-After up to one Slack minute is waited out in the port.
    service = SlackService(
        settings,
        pace_seconds=1.0 / scale,
        rate_limit_retries=0,
        rate_limit_wait=window,
        rate_window=window,
    )
    always = InterventionDefaults(day_start=dtime(0), day_end=dtime(0), working_days="all")
    config = Settings(database=DatabaseSettings(url=db), slack=settings, defaults=always)
    app = build(config, {"slack": service.port}, None, "bench")
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await service.start(app)
    wake = Wakeup(app.dispatcher, app.runner.clock, 0.05)
    heap.settle()
    wake.start()
    try:
        await stop.wait()
    finally:
        await wake.stop()
        await service.stop()
        await app.store.close()


def table(members: int, rows: list[Row], scales: dict[str, float]) -> None:
    print(f"\nopening one round for {members:,} people; limits time-scaled: {scales}")
    print(
        f"{'platform':<8} {'mode':<5} {'calls':>7} {'429s':>5} {'wall s':>8}"
        f" {'platform s':>11} {'floor s':>9} {'ratio':>7} {'paced floor s':>14}"
    )
    for r in rows:
        ratio = f"{r.on_clock / r.floor:.2f}x" if r.floor else "n/a"
        paced = f"{r.paced:.0f}" if r.paced is not None else "-"
        print(
            f"{r.platform:<8} {r.mode:<5} {r.calls:>7,} {r.refused:>5} {r.wall:>8.2f}"
            f" {r.on_clock:>11.1f} {r.floor:>9.2f} {ratio:>7} {paced:>14}"
        )
    for platform in {r.platform for r in rows}:
        dm = next(r for r in rows if r.platform == platform and r.mode == "dm")
        pull = next(r for r in rows if r.platform == platform and r.mode == "pull")
        print(
            f"{platform}: pull mode makes {dm.calls / max(1, pull.calls):,.0f}x fewer calls"
            f" and takes {dm.on_clock / pull.on_clock:,.0f}x less time on the platform's clock"
        )
    print(
        "floor: calls / documented rate (Discord: 50 requests/s global; Slack:"
        f" conversations.open {OPEN_PER_MIN}/min, chat.postMessage {POST_PER_MIN}/min);"
        f" paced floor: tst-bot's own Discord DM pacing ({DM_OPENS_PER_S:g} DM opens/s,"
        f" {DM_PER_S:g} DMs/s)"
    )


async def run(args: argparse.Namespace) -> None:
    rows: list[Row] = []
    scales: dict[str, float] = {}
    if args.platform in ("both", "discord"):
        scales["discord"] = args.discord_scale
        rows += await discord(args.members, args.discord_scale, args.deadline)
    if args.platform in ("both", "slack"):
        scales["slack"] = args.slack_scale
        rows += await slack(args.members, args.slack_scale, args.deadline)
    table(args.members, rows, scales)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--platform", choices=("both", "slack", "discord"), default="both")
    parser.add_argument("--discord-scale", type=float, default=100.0)
    parser.add_argument("--slack-scale", type=float, default=60.0)
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds per pass")
    parser.add_argument("--serve-slack", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_slack:
        asyncio.run(serve_slack(args.api, args.db, args.port, args.slack_scale))
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
