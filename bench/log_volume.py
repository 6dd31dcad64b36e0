"""Log volume at INFO: lines an hour of an idle bot and of a day's activity, with the operators'
logging (bot/logs.py) against the plain `basicConfig(level=INFO)` it replaced, in the same run.

Run `python -m bench.log_volume` (about a minute). Each pass runs the real `serve()` (Slack in
HTTP mode on the fake Slack, SQLite, the APScheduler wake-up clock) and counts the records that
reach the root handler at INFO and above, by logger:

- idle: the bot doing nothing for `--idle` seconds of wall time, scaled to an hour; plus the
  lines one `/healthz` probe and one `/metrics` scrape cost, counted over a few requests, at a
  healthcheck and a scrape every 30 s (Compose's and a usual Prometheus interval);
- a day's activity: through signed Slack requests, a facilitator starts an intervention,
  invites `--people` people who all accept the frame, opens a round they all answer, asks for
  the status, closes the round and publishes its synthesis. Its lines are spread over a
  24-hour day and added to the idle hour.

`baseline` is what `tst run` did before (root at INFO, every library at INFO); `operators` is
`configure_logging` (libraries at WARNING, a request id on each line). Also printed: the share
of lines that carry a request id, and the loggers that speak most. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import socket
import tempfile
import time
from collections import Counter
from datetime import time as dtime
from pathlib import Path
from typing import Any

import aiohttp

from bot.config import (
    DatabaseSettings,
    HttpSettings,
    InterventionDefaults,
    Settings,
    SlackSettings,
)
from bot.logs import CHATTY, configure_logging, request_id
from bot.storage.migrate import upgrade
from tests.fakes.slack_api import FakeSlack, SlackDriver

SECRET = "bench-signing-secret"
FAC = "UFAC"
ROUND = "trust.intake"
PROBES_PER_HOUR = 3600 / 30  # a healthcheck every 30 s
SCRAPES_PER_HOUR = 3600 / 30  # a Prometheus scrape every 30 s


class Tally(logging.Handler):
    """Counts what reaches the root handler, by logger, and how many carry a request id."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.by_logger: Counter[str] = Counter()
        self.with_request = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.by_logger[record.name] += 1
        self.with_request += request_id.get() != "-"

    def take(self) -> tuple[int, Counter[str]]:
        """The count so far, and start again."""
        seen, self.by_logger = self.by_logger, Counter()
        return sum(seen.values()), seen


def logging_as(mode: str, settings: Settings, tally: Tally) -> None:
    """`baseline`: what `tst run` set up before (basicConfig at INFO); `operators`: today's."""
    root = logging.getLogger()
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET)
    if mode == "operators":
        configure_logging(settings)
    else:
        for old in list(root.handlers):
            root.removeHandler(old)
        root.addHandler(logging.StreamHandler())
        root.setLevel(logging.INFO)
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(io.StringIO())  # formatted as usual, written nowhere
    root.addHandler(tally)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def quiet(fake: FakeSlack, still: float = 0.4, limit: float = 60.0) -> None:
    """Until the bot has made no Web API call for `still` seconds (its deliveries are out)."""
    start = time.monotonic()
    seen, since = len(fake.calls), time.monotonic()
    while time.monotonic() - start < limit:
        await asyncio.sleep(0.05)
        if len(fake.calls) != seen:
            seen, since = len(fake.calls), time.monotonic()
        elif time.monotonic() - since >= still:
            return


def buttons(fake: FakeSlack, user: str, suffix: str) -> list[str]:
    return [
        e["action_id"]
        for m in fake.messages_in(fake.dm_of(user))
        for block in m["blocks"]
        for e in block.get("elements", [])
        if str(e.get("action_id", "")).endswith(suffix)
    ]


async def a_day(slack: SlackDriver, fake: FakeSlack, people: list[str]) -> None:
    """One intervention's busy day, as Slack sends it."""

    async def cmd(text: str) -> None:
        await slack.slash(text, FAC)
        await quiet(fake)

    await cmd("start Équipe")
    await cmd("invite " + " ".join(f"<@{p}|{p.lower()}>" for p in people))
    for p in people:
        await slack.click(buttons(fake, p, ":consent:accept")[-1], p)
    await quiet(fake)
    await cmd(f"round open {ROUND}")
    for p in people:
        opened = len(fake.views)
        await slack.click(buttons(fake, p, f":answer:{ROUND}")[-1], p)
        await fake.wait_for(lambda n=opened: len(fake.views) > n)  # the modal, then submit
        await slack.submit(fake.views[-1], p, {"trust.hope": "du calme"})
    await quiet(fake)
    for _ in range(3):
        await cmd("status")
    await cmd(f"round close {ROUND}")
    await cmd(f"publish {ROUND}")


async def one_pass(mode: str, idle: float, people: int) -> dict[str, Any]:
    from bot.serve import serve

    tmp = tempfile.TemporaryDirectory()
    url = f"sqlite+aiosqlite:///{Path(tmp.name) / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)
    fake = await FakeSlack().start()
    names = [f"U{n:04d}" for n in range(people)]
    for user in (FAC, *names):
        fake.add_user(user)
    port = free_port()
    settings = Settings(
        database=DatabaseSettings(url=url),
        slack=SlackSettings(
            bot_token="xoxb-test", signing_secret=SECRET, port=port, api_base_url=fake.base_url
        ),
        # Prompts go at once whatever the hour this runs at.
        defaults=InterventionDefaults(day_start=dtime(0), day_end=dtime(0), working_days="all"),
        http=HttpSettings(),
    )
    tally = Tally()
    logging_as(mode, settings, tally)
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, stop))
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        for _ in range(200):  # until the bot answers
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{base}/healthz") as answer:
                    if answer.status == 200:
                        break
            await asyncio.sleep(0.05)
        await quiet(fake)
        tally.take()  # start-up is not an hour's worth

        await asyncio.sleep(idle)
        idle_lines, idle_by = tally.take()

        for _ in range(10):
            async with http.get(f"{base}/healthz") as answer:
                await answer.read()
        probe_lines = tally.take()[0] / 10
        for _ in range(10):
            async with http.get(f"{base}/metrics") as answer:
                await answer.read()
        scrape_lines = tally.take()[0] / 10

        slack = SlackDriver(fake, f"{base}/slack/events", SECRET)
        tally.with_request = 0
        try:
            await a_day(slack, fake, names)
        finally:
            await slack.close()
        day_lines, day_by = tally.take()
        with_request = tally.with_request
    stop.set()
    await running
    await fake.stop()
    logging.getLogger().removeHandler(tally)
    tmp.cleanup()
    idle_hour = idle_lines / idle * 3600 + probe_lines * PROBES_PER_HOUR
    idle_hour += scrape_lines * SCRAPES_PER_HOUR
    return {
        "idle_hour": idle_hour,
        "probe": probe_lines,
        "scrape": scrape_lines,
        "day": day_lines,
        "day_hour": idle_hour + day_lines / 24,
        "with_request": with_request / day_lines if day_lines else 0.0,
        "loudest": (idle_by + day_by).most_common(4),
    }


async def main(idle: float, people: int) -> None:
    results = {mode: await one_pass(mode, idle, people) for mode in ("baseline", "operators")}
    print(f"INFO lines, idle {idle:.0f} s scaled to an hour; a day's activity with {people} people")
    print(f"{'':10} {'idle/h':>9} {'probe':>6} {'scrape':>7} {'day':>6} {'busy day/h':>11} rid")
    for mode, r in results.items():
        print(
            f"{mode:10} {r['idle_hour']:9.0f} {r['probe']:6.1f} {r['scrape']:7.1f} "
            f"{r['day']:6d} {r['day_hour']:11.0f} {r['with_request']:4.0%}"
        )
    base, ops = results["baseline"], results["operators"]
    if ops["day_hour"]:
        print(
            f"ratio baseline/operators, a busy day's hour: {base['day_hour'] / ops['day_hour']:.1f}"
        )
    for mode, r in results.items():
        print(f"{mode} loudest: " + ", ".join(f"{n} {c}" for n, c in r["loudest"]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=15.0, help="idle seconds measured")
    parser.add_argument("--people", type=int, default=20, help="participants of the day")
    args = parser.parse_args()
    asyncio.run(main(args.idle, args.people))
