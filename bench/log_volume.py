"""Log volume at INFO: an idle bot and a whole intervention, logged as `tst run` did before
(root at INFO, every library speaking) and as it does now (bot.logs.configure_logging), both
measured in the same run. Prints lines per hour idle and lines per intervention; asserts nothing.

Run `python -m bench.log_volume [--idle-seconds 20]` (about a minute). The idle bot is the real
dispatcher and its APScheduler wake-up clock over SQLite with nothing to deliver; the
intervention is the demo's (nine people, seven steps) on the memory chat.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from collections import Counter
from pathlib import Path

from bot.adapters.memory import MemoryChat
from bot.app import build
from bot.config import DatabaseSettings, Settings
from bot.demo.run import run_demo
from bot.logs import configure_logging
from bot.scheduler import Wakeup
from bot.storage.migrate import upgrade


class Counting(logging.Handler):
    """Counts the records that reach the root handler, as the operator's terminal would."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines = 0
        self.by_logger: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines += 1
        self.by_logger[record.name.split(".")[0]] += 1


def before(counter: Counting) -> None:
    """What `tst run` did until now: logging.basicConfig(level=INFO), nothing else quieted."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for name in list(logging.root.manager.loggerDict):
        logging.getLogger(name).setLevel(logging.NOTSET)
    root.setLevel(logging.INFO)
    root.addHandler(counter)


def after(counter: Counting) -> None:
    configure_logging(Settings(log_level="INFO"))
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(counter)


async def idle(seconds: float, folder: Path) -> None:
    url = f"sqlite+aiosqlite:///{folder / 'idle.db'}"
    await asyncio.to_thread(upgrade, url)
    app = build(Settings(database=DatabaseSettings(url=url)), {"memory": MemoryChat()})
    wake = Wakeup(app.dispatcher, app.runner.clock, 1.0)  # tick_seconds' default
    wake.start()
    await asyncio.sleep(seconds)
    await wake.stop()
    await app.store.close()


def measure(setup: str, seconds: float) -> tuple[float, int, Counter[str]]:
    counter = Counting()
    (before if setup == "before" else after)(counter)
    with tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        asyncio.run(idle(seconds, Path(folder)))
        per_hour = counter.lines * 3600 / (time.monotonic() - started)
        idle_lines = counter.lines
        asyncio.run(run_demo("fr", 9, 7, Path(folder) / "demo", say=lambda _line: None))
    return per_hour, counter.lines - idle_lines, counter.by_logger


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    args = parser.parse_args()
    rows = {setup: measure(setup, args.idle_seconds) for setup in ("before", "after")}
    print(f"INFO log lines, idle {args.idle_seconds:.0f} s extrapolated to an hour, and one demo")
    print(f"{'setup':<8} {'idle lines/h':>13} {'demo lines':>11}  loudest loggers")
    for setup, (per_hour, demo, loggers) in rows.items():
        loudest = ", ".join(f"{n} {c}" for n, c in loggers.most_common(3))
        print(f"{setup:<8} {per_hour:>13,.0f} {demo:>11,}  {loudest}")
    b, a = rows["before"], rows["after"]
    idle_ratio = a[0] / b[0] if b[0] else 0.0
    demo_ratio = a[1] / b[1] if b[1] else 0.0
    print(f"after/before: idle {idle_ratio:.3f}×, demo {demo_ratio:.3f}×")


if __name__ == "__main__":
    main()
