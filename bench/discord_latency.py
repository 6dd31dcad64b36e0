"""Discord interaction latency: `/tst status` at 50 and 200 concurrent slash commands, tst-bot's
real client against a bare discord.py client that only responds, both in the same run.

Run `python -m bench.discord_latency`. Loopback only: both clients are connected to the fake
Discord of the test suite at once, each on its own gateway session; every burst goes to one
session, alternating. Latency is from the INTERACTION_CREATE leaving the fake to the callback
reaching it (the initial response Discord's 3 s window measures); tst-bot's time to its final
follow-up is shown too. `--senders N` spreads each burst over N people (default: one). The
fake shares the event loop with both clients. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from datetime import time as dtime
from functools import partial
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from bot import heap
from bot.app import build
from bot.config import DatabaseSettings, DiscordSettings, InterventionDefaults, Settings
from bot.storage.migrate import upgrade
from bot.wiring.discord import DiscordService
from tests.fakes.discord_gateway import TOKEN, FakeDiscord, Session

LEVELS = (50, 200)
BURSTS = 5


class TimedFake(FakeDiscord):
    """Records when each interaction's first callback and first follow-up arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.sent_at: dict[int, float] = {}
        self.acked_at: dict[int, float] = {}
        self.final_at: dict[int, float] = {}

    def _callback(self, iid: int, token: str, body: dict[str, Any]) -> tuple[int, Any]:
        self.acked_at.setdefault(iid, time.perf_counter())
        if body["type"] in (4, 7, 9):
            self.final_at.setdefault(iid, time.perf_counter())
        return super()._callback(iid, token, body)

    def _followup(self, token: str, body: dict[str, Any], record: bool = True) -> dict[str, Any]:
        iid = int(token.removeprefix("itoken-"))
        self.final_at.setdefault(iid, time.perf_counter())
        return super()._followup(token, body, record)

    async def burst(self, session: Session, users: list[int], n: int) -> list[int]:
        tst = next(c for c in self.commands[str(self.guild_id)] if c["name"] == "tst")
        sub = {"name": "status", "type": 1, "options": []}
        data = {"id": tst["id"], "name": "tst", "type": 1, "options": [sub]}
        events = []
        for k in range(n):
            payload = self._interaction(2, users[k % len(users)], data, dm=False)
            events.append(payload)
        ids = []
        for payload in events:
            iid = int(payload["id"])
            self.sent_at[iid] = time.perf_counter()
            await self._send(session, "INTERACTION_CREATE", payload)
            ids.append(iid)
        return ids


def bare_client() -> discord.Client:
    """What the protocol needs and nothing else: answer `/tst status` at once."""
    client = discord.Client(intents=discord.Intents.none(), guild_ready_timeout=0.05)
    tree = app_commands.CommandTree(client)
    group = app_commands.Group(name="tst", description="tst")

    @group.command(name="status", description="status")
    async def status(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    tree.add_command(group)
    client.tree = tree  # type: ignore[attr-defined]
    return client


def answered(fake: TimedFake, ids: list[int]) -> bool:
    return all(i in fake.final_at for i in ids)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(levels: tuple[int, ...], bursts: int, senders: int) -> None:
    fake = TimedFake()
    await fake.start()
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)
    fac = fake.add_user("fac")
    people = [fake.add_user() for _ in range(5)]
    # Who types the burst's commands, in turn: one person's inputs run one after the other,
    # different people's side by side (as many at once as the edge has workers).
    users = [fac, *(fake.add_user() for _ in range(senders - 1))]
    service = DiscordService(
        DiscordSettings(
            token=TOKEN,
            guild_ids=[fake.guild_id],
            api_base_url=fake.api_base,
            gateway_url=fake.ws_url,
        ),
        guild_ready_timeout=0.05,
    )
    always = InterventionDefaults(day_start=dtime(0), day_end=dtime(0), working_days="all")
    app = build(
        Settings(database=DatabaseSettings(url=url), defaults=always),
        {"discord": service.port},
        None,
        "bench",
    )
    await service.start(app)
    tst_session = fake.sessions[-1]
    for path, args in ((["start"], "Bench"), (["invite"], " ".join(f"<@{u}>" for u in people))):
        iid = await fake.slash(fac, path, args)
        await fake.wait_for(fake.interactions[iid].settled)
    await app.dispatcher.drain()
    bare = bare_client()
    await bare.login(TOKEN)
    bare_task = asyncio.create_task(bare.connect())
    await bare.wait_until_ready()
    bare_session = fake.sessions[-1]
    heap.settle()  # as `tst run` does once started (for both clients: they share this process)
    # The bare client synced last: its /tst (with `status`) is the one the fake dispatches.

    results: dict[tuple[str, int], tuple[list[float], list[float]]] = {}
    for n in levels:
        for _ in range(bursts):
            for name, session in (("bare", bare_session), ("tst-bot", tst_session)):
                ids = await fake.burst(session, users, n)
                await fake.wait_for(partial(answered, fake, ids), timeout=60.0)
                ack, final = results.setdefault((name, n), ([], []))
                ack += [(fake.acked_at[i] - fake.sent_at[i]) * 1000 for i in ids]
                final += [(fake.final_at[i] - fake.sent_at[i]) * 1000 for i in ids]

    print(
        f"{'concurrent':>10} {'client':>8} {'ack p50':>9} {'ack p95':>9} {'ack max':>9}"
        f" {'final p50':>10} {'final p95':>10}  (ms, {bursts} bursts each, {senders} sender(s))"
    )
    for n in levels:
        for name in ("bare", "tst-bot"):
            ack, final = results[(name, n)]
            print(
                f"{n:>10} {name:>8} {statistics.median(ack):9.1f} {pct(ack, 0.95):9.1f}"
                f" {max(ack):9.1f} {statistics.median(final):10.1f} {pct(final, 0.95):10.1f}"
            )
        b_ack, _ = results[("bare", n)]
        t_ack, _ = results[("tst-bot", n)]
        print(
            f"{n:>10} {'ratio':>8} {statistics.median(t_ack) / statistics.median(b_ack):9.2f}"
            f" {pct(t_ack, 0.95) / pct(b_ack, 0.95):9.2f}   (tst-bot / bare, ack)"
        )
        late = sum(a > 3000 for a in t_ack)
        print(f"{'':>10} {'':>8} tst-bot acks over 3 s: {late} of {len(t_ack)}")

    await bare.close()
    with contextlib.suppress(asyncio.CancelledError):
        await bare_task
    await service.stop()
    await app.store.close()
    await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bursts", type=int, default=BURSTS)
    parser.add_argument("--levels", type=int, nargs="*", default=list(LEVELS))
    parser.add_argument("--senders", type=int, default=1, help="people typing the burst")
    args = parser.parse_args()
    asyncio.run(run(tuple(args.levels), args.bursts, max(1, args.senders)))


if __name__ == "__main__":
    main()
