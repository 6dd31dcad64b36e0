"""A dispatcher process for the multi-process test: `python sink_worker.py DB_URL SINK_URL NAME`."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sink import SinkChat

from tests.delivery_load import deliver_until_idle, dispatcher_app


async def main(db_url: str, sink_url: str, name: str) -> None:
    app = dispatcher_app(db_url, SinkChat(sink_url, name), name, lease_seconds=2.0, batch=20)
    # Stop by itself once nothing has been due for a while (about 3 s).
    await deliver_until_idle(app, idle_ticks=30, pause=0.1)
    await app.store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
