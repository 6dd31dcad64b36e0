"""Screenshots of the web pages for the guides (docs/img), at phone and desktop widths:
`PYTHONPATH=tests:tests/web .venv/bin/python tests/web/screenshots.py docs/img`."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from conftest import _install_chromium
from playwright.async_api import Browser, async_playwright
from web_world import WebWorld, start_web

from bot.storage.migrate import upgrade

NAMES = ("ana", "ben", "cleo", "dan")
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


async def a_process_under_way(web: WebWorld) -> None:
    """Some of everything the page shows: rounds in each state, a request, the board."""
    w, people = web.world, web.world.people
    await w.cmd("step trust")
    await w.cmd("round open intake")
    for i, name in enumerate(NAMES):
        answer = {"trust.hope": f"Hope {i}", "trust.worry": f"Worry {i}"}
        await w.answer(people[name], "trust.intake", answer, "group_anonymous")
    await w.cmd("round close intake")  # left for the review: the page shows its draft
    await w.cmd("round open barometer")
    for name in NAMES[:3]:
        answer = {"barometer.level": 4, "barometer.word": "Curious"}
        await w.answer(people[name], "trust.barometer", answer)
    await w.cmd("schedule close barometer 2026-03-06 17:00")
    await w.cmd("board add obstacle Too many meetings on Monday mornings")
    await w.cmd("board add proposal A shared agenda, written together")
    await w.cmd(f"action add <@{people['ben']}> 2026-03-20 Draft the shared agenda")
    await w.choose(people["cleo"], "timeout", "anonymous")


async def shoot(browser: Browser, web: WebWorld, out: Path, locale: str) -> None:
    for width, (x, y) in WIDTHS.items():
        context = await browser.new_context(viewport={"width": x, "height": y})
        page = await context.new_page()
        await page.goto(await web.link("dashboard"))
        await page.click("#open")
        await page.wait_for_url(f"{web.base_url}/web/")
        await page.click("a[href^='/web/i/']")
        await page.screenshot(path=str(out / f"dashboard-{locale}-{width}.png"), full_page=True)
        ana = web.world.people["ana"]
        await page.goto(await web.link("mydata", user=ana))
        await page.click("#open")
        await page.wait_for_url(f"{web.base_url}/web/me")
        await page.screenshot(path=str(out / f"mydata-{locale}-{width}.png"), full_page=True)
        await context.close()


async def main(out: Path) -> None:
    reason = _install_chromium()
    if reason is not None:
        raise SystemExit(reason)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium")
        for locale in ("fr", "en"):
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite+aiosqlite:///{Path(tmp) / 'shots.db'}"
                await asyncio.to_thread(upgrade, url)
                web = await start_web(url, NAMES)
                try:
                    if locale == "en":
                        await web.world.cmd("lang en")
                        await web.world.cmd("lang en", user=web.world.people["ana"])
                    await a_process_under_way(web)
                    await shoot(browser, web, out, locale)
                finally:
                    await web.stop()
        await browser.close()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img")
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(target))
