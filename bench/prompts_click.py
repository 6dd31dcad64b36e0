""" "Get my prompts" clicked by 200 people at once: tst-bot's ack against a bare app's.

Run `python -m bench.prompts_click` (a few minutes, most of it the setup: 200 people invited,
consented, a round open for them). Each app runs in a process of its own and the fakes in
this one: tst-bot as `tst run` would (`bench.slack_bot`, `bench.discord_bot`), and beside it a
bare slack-bolt app and a bare discord.py client that answer the same click with the same
kind of view (an ephemeral message with the round's three buttons) and do nothing else.
Bursts of `--people` different people clicking at once go to each app in turn.

Slack: signed `block_actions` requests from a load process of its own; latency is the HTTP
round trip (Slack's 3 s ack window). Discord: INTERACTION_CREATE sent on each app's gateway
session; latency runs from the event leaving the fake to the first callback reaching it
(Discord's 3 s window). Prints p50 and p99 per app and the ratio; nothing is asserted.
The target (issue 18): tst-bot's ack p99 <= 1.2x the bare app's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import aiohttp

from bot.storage.migrate import upgrade
from tests.fakes.slack_api import FakeSlack, SlackDriver, sign

SECRET, SLACK_TOKEN = "bench-signing-secret", "xoxb-test"
ROUND = "trust.barometer"
FAC = "UFAC"
WORDS = "Baromètre de confiance : une question vous attend."  # the bare apps' reply


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _outbox_done(db: Path) -> bool:
    due = "SELECT count(*) FROM outbox WHERE status = 'pending' AND kind != 'timer'"
    return not _count(db, due)


async def until(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {seconds} s")
        await asyncio.sleep(0.02)


async def spawn(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", *args, stdout=asyncio.subprocess.PIPE
    )


async def first_line(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    return (await asyncio.wait_for(process.stdout.readline(), 120)).decode().strip()


async def stop(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        if process.returncode is None:
            process.terminate()
        await process.wait()


# --- Slack ------------------------------------------------------------------------------------


def click_body(action_id: str, user: str, root: str, n: int) -> str:
    """A signed-ready `block_actions` body: `user` pressed the channel notice's button."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "team"},
        "user": {"id": user, "username": user.lower(), "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": f"trg.click.{n}",
        "response_url": f"{root}/response_url/click{n}",
        "container": {"type": "message", "channel_id": "C1", "message_ts": "1.000001"},
        "channel": {"id": "C1"},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b",
                "value": action_id,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return "payload=" + urllib.parse.quote(json.dumps(payload))


async def slack_load(root: str) -> None:
    """The load process: reads `URL ACTION N` lines, answers each with a JSON list of ms."""
    loop = asyncio.get_running_loop()
    sent = 0
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=30)
    ) as session:
        while line := (await loop.run_in_executor(None, sys.stdin.readline)).strip():
            url, action, n = line.split()
            firsts = range(sent, sent + int(n))
            sent += int(n)
            clicks = (_click(session, url, action, k % int(n) + 1, root, k) for k in firsts)
            print(json.dumps(await asyncio.gather(*clicks)), flush=True)


async def _click(
    session: aiohttp.ClientSession, url: str, action: str, person: int, root: str, n: int
) -> float:
    body = click_body(action, f"U{person:05d}", root, n).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
    started = time.perf_counter()
    async with session.post(url, data=body, headers=headers) as resp:
        await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{url}: HTTP {resp.status}")
    return (time.perf_counter() - started) * 1000


async def bare_slack(api: str) -> None:
    """A bare bolt app: acks the click and answers it with the same kind of view."""
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bare = AsyncApp(client=AsyncWebClient(token=SLACK_TOKEN, base_url=api), signing_secret=SECRET)

    @bare.action(re.compile(".*"))
    async def prompts(ack: Any, respond: Any) -> None:
        await ack()
        buttons = [
            {"type": "button", "action_id": f"b{i}", "text": {"type": "plain_text", "text": t}}
            for i, t in enumerate(("Répondre", "Je passe", "Pas maintenant"))
        ]
        blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": WORDS}},
            {"type": "actions", "elements": buttons},
        ]
        await respond(text=WORDS, blocks=blocks, response_type="ephemeral")

    await serve_until_terminated(bare.web_app(path="/slack/events", port=0), "/slack/events")


async def serve_until_terminated(app: Any, path: str) -> None:
    from aiohttp import web

    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    done = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, done.set)
    print(f"http://127.0.0.1:{port}{path}", flush=True)
    await done.wait()
    await runner.cleanup()


async def slack(people: int, bursts: int, tmp: Path) -> dict[str, list[float]]:
    db = tmp / "slack.db"
    url = f"sqlite+aiosqlite:///{db}"
    await asyncio.to_thread(upgrade, url)
    fake = await FakeSlack().start()
    users = [f"U{k:05d}" for k in range(1, people + 1)]
    for user in (FAC, *users):
        fake.add_user(user)
    bot = await spawn(
        "bench.slack_bot",
        *("--api", fake.base_url, "--db", url, "--token", SLACK_TOKEN, "--secret", SECRET),
    )
    bare = await spawn("bench.prompts_click", "--bare-slack", fake.base_url)
    load = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.prompts_click",
        "--slack-load",
        fake.root,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    driver: SlackDriver | None = None
    try:
        bot_url, bare_url = await first_line(bot), await first_line(bare)
        driver = SlackDriver(fake, bot_url, SECRET)
        assert (await driver.slash("start Bench", FAC)).status == 200
        mentions = " ".join(f"<@{u}>" for u in users)
        assert (await driver.slash(f"invite {mentions}", FAC)).status == 200

        def consents() -> dict[str, str]:
            return {
                m["channel"][1:]: str(e["action_id"])
                for m in fake.messages
                for b in m["blocks"]
                for e in b.get("elements", [])
                if str(e.get("action_id", "")).endswith(":consent:accept")
            }

        await until(lambda: len(consents()) == people, 300, "consent DMs")
        buttons = consents()
        for i in range(0, people, 50):
            await asyncio.gather(*(driver.click(buttons[u], u) for u in users[i : i + 50]))
        accepted = "SELECT count(*) FROM participants WHERE consent = 'accepted'"
        await until(lambda: _count(db, accepted) >= people, 300, "consents")
        assert (await driver.slash(f"round open {ROUND}", FAC)).status == 200
        opened = f"SELECT count(*) FROM rounds WHERE key = '{ROUND}'"
        await until(lambda: _count(db, opened) == 1 and _outbox_done(db), 300, "the round")
        action = f"tst:{buttons[users[0]].split(':')[1]}:myprompts:"

        async def burst(target: str) -> list[float]:
            assert load.stdin is not None and load.stdout is not None
            answered = len(fake.responses)
            load.stdin.write(f"{target} {action} {people}\n".encode())
            await load.stdin.drain()
            took: list[float] = json.loads(await asyncio.wait_for(load.stdout.readline(), 120))
            # Each click is answered on its response_url before the next burst.
            await until(lambda: len(fake.responses) >= answered + people, 120, "answers")
            return took

        await burst(bot_url)  # warm both up
        await burst(bare_url)
        got: dict[str, list[float]] = {"tst-bot": [], "bare": []}
        for _ in range(bursts):
            got["tst-bot"] += await burst(bot_url)
            got["bare"] += await burst(bare_url)
        return got
    finally:
        if load.stdin is not None:
            load.stdin.write(b"\n")
            with contextlib.suppress(ConnectionError):
                await load.stdin.drain()
        await stop(bot, bare, load)
        if driver is not None:
            await driver.close()
        await fake.stop()


# --- the table --------------------------------------------------------------------------------


def report(platform: str, got: dict[str, list[float]], people: int, bursts: int) -> None:
    for name in ("tst-bot", "bare"):
        values = got[name]
        print(
            f"{platform:<8} | {name:<8} | {statistics.median(values):>8.1f} |"
            f" {pct(values, 0.99):>8.1f} | {max(values):>8.1f} | {len(values):>5}"
        )
    p50 = statistics.median(got["tst-bot"]) / statistics.median(got["bare"])
    p99 = pct(got["tst-bot"], 0.99) / pct(got["bare"], 0.99)
    late = sum(v > 3000 for v in got["tst-bot"])
    print(
        f"{platform:<8} | ratio    | {p50:>7.2f}x | {p99:>7.2f}x |"
        f" tst-bot acks over 3 s: {late} (target p99 <= 1.2x)"
    )


async def main(people: int, bursts: int, only: str) -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        print(
            f'"Get my prompts" clicked by {people} people at once, {bursts} bursts per app,'
            " apps in turn; each app in a process of its own, the fakes in this one"
        )
        print(f"{'platform':<8} | {'app':<8} | {'p50 ms':>8} | {'p99 ms':>8} | {'max ms':>8} | n")
        if only in ("", "slack"):
            report("slack", await slack(people, bursts, tmp), people, bursts)
        if only in ("", "discord"):
            from bench.prompts_discord import discord

            report("discord", await discord(people, bursts, tmp), people, bursts)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--bursts", type=int, default=5)
    parser.add_argument("--only", choices=("slack", "discord"), default="")
    parser.add_argument("--slack-load", metavar="FAKE_ROOT", help=argparse.SUPPRESS)
    parser.add_argument("--bare-slack", metavar="API", help=argparse.SUPPRESS)
    parser.add_argument("--bare-discord", nargs=2, metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.slack_load:
        asyncio.run(slack_load(args.slack_load))
    elif args.bare_slack:
        asyncio.run(bare_slack(args.bare_slack))
    elif args.bare_discord:
        from bench.prompts_discord import bare_discord

        asyncio.run(bare_discord(*args.bare_discord))
    else:
        asyncio.run(main(args.people, args.bursts, args.only))
