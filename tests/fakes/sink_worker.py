"""A dispatcher process for the multi-process test: `python sink_worker.py DB_URL SINK_URL NAME`."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sink import SinkChat

from tests.delivery_load import dispatcher_app

# Longer than any batch takes on a loaded machine: a live worker never loses its rows. The
# rows of a killed one come back when the test expires its leases (time passing, on demand).
LEASE_SECONDS = 600.0


async def main(db_url: str, sink_url: str, name: str) -> None:
    app = dispatcher_app(db_url, SinkChat(sink_url, name), name, LEASE_SECONDS, batch=20)
    # Stop by itself once no row waits any more, leased to another worker or not.
    while await app.dispatcher.tick() or (await app.dispatcher.outbox.counts()).get("pending"):
        await asyncio.sleep(0.05)
    await app.store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
