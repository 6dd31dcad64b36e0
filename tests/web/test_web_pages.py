"""The web pages in a real browser (headless Chromium): what a link opens, what it no longer
opens, what a page's button does to the group, and what other people and other sites get."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web as aioweb
from playwright.async_api import Browser, BrowserContext, Page
from privacy_world import FAC
from waiting import free_port
from web_world import WebWorld

from bot.core.model import InterventionId, UserId
from bot.reports.personal import my_data_rows
from bot.web.downloads import report_file
from bot.web.views import page_reader


async def opened(browser: Browser, link: str) -> tuple[BrowserContext, Page]:
    """A fresh browser (no cookie) that opened `link` and pressed its button, if any."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(link)
    if await page.locator("#open").count():
        await page.click("#open")
    return context, page


async def test_looking_at_a_link_does_not_use_it(web: WebWorld, browser: Browser) -> None:
    """A chat app that fetches a link to preview it must not spend it."""
    link = await web.link("dashboard")
    peek = await browser.new_context()
    for _ in range(2):
        preview = await peek.new_page()
        await preview.goto(link)
        assert await preview.locator("#open").count() == 1
    assert not [c for c in await peek.cookies() if c["name"] == "tst_session"]
    _context, page = await opened(browser, link)
    await page.wait_for_url(f"{web.base_url}/web/")
    assert "Équipe" in await page.inner_text("main")


async def refusal(page: Page) -> str:
    """Which refusal the page shows ("" on any other page)."""
    found = page.locator(".refusal")
    return (await found.get_attribute("data-reason") or "") if await found.count() else ""


async def test_the_link_opens_the_facilitators_live_page(web: WebWorld, browser: Browser) -> None:
    await web.world.cmd("round open intake")
    context, page = await opened(browser, await web.link("dashboard"))
    await page.wait_for_url(f"{web.base_url}/web/")
    await page.click("a[href^='/web/i/']")
    row = page.locator("tr[data-round='trust.intake']")
    assert "Attentes et réserves" in await row.inner_text()
    # Nobody has answered: a count under k is not shown, even to the facilitator.
    assert "moins de 3" in await row.locator("td.count").inner_text()
    for name in ("ana", "ben", "cleo"):
        await web.world.answer(web.world.people[name], "trust.intake", {"trust.hope": "zqhope"})
    await page.reload()
    assert "3 sur 3" in await page.locator("tr[data-round='trust.intake'] td.count").inner_text()
    cookie = next(c for c in await context.cookies() if c["name"] == "tst_session")
    # Plain http is allowed for localhost only (the settings refuse it elsewhere): there
    # the cookie cannot be Secure; everything else holds.
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]


async def test_a_link_opens_once(web: WebWorld, browser: Browser) -> None:
    link = await web.link("dashboard")
    _first, page = await opened(browser, link)
    await page.wait_for_url(f"{web.base_url}/web/")
    second, again = await opened(browser, link)
    assert await refusal(again) == "used"
    assert "déjà été ouvert" in await again.inner_text("main")  # in the holder's language
    assert not [c for c in await second.cookies() if c["name"] == "tst_session"]


async def test_an_expired_link_is_refused(web: WebWorld, browser: Browser) -> None:
    link = await web.link("dashboard")
    web.clock.advance(minutes=15, seconds=1)
    context, page = await opened(browser, link)
    assert await refusal(page) == "expired"
    assert not [c for c in await context.cookies() if c["name"] == "tst_session"]


async def test_forged_links_and_cookies_are_refused(web: WebWorld, browser: Browser) -> None:
    link = await web.link("dashboard")
    head, last = link[:-1], link[-1]
    context, page = await opened(browser, head + ("A" if last != "A" else "B"))
    assert await refusal(page) == "forged"
    # A session cookie made up, or taken from a real one and altered, opens nothing.
    _real, good = await opened(browser, link)
    await good.wait_for_url(f"{web.base_url}/web/")
    real = next(c for c in await _real.cookies() if c["name"] == "tst_session")
    for value in ("made-up", real["value"][:-1] + ("x" if real["value"][-1] != "x" else "y")):
        await context.add_cookies([{**real, "value": value}])  # type: ignore[list-item]
        await page.goto(f"{web.base_url}/web/")
        assert await refusal(page) == "forged"
        assert "Équipe" not in await page.inner_text("main")


async def test_a_round_closed_on_the_page_is_what_the_channel_receives(
    web: WebWorld, browser: Browser
) -> None:
    await web.world.cmd("round open intake")
    for name in ("ana", "ben", "cleo"):
        answer = {"trust.hope": f"zq{name}hope"}
        await web.world.answer(web.world.people[name], "trust.intake", answer, "group_anonymous")
    _context, page = await opened(browser, await web.link("dashboard"))
    await page.click("a[href^='/web/i/']")
    posted = len(web.chat.seen_by("#C1"))
    await page.click("tr[data-round='trust.intake'] form:has(input[value='close']) button")
    assert "clos" in await page.locator(".notices").inner_text()
    await page.click("tr[data-round='trust.intake'] form:has(input[value='publish']) button")
    await web.world.app.dispatcher.drain()
    channel = web.chat.seen_by("#C1")[posted:]
    # The group reads the round's closing and its synthesis, with the anonymous answers.
    assert any("zqanahope" in text for text in channel), channel
    state = await web.world.state()
    assert state.rounds["trust.intake"].published
    # Each of the page's actions is on the record, as the same command typed in chat is.
    audit = await page.locator("table.audit tr", has_text="Attentes et réserves").count()
    assert audit == 3  # opened (in chat), closed and published (on the page)


@asynccontextmanager
async def another_site(host: str, target: str, fields: dict[str, str]) -> AsyncIterator[str]:
    """A page of another origin with a form that posts to `target` (no CSRF token: it
    cannot know it)."""
    inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
    html = f'<form method="post" action="{target}">{inputs}<button id="go">Win</button></form>'

    async def page(_request: aioweb.Request) -> aioweb.Response:
        return aioweb.Response(text=html, content_type="text/html")

    app = aioweb.Application()
    app.add_routes([aioweb.get("/", page)])
    runner = aioweb.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await aioweb.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://{host}:{port}/"
    finally:
        await runner.cleanup()


async def test_a_cross_site_form_post_is_refused(web: WebWorld, browser: Browser) -> None:
    _context, page = await opened(browser, await web.link("dashboard"))
    await page.wait_for_url(f"{web.base_url}/web/")
    iid = web.world.iid
    target = f"{web.base_url}/web/i/{iid}"
    fields = {"action": "pause", "value": "", "nonce": "evilnonce123"}
    # Another port of the same host is the same site: the cookie goes, the token does not.
    async with another_site("localhost", target, fields) as evil:
        await page.goto(evil)
        await page.click("#go")
        assert await refusal(page) == "csrf"
    # Another site altogether: the SameSite=Strict cookie is not even sent.
    async with another_site("127.0.0.1", target, {**fields, "nonce": "evilnonce456"}) as evil:
        await page.goto(evil)
        await page.click("#go")
        assert await refusal(page) == "session"
    assert (await web.world.state()).status != "paused"
    await page.goto(target)  # the facilitator's own session still works
    assert await refusal(page) == ""


async def test_another_persons_session_cannot_see_the_page(web: WebWorld, browser: Browser) -> None:
    iid = web.world.iid
    ana = web.world.people["ana"]
    _context, page = await opened(browser, await web.link("mydata", user=ana))
    await page.wait_for_url(f"{web.base_url}/web/me")
    for path in ("/web/", f"/web/i/{iid}", f"/web/i/{iid}/report.csv"):
        await page.goto(web.base_url + path)
        assert await refusal(page) == "scope", path
    # A facilitator sees only what they facilitate: ben's own process stays his.
    await web.world.cmd("start Autre", user=web.world.people["ben"], channel="C2")
    other = web.world.iid
    assert other != iid
    _fac, fac_page = await opened(browser, await web.link("dashboard"))
    await fac_page.wait_for_url(f"{web.base_url}/web/")
    assert "Autre" not in await fac_page.inner_text("main")
    await fac_page.goto(f"{web.base_url}/web/i/{other}")
    assert await refusal(fac_page) == "not_found"
    assert "Autre" not in await fac_page.inner_text("main")


async def test_a_participants_page_shows_their_data_and_erases_it(
    web: WebWorld, browser: Browser
) -> None:
    world = web.world
    ana, ben = world.people["ana"], world.people["ben"]
    await world.cmd("round open intake")
    await world.answer(ana, "trust.intake", {"trust.hope": "zqanasown"}, "group_anonymous")
    await world.answer(ben, "trust.intake", {"trust.hope": "zqbensown"}, "group_anonymous")
    _context, page = await opened(browser, await web.link("mydata", user=ana))
    await page.wait_for_url(f"{web.base_url}/web/me")
    text = await page.inner_text("main")
    assert "zqanasown" in text and "Équipe" in text
    assert "zqbensown" not in text  # only her own
    await page.check("form.erase input[name='confirm']")
    await page.click("form.erase button")
    assert await page.locator(".notices").count() == 1
    assert "zqanasown" not in await page.inner_text("main")
    state = await world.state()
    assert ana not in state.participants and ben in state.participants
    assert await my_data_rows(world.app.store, InterventionId(state.id), ana) == []
    assert [r for r in await my_data_rows(world.app.store, state.id, ben) if "zqbensown" in r[3]]


async def test_the_facilitator_cannot_erase_through_a_participants_form(
    web: WebWorld, browser: Browser
) -> None:
    """The erase form acts for the session's person only: the form names an intervention,
    never a person, so a facilitator's session can only ever erase the facilitator."""
    _context, page = await opened(browser, await web.link("mydata", user=FAC))
    await page.wait_for_url(f"{web.base_url}/web/me")
    await page.check("form.erase input[name='confirm']")
    await page.click("form.erase button")
    # The last facilitator cannot leave: the engine says so, and nobody else is touched.
    assert "facilita" in (await page.locator(".notices").inner_text()).lower()
    assert set(web.world.people.values()) <= set((await web.world.state()).participants)


async def test_another_site_cannot_sign_a_browser_in_with_a_link(
    web: WebWorld, browser: Browser
) -> None:
    """Someone's own link, posted from their site, would open their session in a victim's
    browser (and show the victim's later clicks to them): it is refused, and not spent."""
    link = await web.link("dashboard")
    context = await browser.new_context()
    page = await context.new_page()
    async with another_site("127.0.0.1", link, {}) as evil:
        await page.goto(evil)
        await page.click("#go")
        assert await refusal(page) == "csrf"
    assert not [c for c in await context.cookies() if c["name"] == "tst_session"]
    _owner, own = await opened(browser, link)
    await own.wait_for_url(f"{web.base_url}/web/")


async def test_the_report_downloads_from_the_page(web: WebWorld, browser: Browser) -> None:
    await web.world.cmd("round open intake")
    _context, page = await opened(browser, await web.link("dashboard"))
    await page.click("a[href^='/web/i/']")
    async with page.expect_download() as info:
        await page.click("a[href$='/report.csv']")
    download = await info.value
    path = await download.path()
    got = await asyncio.to_thread(path.read_bytes)
    # The file the reports module builds for this facilitator, in their language.
    state = await web.world.state()
    reader = page_reader(state, UserId(FAC), "fr")
    made = await report_file(web.world.app.store, web.world.app.renderer, state.id, reader, "csv")
    assert made is not None and got == made.body and download.suggested_filename == made.name
    assert state.id in made.name and got


async def test_a_curation_done_on_the_page_is_what_the_channel_receives(
    web: WebWorld, browser: Browser
) -> None:
    world = web.world
    await world.cmd("round open intake")
    said = {name: f"zq{name}words" for name in ("ana", "ben", "cleo")}
    for name, text in said.items():
        answer = {"trust.hope": text}
        await world.answer(world.people[name], "trust.intake", answer, "group_anonymous")
    await world.cmd("round close intake")
    _context, page = await opened(browser, await web.link("dashboard"))
    await page.click("a[href^='/web/i/']")
    draft = page.locator("article[data-draft='trust.intake']")
    lines = (await draft.locator(".synthesis").inner_text()).splitlines()
    # The draft numbers its items as the chat's commands name them; hold the first back.
    first = next(line for line in lines if "1.1" in line)
    held = next(text for text in said.values() if text in first)
    await draft.locator("form[data-curate='hold'] input[name='item']").fill("1.1")
    await draft.locator("form[data-curate='hold'] button").click()
    assert await page.locator(".notices").count() == 1
    posted = len(web.chat.seen_by("#C1"))
    await page.click("tr[data-round='trust.intake'] form:has(input[value='publish']) button")
    await world.app.dispatcher.drain()
    channel = "\n".join(web.chat.seen_by("#C1")[posted:])
    assert held not in channel
    assert all(text in channel for text in said.values() if text != held)


async def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(
    web: WebWorld, browser: Browser
) -> None:
    """A session is revoked where it is held: after "Se déconnecter", the same cookie copied
    into another browser (a shared computer, a backup) opens nothing, and a second session
    of the same person, opened from a new link, goes on."""
    here, page = await opened(browser, await web.link("dashboard"))
    await page.wait_for_url(f"{web.base_url}/web/")
    cookie = next(c for c in await here.cookies() if c["name"] == "tst_session")
    copy = await browser.new_context()
    await copy.add_cookies([cookie])  # type: ignore[list-item]
    elsewhere = await copy.new_page()
    await elsewhere.goto(f"{web.base_url}/web/")
    assert "Équipe" in await elsewhere.inner_text("main")  # the copy works while it lasts
    _other, other = await opened(browser, await web.link("dashboard"))
    await other.wait_for_url(f"{web.base_url}/web/")

    await page.click("form.signout button")
    await page.wait_for_url(f"{web.base_url}/web/logout")
    await elsewhere.goto(f"{web.base_url}/web/")
    assert await refusal(elsewhere) == "session"
    assert "Équipe" not in await elsewhere.inner_text("main")
    await other.reload()
    assert "Équipe" in await other.inner_text("main")  # only the one signed out ended
