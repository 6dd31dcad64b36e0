"""Discord fan-out: a DM round to 1,000 members against the fake Discord enforcing Discord's
documented limits, time-scaled.

Run `python -m bench.discord_fanout` (one to three minutes). The fake enforces the global 50
requests per second (interaction callbacks exempt) and the observed 5 per 5 s per channel on
`POST /channels/{id}/messages`, both `--scale` times faster; tst-bot's own DM pacing is scaled
by the same factor, so wall times are multiplied back by `--scale` before they are compared with
the floor of PERFORMANCE.md B3 (warm DMs: N messages at 50/s) and with the floor tst-bot sets
itself (its DM pacing, 20/s). Setup (invite, consent) goes through the same limits but is not
timed. Prints a table; nothing is asserted.

tst-bot runs in a process of its own (`bench.discord_bot`, as `tst run` would: the dispatcher
woken by its clock and its commits), the fake in this one, so they do not share a core. At the
default 20x the bot still has to send 400 DMs a second of wall time; `--scale 5` (100 a second)
measures the pacing with CPU to spare.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import signal
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.discord_bot import DM_PER_S
from bot.storage.migrate import upgrade
from tests.fakes.discord_gateway import JSON, TOKEN, FakeDiscord

ROUND = "trust.barometer"
GLOBAL_PER_S = 50.0
CHANNEL_SENDS, CHANNEL_WINDOW = 5, 5.0


class LimitedFake(FakeDiscord):
    """The test fake plus Discord's limits, `scale` times faster, and a custom_id index."""

    def __init__(self, members: int, scale: float) -> None:
        super().__init__()
        self.scale = scale
        self.global_hits: collections.deque[float] = collections.deque()
        self.channel_hits: dict[str, collections.deque[float]] = {}
        self.by_custom_id: dict[str, dict[str, Any]] = {}
        self.served_429 = collections.Counter[str]()
        self.members = [self.add_user() for _ in range(members)]

    def _too_many(self, retry: float, scope: str) -> web.Response:
        self.served_429[scope] += 1
        body = {"message": "You are being rate limited.", "retry_after": retry}
        body["global"] = scope == "global"
        headers = {
            **JSON,
            "Via": "1.1 google",
            "Retry-After": f"{retry:.3f}",
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": f"{retry:.3f}",
            "X-RateLimit-Bucket": "channel-messages",
            "X-RateLimit-Scope": scope,
        }
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
        return web.Response(status=429, body=json.dumps(body).encode(), headers=headers)

    def _limited(self, key: str) -> web.Response | None:
        injected = super()._limited(key)
        if injected is not None or key.startswith("POST /interactions"):
            return injected
        now = time.monotonic()
        window = 1.0 / self.scale
        hits = self.global_hits
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= GLOBAL_PER_S:
            return self._too_many(hits[0] + window - now, "global")
        method, path = key.split(" ", 1)
        parts = path.strip("/").split("/")
        if (
            method == "POST"
            and len(parts) == 3
            and parts[0] == "channels"
            and parts[2] == "messages"
        ):
            ch = self.channel_hits.setdefault(parts[1], collections.deque())
            span = CHANNEL_WINDOW / self.scale
            while ch and ch[0] <= now - span:
                ch.popleft()
            if len(ch) >= CHANNEL_SENDS:
                return self._too_many(ch[0] + span - now, "user")
            ch.append(now)
        hits.append(now)
        return None

    def _create_message(self, cid: int, body: dict[str, Any]) -> tuple[int, Any]:
        status, msg = super()._create_message(cid, body)
        if status == 200:
            for row in msg.get("components") or []:
                for c in row.get("components", []):
                    self.by_custom_id[c["custom_id"]] = msg
        return status, msg

    def _message_with(self, custom_id: str) -> dict[str, Any] | None:
        return self.by_custom_id.get(custom_id)

    def prompts(self, user: int) -> int:
        return sum(
            1
            for m in self.dms_to(user)
            for row in m.get("components") or []
            for c in row["components"]
            if c["custom_id"].endswith(f":answer:{ROUND}")
        )


def consent_button(fake: FakeDiscord, u: int) -> str | None:
    """The "I accept" button of the frame the bot DMed person `u`, once it has arrived."""
    return next(
        (
            c["custom_id"]
            for m in fake.dms_to(u)
            for row in m.get("components") or []
            for c in row["components"]
            if c["custom_id"].endswith(":consent:accept")
        ),
        None,
    )


async def settle(fake: LimitedFake, iid: int) -> None:
    await fake.wait_for(lambda: fake.interactions[iid].settled(), timeout=30.0)


async def outbox_empty(db: Path, seconds: float) -> None:
    """Until the bot has delivered everything due (its timers, hours ahead, excepted)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with sqlite3.connect(db) as conn:
            (left,) = conn.execute(
                "SELECT count(*) FROM outbox WHERE status = 'pending' AND kind != 'timer'"
            ).fetchone()
        if not left:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"deliveries not done within {seconds} s")


async def run(members: int, scale: float, profile: str) -> None:
    fake = LimitedFake(members, scale)
    await fake.start()
    tmp = Path(tempfile.mkdtemp())
    db = tmp / "bench.db"
    url = f"sqlite+aiosqlite:///{db}"
    await asyncio.to_thread(upgrade, url)
    fac = fake.add_user("fac")
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.discord_bot",
        *("--api", fake.api_base, "--gateway", fake.ws_url, "--db", url, "--token", TOKEN),
        *("--guild", str(fake.guild_id), "--scale", str(scale), "--profile", profile),
    )
    try:
        # Connected to the gateway, and /tst synced to the guild.
        await fake.wait_for(
            lambda: fake.live_sessions() and fake.commands.get(str(fake.guild_id)), timeout=60.0
        )
        await fanout(fake, fac, db, members, scale, bot if profile else None)
    finally:
        bot.terminate()
        await bot.wait()
        await fake.stop()


async def fanout(
    fake: LimitedFake,
    fac: int,
    db: Path,
    members: int,
    scale: float,
    profiled: asyncio.subprocess.Process | None,
) -> None:
    t0 = time.monotonic()
    await settle(fake, await fake.slash(fac, ["start"], "Bench"))
    for i in range(0, members, 200):  # a command holds 200 Discord mentions
        mentions = " ".join(f"<@{u}>" for u in fake.members[i : i + 200])
        await settle(fake, await fake.slash(fac, ["invite"], mentions))

    await fake.wait_for(lambda: all(consent_button(fake, u) for u in fake.members), 600.0)

    async def consent(u: int) -> None:
        button = consent_button(fake, u)
        if button is not None:
            await settle(fake, await fake.click(u, button))

    for i in range(0, members, 50):  # people click at the same time, fifty at once here
        await asyncio.gather(*(consent(u) for u in fake.members[i : i + 50]))
    await outbox_empty(db, 600.0)
    await settle(fake, await fake.slash(fac, ["step"], "trust"))
    await outbox_empty(db, 600.0)
    setup = time.monotonic() - t0

    calls_before = len(fake.calls)
    global_before = sum(fake.served_429.values())
    if profiled is not None:
        profiled.send_signal(signal.SIGUSR1)
    start = time.monotonic()
    await settle(fake, await fake.slash(fac, ["round", "open"], ROUND))
    await fake.wait_for(lambda: all(fake.prompts(u) for u in fake.members), 600.0)
    wall = time.monotonic() - start
    if profiled is not None:
        profiled.send_signal(signal.SIGUSR2)
    await outbox_empty(db, 60.0)  # anything left would show as a duplicate

    counts = [fake.prompts(u) for u in fake.members]
    delivered = sum(c >= 1 for c in counts)
    duplicated = sum(c > 1 for c in counts)
    lost = sum(c == 0 for c in counts)
    calls = len(fake.calls) - calls_before
    served = sum(fake.served_429.values()) - global_before
    floor = members / GLOBAL_PER_S
    paced = members / DM_PER_S  # the floor tst-bot sets itself, under the DM anti-spam
    scaled = wall * scale
    print(f"members={members} scale={scale:g}x  setup (invite+consent) {setup:.1f} s wall")
    print(
        f"{'delivered':>10} {'duplicated':>11} {'lost':>5} {'REST calls':>11} {'429s':>5}"
        f" {'wall s':>7} {'scaled s':>9} {'floor s':>8} {'ratio':>6}"
        f" {'paced floor s':>14} {'ratio':>6}"
    )
    print(
        f"{delivered:>10} {duplicated:>11} {lost:>5} {calls:>11} {served:>5}"
        f" {wall:7.2f} {scaled:9.1f} {floor:8.1f} {scaled / floor:6.2f}"
        f" {paced:14.1f} {scaled / paced:6.2f}"
    )
    print(
        f"floor: {members} DMs at Discord's global {GLOBAL_PER_S:g}/s (PERFORMANCE.md B3);"
        f" paced floor: at tst-bot's own {DM_PER_S:g} DMs/s, kept under the global limit and"
        " Discord's undocumented DM anti-spam"
    )
    dms = [c.at for c in fake.calls[calls_before:] if c.path.endswith("/messages")]
    if dms:
        # Opening the round (1,000 outbox rows written) is a fixed cost that the time-scaling
        # multiplies too: at 20x, 0.1 s of it reads as 2 s against the floor.
        first, last = min(dms) - start, max(dms) - start
        rate = (len(dms) - 1) / (last - first) / scale if last > first else float("nan")
        print(
            f"first DM after {first * 1000:.0f} ms wall; from there, {rate:.1f} DMs per"
            f" second on Discord's clock (pacing: {DM_PER_S:g})"
        )
    print(f"429s by scope over the whole run: {dict(fake.served_429)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=20.0)
    parser.add_argument(
        "--profile", default="", help="write cProfile stats of the bot's timed pass to this file"
    )
    args = parser.parse_args()
    asyncio.run(run(args.members, args.scale, args.profile))


if __name__ == "__main__":
    main()
