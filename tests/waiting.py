"""Helpers for tests that run real servers: a free local port, and waiting for a condition."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def until(condition: Callable[[], bool], timeout: float = 15.0, step: float = 0.05) -> None:
    """Return once `condition()` holds; fail the test after `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(step)
