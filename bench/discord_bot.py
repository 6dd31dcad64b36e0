"""tst-bot for the Discord benches, in a process of its own: the bot `tst run` would start (the
Discord service, the dispatcher woken by its clock and by its own commits), pointed at a fake
Discord that runs in the bench's process, so the two do not share a core.

Started by `bench.discord_fanout`; stops on SIGTERM. With `--profile FILE`, SIGUSR1 starts
cProfile and SIGUSR2 writes what it saw to FILE (the bench brackets the timed pass with them).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import signal
from datetime import time as dtime

from bot import heap
from bot.adapters.discord.chat import DiscordChat
from bot.adapters.discord.handlers import Handlers
from bot.app import build
from bot.config import DatabaseSettings, DiscordSettings, InterventionDefaults, Settings
from bot.scheduler import Wakeup
from bot.wiring.discord import DiscordService

DM_PER_S, DM_OPENS_PER_S = 20.0, 2.0  # tst-bot's own DM pacing (DiscordChat's defaults)


async def main(args: argparse.Namespace) -> None:
    service = DiscordService(
        DiscordSettings(
            token=args.token,
            guild_ids=[args.guild],
            api_base_url=args.api,
            gateway_url=args.gateway,
        ),
        guild_ready_timeout=0.05,
    )
    # tst-bot's DM pacing, on the bench's accelerated clock.
    service.port = DiscordChat(
        dm_per_second=DM_PER_S * args.scale, dm_opens_per_second=DM_OPENS_PER_S * args.scale
    )
    service.handlers = Handlers(service.port)
    # The wall clock drives the run: no quiet hours, or the prompts would wait for the morning.
    always = InterventionDefaults(day_start=dtime(0), day_end=dtime(0), working_days="all")
    app = build(
        Settings(database=DatabaseSettings(url=args.db), defaults=always),
        {"discord": service.port},
        None,
        "bench",
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    if args.profile:
        profile = cProfile.Profile()
        loop.add_signal_handler(signal.SIGUSR1, profile.enable)
        loop.add_signal_handler(signal.SIGUSR2, lambda: _dump(profile, args.profile))
    await service.start(app)
    wake = Wakeup(app.dispatcher, app.runner.clock, 0.05)
    heap.settle()  # as `tst run` does once started
    wake.start()
    try:
        await stop.wait()
    finally:
        await wake.stop()
        await service.stop()
        await app.store.close()


def _dump(profile: cProfile.Profile, path: str) -> None:
    profile.disable()
    profile.dump_stats(path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("api", "gateway", "db", "token"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--guild", type=int, required=True)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--profile", default="", help="where SIGUSR2 writes cProfile's stats")
    asyncio.run(main(parser.parse_args()))
