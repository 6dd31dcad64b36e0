"""A dispatcher process for the multi-process test: `python sink_worker.py DB_URL SINK_URL NAME`."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sink import SinkChat

from bot.app import build
from bot.config import DatabaseSettings, DeliverySettings, Settings


async def main(db_url: str, sink_url: str, name: str) -> None:
    settings = Settings(
        database=DatabaseSettings(url=db_url),
        delivery=DeliverySettings(lease_seconds=2.0, batch=20),
    )
    app = build(settings, {"memory": SinkChat(sink_url, name)}, worker=name)
    idle = 0
    while idle < 30:  # stop by itself once nothing has been due for a while (about 3 s)
        handled = await app.dispatcher.tick()
        idle = 0 if handled else idle + 1
        if not handled:
            await asyncio.sleep(0.1)
    await app.store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
