"""The DM that carries a web link: a fresh signed token per delivery, never stored anywhere."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.config import WebSettings
from bot.core.effects import Message
from bot.core.model import Intervention, UserId
from bot.core.ports import Clock, DeliveryError, OutMessage
from bot.i18n.render import Reader, Renderer
from bot.web.tokens import LINK, PAGES, Page, Signer

LINK_PATH = "/web/link/"


class Links:
    """Makes the links `/tst dashboard` and `/tst mydata` send (bot/web/server.py opens them)."""

    def __init__(self, settings: WebSettings, renderer: Renderer, clock: Clock) -> None:
        assert settings.secret is not None, "checked by the configuration"
        self.settings = settings
        self.signer = Signer(settings.secret.get_secret_value())
        self.renderer = renderer
        self.clock = clock

    def url(
        self, page: Page, state: Intervention, user: UserId, reader: Reader, now: datetime
    ) -> str:
        token, _granted = self.signer.issue(
            LINK,
            page,
            state.platform,
            state.workspace,
            user,
            reader.locale,
            now,
            timedelta(minutes=self.settings.link_minutes),
        )
        return f"{self.settings.public_url}{LINK_PATH}{token}"

    async def message(
        self,
        state: Intervention,
        user: UserId,
        page: str,
        reader_of: Callable[[Intervention, UserId], Awaitable[Reader]],
    ) -> OutMessage:
        """The DM: the link, how long it lasts, that it opens once (in the reader's language,
        which the page it opens speaks too)."""
        if page not in PAGES:
            raise DeliveryError(f"unknown web page {page!r}", permanent=True)
        reader = await reader_of(state, user)
        url = self.url(page, state, user, reader, self.clock.now())
        minutes = self.settings.link_minutes
        message = (
            Message("web.link_dashboard", {"url": url, "minutes": minutes})
            if page == "dashboard"
            else Message("web.link_mydata", {"url": url, "minutes": minutes})
        )
        return self.renderer.message(state, message, reader)
