"""Multi-workspace installs: /slack/install, Slack's approval, /slack/oauth_redirect exchanging
the code through oauth.v2.access, then that workspace's requests served with its own token."""

from __future__ import annotations

import re
import urllib.parse

import aiohttp
from fakes.slack_api import FakeSlack, SlackDriver
from slack_world import SECRET

from bot.app import build
from bot.config import DatabaseSettings, Settings, SlackSettings
from bot.storage.store import SqlStore
from bot.wiring.slack import SlackService
from bot.wiring.slack_manifest import BOT_SCOPES


async def test_an_install_stores_the_workspace_token_and_serves_it(store: SqlStore) -> None:
    fake = await FakeSlack(team="T2", bot_token="xoxb-unused").start()
    fake.register_app("111.222", "client-secret")
    fake.add_user("UFAC", "Fatou")
    settings = SlackSettings(
        client_id="111.222",
        client_secret="client-secret",
        signing_secret=SECRET,
        port=0,
        api_base_url=fake.base_url,
    )
    service = SlackService(settings, pace_seconds=0.0, rate_limit_retries=0)
    url = store.engine.url.render_as_string(hide_password=False)
    app = build(
        Settings(database=DatabaseSettings(url=url), slack=settings), {"slack": service.port}
    )
    await service.start(app)
    root = service.url.removesuffix(settings.path)
    driver = SlackDriver(fake, service.url, SECRET)
    try:
        async with aiohttp.ClientSession() as browser:
            async with browser.get(f"{root}/slack/install", allow_redirects=False) as page:
                assert page.status in (200, 302), page.status
                # bolt's state cookie is Secure (a browser would be on https): carry it by hand
                cookie = page.headers["Set-Cookie"].split(";")[0]
                found = re.search(r"oauth/v2/authorize\?[^\"'\s]+", await page.text())
                target = page.headers.get("Location") or (found.group(0) if found else "")
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(target.replace("&amp;", "&")).query)
            assert query["client_id"] == ["111.222"]
            # The scopes asked at install are the manifest's, im:history for message.im too.
            assert query["scope"][0].split(",") == list(BOT_SCOPES)
            code = fake.authorize("T2")
            back = f"{root}/slack/oauth_redirect?code={code}&state={query['state'][0]}"
            headers = {"Cookie": cookie}
            async with browser.get(back, allow_redirects=False, headers=headers) as done:
                assert done.status == 200, await done.text()
        assert len(fake.called("oauth.v2.access")) == 1
        token = next(t for t, (team, _bot) in fake.tokens.items() if t.startswith("xoxb-T2-"))
        assert await service.token_for("T2") == token

        reply = await driver.slash("start Équipe", "UFAC")
        assert reply.status == 200
        assert service.edge is not None
        await service.edge.settle()
        assert fake.responses, "the command was answered"
        used = {c.token for c in fake.calls if c.method == "users.info"}
        assert used == {token}

        replayed = f"{root}/slack/oauth_redirect?code={code}&state={query['state'][0]}"
        async with (
            aiohttp.ClientSession() as other,
            other.get(replayed, headers={"Cookie": cookie}) as again,
        ):
            assert again.status >= 400  # a code and a state are single use
        assert len([t for t in fake.tokens if t.startswith("xoxb-T2-")]) == 1

        # The workspace removes the app: its installation goes, its token with it.
        fake.uninstall("T2")
        driver.team = "T2"
        assert (await driver.event({"type": "app_uninstalled"})).status == 200
        await service.edge.settle()
        assert await service.token_for("T2") is None
        async with app.store.unit() as uow:
            state = await uow.find("slack", "T2", "C1")
        assert state is not None and state.status == "closed"
    finally:
        await driver.close()
        await service.stop()
        await app.store.close()
        await fake.stop()
