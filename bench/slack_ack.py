"""Slack ack latency: `/tst status` at 50 and 200 concurrent signed requests, tst-bot's real HTTP
endpoint against a bare bolt AsyncApp that only acks, both measured in the same run.

Run `python -m bench.slack_ack` (about half a minute). Loopback only: the Web API is the fake
Slack of the test suite, in the bench's process. tst-bot (`bench.slack_bot`, as `tst run`
starts it), the bare app and the load each run in a process of their own, so none shares an
event loop or a core's time with the fake. Prints a table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import aiohttp

from bench.prompts_click import first_line, serve_until_terminated, spawn, stop, until
from tests.fakes.slack_api import FakeSlack, sign

SECRET = "bench-signing-secret"
TOKEN = "xoxb-test"
LEVELS = (50, 200)
BURSTS = 5  # per level and per app, interleaved
FAC = "UFAC"


def _body(i: int, fake_root: str) -> str:
    return urllib.parse.urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "team_domain": "team",
            "channel_id": "C1",
            "channel_name": "general",
            "user_id": FAC,
            "user_name": "fac",
            "command": "/tst",
            "text": "status",
            "api_app_id": "A1",
            "response_url": f"{fake_root}/response_url/{i}",
            "trigger_id": f"trg.bench.{i}",
        }
    )


# --- the load generator (child process) -------------------------------------------------------


_SENT = itertools.count(1)  # trigger ids key the runner's dedupe: each request is a new one


async def _burst(session: aiohttp.ClientSession, url: str, n: int, root: str) -> list[float]:
    async def one(i: int) -> float:
        body = _body(i, root)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
        start = time.perf_counter()
        async with session.post(url, data=body.encode(), headers=headers) as resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"{url}: HTTP {resp.status}")
        return (time.perf_counter() - start) * 1000

    return list(await asyncio.gather(*(one(next(_SENT)) for _ in range(n))))


async def _load(root: str) -> None:
    """Reads `URL N` lines, answers each with a JSON list of latencies (ms)."""
    loop = asyncio.get_running_loop()
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), timeout=timeout
    ) as session:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line.strip():
                return
            url, n = line.split()
            print(json.dumps(await _burst(session, url, int(n), root)), flush=True)


# --- the apps (each in a process of its own) and the fake (this process) ----------------------


async def bare_app(api: str) -> None:
    """A bare bolt AsyncApp that only acks `/tst`, in a process of its own."""
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bare = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=api), signing_secret=SECRET)

    @bare.command("/tst")
    async def only_ack(ack: Any) -> None:
        await ack()

    await serve_until_terminated(bare.web_app(path="/slack/events", port=0), "/slack/events")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main(bursts: int, workers: int) -> None:
    from bot.storage.migrate import upgrade

    tmp = tempfile.TemporaryDirectory()
    db = f"sqlite+aiosqlite:///{Path(tmp.name) / 'bench.db'}"
    await asyncio.to_thread(upgrade, db)
    fake = await FakeSlack().start()
    fake.add_user(FAC, "Fatou")
    # tst-bot as `tst run` starts it, the bare app and the load: each in a process of its own,
    # so none shares a core's time with the fake Slack that serves them all from here.
    bot = await spawn(
        "bench.slack_bot",
        *("--api", fake.base_url, "--db", db, "--token", TOKEN, "--secret", SECRET),
        *("--workers", str(workers)),
    )
    bare = await spawn("bench.slack_ack", "--bare", fake.base_url)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.slack_ack",
        "--load",
        fake.root,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    bot_url, bare_url = await first_line(bot), await first_line(bare)

    answered: dict[int, list[float]] = {n: [] for n in LEVELS}

    async def burst(url: str, n: int) -> list[float]:
        assert child.stdin is not None and child.stdout is not None
        start = time.perf_counter()
        replies = len(fake.responses)
        child.stdin.write(f"{url} {n}\n".encode())
        await child.stdin.drain()
        got: list[float] = json.loads(await asyncio.wait_for(child.stdout.readline(), 60))
        if url == bot_url:
            # tst-bot's work after each ack (the status, posted to response_url) ends before
            # the next burst.
            await until(lambda: len(fake.responses) >= replies + n, 60, "status replies")
            if n in answered:
                answered[n].append((time.perf_counter() - start) * 1000)
        return got

    try:
        # An intervention in C1, so `status` has something to read; warm both apps up.
        body = _body(10**9, fake.root).replace("text=status", "text=start+Bench")
        async with aiohttp.ClientSession() as s:
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
            async with s.post(bot_url, data=body.encode(), headers=headers) as resp:
                assert resp.status == 200
        await until(lambda: len(fake.responses) >= 1, 60, "the start")
        for n in LEVELS:
            await burst(bot_url, n)
            await burst(bare_url, n)
        for n in LEVELS:
            answered[n].clear()
        print(
            f"Slack ack latency of `/tst status`, loopback, {bursts} bursts per level and app;"
            f" tst-bot works after its acks with {workers} runner(s); tst-bot, the bare app"
            " and the load each in a process of their own"
        )
        print(f"{'concurrency':>11} | {'app':<8} | {'p50 ms':>8} | {'p99 ms':>8} | {'max ms':>8}")
        for n in LEVELS:
            got: dict[str, list[float]] = {"tst-bot": [], "bare": []}
            for _ in range(bursts):
                got["tst-bot"] += await burst(bot_url, n)
                got["bare"] += await burst(bare_url, n)
            for name, values in got.items():
                print(
                    f"{n:>11} | {name:<8} | {statistics.median(values):>8.1f} | "
                    f"{_pct(values, 0.99):>8.1f} | {max(values):>8.1f}"
                )
            ratio = _pct(got["tst-bot"], 0.99) / _pct(got["bare"], 0.99)
            p50 = statistics.median(got["tst-bot"]) / statistics.median(got["bare"])
            print(f"{n:>11} | ratio    | {p50:>7.2f}x | {ratio:>7.2f}x |   (target p99 <= 1.5x)")
            last = statistics.median(answered[n])
            print(
                f"{n:>11} | tst-bot: a burst's last ephemeral answer after {last:.0f} ms (median)"
            )
        print(f"replies posted to response_url: {len(fake.responses)}")
    finally:
        child.stdin.write(b"\n")
        with contextlib.suppress(ConnectionError):
            await child.stdin.drain()
        await stop(bot, bare, child)
        await fake.stop()
        tmp.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bursts", type=int, default=BURSTS)
    parser.add_argument("--workers", type=int, default=2, help="tst-bot's runners after acks")
    parser.add_argument("--load", metavar="FAKE_ROOT", help=argparse.SUPPRESS)
    parser.add_argument("--bare", metavar="API", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        asyncio.run(_load(args.load))
    elif args.bare:
        asyncio.run(bare_app(args.bare))
    else:
        asyncio.run(asyncio.wait_for(main(args.bursts, args.workers), 300))
