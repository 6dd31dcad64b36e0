"""Browser fixtures: the distribution's Chromium (installed here if missing) under Playwright,
and a running bot with its web pages on a fresh SQLite database."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright
from web_world import WebWorld, start_web

from bot.storage.migrate import upgrade

CHROMIUM = "/usr/bin/chromium"
NAMES = ("ana", "ben", "cleo")


def _install_chromium() -> str | None:
    """Debian's chromium, through apt-get like any package the tests need; the reason it
    could not be installed otherwise."""
    if os.path.exists(CHROMIUM):
        return None
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return f"{CHROMIUM} is missing and apt-get cannot install it here (not root, or no apt)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            return f"`{' '.join(command)}` failed: {done.stderr.strip()[-300:]}"
    return None if os.path.exists(CHROMIUM) else f"apt-get installed no {CHROMIUM}"


@pytest.fixture(scope="session")
def chromium() -> str:
    reason = _install_chromium()
    if reason is not None:
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=chromium, headless=True)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[WebWorld]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'web.db'}"
    await asyncio.to_thread(upgrade, url)
    world = await start_web(url, NAMES)
    try:
        yield world
    finally:
        await world.stop()
