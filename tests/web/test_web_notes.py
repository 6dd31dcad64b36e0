"""The facilitators' private notes on their live page (headless Chromium): shown to them,
escaped as text, never on a participant's page."""

from __future__ import annotations

from playwright.async_api import Browser, Page
from privacy_world import FAC
from web_world import WebWorld


async def live_page(web: WebWorld, browser: Browser) -> Page:
    """The facilitator's live page of the intervention, opened from the link in their DM."""
    page = await (await browser.new_context()).new_page()
    await page.goto(await web.link("dashboard"))
    if await page.locator("#open").count():
        await page.click("#open")
    await page.wait_for_url(f"{web.base_url}/web/")
    await page.click("a[href^='/web/i/']")
    return page


async def test_a_note_shows_on_the_facilitators_page_as_text(
    web: WebWorld, browser: Browser
) -> None:
    await web.world.cmd("note ajouter <b>Ben</b> semble fatigué @everyone")
    await web.world.cmd("tour texte attentes 1 fr: Qu'espérez-vous pour l'équipe ?")
    await web.world.choose(FAC, "words", "yes")
    page = await live_page(web, browser)
    notes = page.locator("section[aria-labelledby='h-notes']")
    assert "<b>Ben</b> semble fatigué" in await notes.inner_text()  # text, never markup
    assert await notes.locator("b").count() == 0
    audit = await page.locator("section[aria-labelledby='h-audit']").inner_text()
    assert "Note privée ajoutée" in audit and "Question reformulée" in audit
    assert "prompt:" not in audit and "fatigué" not in audit  # the kind of change, not the words


async def test_a_note_written_on_the_page_is_kept_once_and_shown_as_text(
    web: WebWorld, browser: Browser
) -> None:
    page = await live_page(web, browser)
    form = page.locator("form[data-note='add']")
    await form.locator("textarea[name='text']").fill("<i>Cleo</i> parle peu @here")
    await form.locator("button[type='submit']").click()
    notes = page.locator("section[aria-labelledby='h-notes']")
    await notes.locator("ul.notes li").first.wait_for()
    assert "<i>Cleo</i> parle peu @here" in await notes.inner_text()
    assert await notes.locator("ul.notes i").count() == 0  # the words as text, never markup
    # Reloading the page after posting adds nothing: one note.
    await page.reload()
    assert len((await web.world.state()).notes) == 1
    assert (await web.world.state()).notes[0].text == "<i>Cleo</i> parle peu @here"
    audit = await page.locator("section[aria-labelledby='h-audit']").inner_text()
    assert "Note privée ajoutée" in audit and "Cleo" not in audit
