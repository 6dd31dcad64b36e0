"""The pages as HTML: Jinja2 templates (autoescaped), catalog words, the security headers."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bot.core.effects import When
from bot.core.model import LOCALES, Intervention, Locale
from bot.core.ports import OutMessage
from bot.i18n.render import Renderer
from bot.web.own_data import MyData
from bot.web.tokens import Pass
from bot.web.views import Dashboard

# No script at all, styles from this server only, forms only to this server, never framed.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The address (with a link's token) never leaves for another site; our own pages keep
    # their origin, which a form's post must show (bot/web/server.py).
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# A downloaded report may carry its own inline styles and images, still no script.
DOWNLOAD_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
NARROW_BEFORE = re.compile(r" ([;?!»])")
WIDE_BEFORE = re.compile(r" :")


def typeset(text: str, locale: Locale) -> str:
    """French spacing for a page (the catalogs keep plain spaces, which chat apps show as
    such): no-break spaces before « : », narrow ones before « ; ? ! » and inside « ».
    Applied to the catalog's words only, never to what a person wrote."""
    if locale != "fr":
        return text
    text = WIDE_BEFORE.sub("\u00a0:", text)
    text = NARROW_BEFORE.sub("\u202f\\1", text)
    return text.replace("« ", "«\u202f")


def _nonce() -> str:
    """A fresh id for one form: sent twice, it is still one event (bot/web/actions.py)."""
    return secrets.token_urlsafe(12)


def notice(message: OutMessage, locale: Locale) -> str:
    """A chat reply shown on a page: the catalog's words typeset, a person's words as written."""
    return "".join(s.text if s.relayed else typeset(s.text, locale) for s in message.segments)


class Pages:
    """Renders each page in one language; every response carries HEADERS."""

    def __init__(self, renderer: Renderer, default: Locale, timezone: str = "UTC") -> None:
        self.renderer = renderer
        self.default = default
        self.timezone = timezone
        self.env = Environment(
            loader=PackageLoader("bot.web", "templates"),
            autoescape=select_autoescape(("html",), default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["typeset"] = typeset
        self.css = resources.files("bot.web").joinpath("templates/style.css").read_bytes()

    def negotiate(self, header: str | None) -> Locale:
        """The first of our languages the browser asks for, else the deployment's."""
        for part in (header or "").split(","):
            tag = part.split(";")[0].strip().lower()[:2]
            if tag in LOCALES:
                return "fr" if tag == "fr" else "en"
        return self.default

    def _words(self, locale: Locale) -> Any:
        catalog = self.renderer.catalog

        def t(key: str, **params: Any) -> str:
            return typeset(catalog.text(locale, key, "vous", self.timezone, **params), locale)

        return t

    def _page(
        self, template: str, locale: Locale, status: int = 200, **context: Any
    ) -> web.Response:
        html = self.env.get_template(template).render(
            t=self._words(locale), locale=locale, nonce=_nonce, **context
        )
        return web.Response(
            text=html, status=status, content_type="text/html", charset="utf-8", headers=HEADERS
        )

    def _signed_in(self, session: Pass, csrf: str) -> dict[str, Any]:
        until = self.renderer.catalog.param_text(
            session.locale,
            "when",
            When(datetime.fromtimestamp(session.expires, UTC)),
            "vous",
            self.timezone,
        )
        return {"session_until": until, "csrf": csrf}

    def opening(self, locale: Locale, action: str) -> web.Response:
        return self._page("open.html", locale, action=action)

    def moved(self, target: str) -> web.Response:
        return web.Response(status=303, headers={**HEADERS, "Location": target})

    def refused(self, locale: Locale, reason: str, status: int) -> web.Response:
        return self._page("refused.html", locale, status, reason=reason)

    def not_found(self, locale: Locale) -> web.Response:
        return self._page("refused.html", locale, 404, reason="not_found")

    def signed_out(self, locale: Locale) -> web.Response:
        return self._page("signed_out.html", locale)

    def processes(
        self, session: Pass, csrf: str, cards: Sequence[tuple[Intervention, str]]
    ) -> web.Response:
        return self._page(
            "processes.html", session.locale, cards=cards, **self._signed_in(session, csrf)
        )

    def intervention(
        self, session: Pass, csrf: str, board: Dashboard, notices: Sequence[str]
    ) -> web.Response:
        return self._page(
            "intervention.html",
            session.locale,
            board=board,
            notices=notices,
            **self._signed_in(session, csrf),
        )

    def my_data(
        self, session: Pass, csrf: str, held: Sequence[MyData], notices: Sequence[str]
    ) -> web.Response:
        return self._page(
            "mydata.html",
            session.locale,
            held=held,
            notices=notices,
            **self._signed_in(session, csrf),
        )

    def attachment(self, name: str, content_type: str, body: bytes) -> web.Response:
        headers = {
            **HEADERS,
            "Content-Security-Policy": DOWNLOAD_CSP,
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Type": content_type,
        }
        return web.Response(body=body, headers=headers)

    def style(self) -> web.Response:
        headers = {**HEADERS, "Cache-Control": "max-age=3600", "Content-Type": "text/css"}
        return web.Response(body=self.css, headers=headers)
