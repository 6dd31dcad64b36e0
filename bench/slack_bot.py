"""tst-bot for the Slack benches, in a process of its own: the bot `tst run` would start (the
Slack service on its HTTP port, the dispatcher woken by its clock and by its own commits),
pointed at a fake Slack that runs in the bench's process, so the two do not share a core.

Started by `bench.slack_fanout` and `bench.prompts_click`; prints its URL on the first line of
its output, then stops on SIGTERM. SIGUSR1 starts every per-method budget afresh from Slack's
documented rates, as in a new process; SIGUSR2 does that and forgets the DM channel ids too
(every DM needs `conversations.open` again). Each is acknowledged by a line on the output.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from datetime import time as dtime

from bot import heap
from bot.adapters.slack.limits import LearnedBudget
from bot.app import build
from bot.config import DatabaseSettings, InterventionDefaults, Settings, SlackSettings
from bot.scheduler import Wakeup
from bot.wiring.slack import SlackService


async def main(args: argparse.Namespace) -> None:
    window = 60.0 / args.scale  # one Slack minute, in seconds here
    settings = SlackSettings(
        bot_token=args.token,
        signing_secret=args.secret,
        mode="http",
        host="127.0.0.1",
        port=0,
        api_base_url=args.api,
    )
    # Longer Retry-After waits go back to the dispatcher; waits up to `--wait` Slack minutes
    # are spent in the port (SlackChat's rate_limit_wait), not as dispatcher attempts.
    service = SlackService(
        settings,
        pace_seconds=1.0 / args.scale,
        rate_limit_retries=0,
        rate_limit_wait=args.wait * window,
        rate_window=window,
        workers=args.workers,
    )
    # The wall clock drives the run: no quiet hours, or the prompts would wait for the morning.
    always = InterventionDefaults(day_start=dtime(0), day_end=dtime(0), working_days="all")
    config = Settings(database=DatabaseSettings(url=args.db), slack=settings, defaults=always)
    app = build(config, {"slack": service.port}, None, "bench")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)

    def fresh(forget_dms: bool) -> None:
        service.port.budget = LearnedBudget(window)
        if forget_dms:
            service.port._dm.clear()
        print("fresh", flush=True)

    loop.add_signal_handler(signal.SIGUSR1, fresh, False)
    loop.add_signal_handler(signal.SIGUSR2, fresh, True)
    await service.start(app)
    wake = Wakeup(app.dispatcher, app.runner.clock, 0.05)
    heap.settle()  # as `tst run` does once started
    wake.start()
    print(service.url, flush=True)
    try:
        await stop.wait()
    finally:
        await wake.stop()
        await service.stop()
        await app.store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("api", "db", "token", "secret"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--scale", type=float, default=1.0, help="Slack seconds per second")
    parser.add_argument("--wait", type=float, default=1.0, help="Slack minutes waited in the port")
    parser.add_argument("--workers", type=int, default=2, help="runners working after acks")
    asyncio.run(main(parser.parse_args()))
