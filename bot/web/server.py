"""The web pages' routes, served with /healthz: open a link, show a page, take a form."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import urlsplit

from aiohttp import web

from bot.config import WebSettings
from bot.core.model import Intervention, Locale, UserId
from bot.storage import orm
from bot.web import actions, own_data, views
from bot.web.downloads import report_file
from bot.web.html import Pages, notice
from bot.web.links import LINK_PATH
from bot.web.tokens import LINK, SESSION, Pass, Refusal, Signer

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
COOKIE = "tst_session"
HOME = {"dashboard": "/web/", "mydata": "/web/me"}
P = ParamSpec("P")
R = TypeVar("R", bound=web.StreamResponse)


def _refusing(
    route: Callable[Concatenate[WebPages, web.Request, P], Awaitable[R]],
) -> Callable[Concatenate[WebPages, web.Request, P], Awaitable[R | web.Response]]:
    """A route whose checks raise Refusal: the page saying why, and nothing changed."""

    async def guarded(
        pages: WebPages, request: web.Request, /, *args: P.args, **kwargs: P.kwargs
    ) -> R | web.Response:
        try:
            return await route(pages, request, *args, **kwargs)
        except Refusal as refusal:
            return pages._refused(request, refusal)

    return guarded


def _once(granted: Pass) -> str:
    """The id under which a link's use is recorded (with the platforms' event ids)."""
    return f"link:{granted.nonce}"


def _ended_id(session: Pass) -> str:
    """The id under which a session's sign-out is recorded: it names no one."""
    return f"session-ended:{session.nonce}"


class WebPages:
    """Every route checks, in order: a session of ours, for this page, for this person's
    own interventions; forms also need the session's CSRF token. Anything else gets a page
    saying why, in the reader's language, and changes nothing."""

    def __init__(self, app: App, settings: WebSettings) -> None:
        assert settings.secret is not None, "checked by the configuration"
        self.app = app
        self.settings = settings
        self.signer = Signer(settings.secret.get_secret_value())
        parts = urlsplit(settings.public_url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        defaults = app.settings.defaults
        self.pages = Pages(app.renderer, defaults.locale, defaults.timezone)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(LINK_PATH + "{token}", self.show_link),
            web.post(LINK_PATH + "{token}", self.open_link),
            web.get("/web/", self.dashboard),
            web.get("/web/i/{iid}", self.intervention),
            web.post("/web/i/{iid}", self.act),
            web.get("/web/i/{iid}/report.{fmt}", self.download),
            web.get("/web/me", self.my_data),
            web.post("/web/me", self.erase),
            web.post("/web/logout", self.logout),
            web.get("/web/style.css", self.style),
        ]

    # -- links and sessions ------------------------------------------------------------------

    @_refusing
    async def show_link(self, request: web.Request) -> web.StreamResponse:
        """A link opened: a page with one button. Nothing is spent by looking at it, so a
        chat app or a mail scanner that fetches links first cannot use a link up."""
        now = self.app.runner.clock.now()
        granted = self.signer.read(LINK, request.match_info["token"], now)
        async with self.app.store.unit() as uow:
            used = await uow.session.get(orm.ProcessedEventRow, ("web", _once(granted)))
        if used is not None:
            raise Refusal("used", granted.locale)
        return self.pages.opening(granted.locale, request.path)

    @_refusing
    async def open_link(self, request: web.Request) -> web.StreamResponse:
        """The button: the link is spent, a session starts, its page opens."""
        now = self.app.runner.clock.now()
        granted = self.signer.read(LINK, request.match_info["token"], now)
        if not self._from_here(request):
            # Another site posting a link of its own would sign this browser into it.
            raise Refusal("csrf", granted.locale)
        async with self.app.store.unit() as uow:
            # Single use: the link's nonce is recorded like a platform event id, once.
            fresh = await uow.first_time("web", _once(granted), now)
        if not fresh:
            raise Refusal("used", granted.locale)
        minutes = self.settings.session_minutes
        token, _session = self.signer.issue(
            SESSION,
            granted.page,
            granted.platform,
            granted.workspace,
            granted.user,
            granted.locale,
            now,
            timedelta(minutes=minutes),
        )
        # The button was pressed on this site's own page, so the redirect it follows is a
        # same-site navigation: the SameSite=Strict cookie goes along with it.
        response = self.pages.moved(HOME[granted.page])
        response.set_cookie(
            COOKIE,
            token,
            max_age=minutes * 60,
            path="/web/",
            httponly=True,
            secure=not self.settings.plain_http,
            samesite="Strict",
        )
        log.info("web: a %s link was used", granted.page)  # no one named
        return response

    def _from_here(self, request: web.Request) -> bool:
        """A post sent by this site's own page: what the browser says of where it comes
        from (Sec-Fetch-Site, else Origin; a browser that says neither is believed)."""
        fetched = request.headers.get("Sec-Fetch-Site")
        if fetched is not None and fetched not in ("same-origin", "none"):
            return False
        origin = request.headers.get("Origin")
        return origin is None or origin == self._origin

    async def _session(self, request: web.Request, page: str) -> Pass:
        raw = request.cookies.get(COOKIE)
        if not raw:
            raise Refusal("session")
        try:
            session = self.signer.read(SESSION, raw, self.app.runner.clock.now())
        except Refusal as refusal:
            reason = "session" if refusal.reason == "expired" else refusal.reason
            raise Refusal(reason, refusal.locale, cookie=True) from None
        if await self._ended(session):
            # Signed out: a copy of the cookie (another browser, a backup) opens nothing.
            raise Refusal("session", session.locale, cookie=True)
        if session.page != page:
            raise Refusal("scope", session.locale)
        return session

    async def _ended(self, session: Pass) -> bool:
        async with self.app.store.unit() as uow:
            row = await uow.session.get(orm.ProcessedEventRow, ("web", _ended_id(session)))
        return row is not None

    def _refused(self, request: web.Request, refusal: Refusal) -> web.Response:
        locale = refusal.locale or self.pages.negotiate(request.headers.get("Accept-Language"))
        status = {"expired": 410, "used": 410, "csrf": 403, "forged": 403}.get(refusal.reason, 401)
        response = self.pages.refused(locale, refusal.reason, status)
        if refusal.cookie:
            # Only a cookie that was sent and refused is dropped: a request that came
            # without one (another site's form) must not sign anybody out.
            response.del_cookie(COOKIE, path="/web/")
        return response

    async def _own(self, session: Pass, iid: str) -> Intervention | None:
        """The intervention, only if it is this person's to facilitate, here and now."""
        state = await views.load(self.app.store, iid)
        if (
            state is None
            or state.platform != session.platform
            or state.workspace != session.workspace
            or not state.is_facilitator(UserId(session.user))
        ):
            return None
        return state

    def _form_ok(self, session: Pass, form: Any, request: web.Request) -> bool:
        """The session's CSRF token, sent from this site's own page."""
        return self.signer.csrf_ok(session, str(form.get("csrf", ""))) and self._from_here(request)

    async def _posted(self, request: web.Request, page: str) -> tuple[Pass, Mapping[str, object]]:
        """A form of `page`: its session, and what it sent with the session's CSRF token."""
        session = await self._session(request, page)
        form = await request.post()
        if not self._form_ok(session, form, request):
            raise Refusal("csrf", session.locale)
        return session, form

    # -- the facilitator's pages -------------------------------------------------------------

    @_refusing
    async def dashboard(self, request: web.Request) -> web.Response:
        session = await self._session(request, "dashboard")
        cards = []
        for iid in await views.facilitated(
            self.app.store, session.platform, session.workspace, session.user
        ):
            state = await self._own(session, iid)
            if state is not None:
                reader = views.page_reader(state, UserId(session.user), session.locale)
                cards.append((state, views.summary(state, self.app.renderer, reader)))
        return self.pages.processes(session, self._csrf(session), cards)

    @_refusing
    async def intervention(
        self, request: web.Request, notices: tuple[str, ...] = ()
    ) -> web.Response:
        session = await self._session(request, "dashboard")
        state = await self._own(session, request.match_info["iid"])
        if state is None:
            return self.pages.not_found(session.locale)
        reader = views.page_reader(state, UserId(session.user), session.locale)
        board = await views.dashboard(self.app.store, self.app.renderer, state, reader)
        return self.pages.intervention(session, self._csrf(session), board, notices)

    @_refusing
    async def act(self, request: web.Request) -> web.Response:
        session, form = await self._posted(request, "dashboard")
        state = await self._own(session, request.match_info["iid"])
        if state is None:
            return self.pages.not_found(session.locale)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        event = actions.event_for(state, session, fields)
        if event is None:
            return self.pages.not_found(session.locale)
        handled = await self.app.runner.handle(event)
        return await self.intervention(
            request, tuple(notice(r, session.locale) for r in handled.replies)
        )

    @_refusing
    async def download(self, request: web.Request) -> web.StreamResponse:
        session = await self._session(request, "dashboard")
        state = await self._own(session, request.match_info["iid"])
        if state is None:
            return self.pages.not_found(session.locale)
        reader = views.page_reader(state, UserId(session.user), session.locale)
        file = await report_file(
            self.app.store, self.app.renderer, state.id, reader, request.match_info["fmt"]
        )
        if file is None:
            return self.pages.not_found(session.locale)
        return self.pages.attachment(file.name, file.content_type, file.body)

    # -- a person's own data -----------------------------------------------------------------

    @_refusing
    async def my_data(self, request: web.Request, notices: tuple[str, ...] = ()) -> web.Response:
        session = await self._session(request, "mydata")
        user = UserId(session.user)
        held = []
        for iid in await own_data.joined(
            self.app.store, session.platform, session.workspace, session.user
        ):
            state = await views.load(self.app.store, iid)
            if state is not None and user in state.participants:
                reader = views.page_reader(state, user, session.locale)
                held.append(
                    await own_data.my_data(self.app.store, self.app.renderer, state, user, reader)
                )
        return self.pages.my_data(session, self._csrf(session), held, notices)

    @_refusing
    async def erase(self, request: web.Request) -> web.Response:
        session, form = await self._posted(request, "mydata")
        state = await views.load(self.app.store, str(form.get("intervention", "")))
        if (
            state is None
            or state.platform != session.platform
            or state.workspace != session.workspace
            or UserId(session.user) not in state.participants
        ):
            return self.pages.not_found(session.locale)
        handled = await self.app.runner.handle(
            actions.forget(state, session, str(form.get("nonce", "")))
        )
        return await self.my_data(
            request, tuple(notice(r, session.locale) for r in handled.replies)
        )

    @_refusing
    async def logout(self, request: web.Request) -> web.Response:
        """Ends the session, in this browser and for any copy of its cookie. A session that
        is still valid must send its CSRF token (another site may not sign a person out); a
        dead one is simply cleared."""
        locale: Locale = self.pages.negotiate(request.headers.get("Accept-Language"))
        form = await request.post()
        for page in ("dashboard", "mydata"):
            try:
                session = await self._session(request, page)
            except Refusal:
                continue
            if not self._form_ok(session, form, request):
                raise Refusal("csrf", session.locale)
            locale = session.locale
            async with self.app.store.unit() as uow:
                # Ended for good, not only in this browser: the cookie is signed, so
                # without this record a copy of it would open the page until it expires.
                await uow.first_time("web", _ended_id(session), self.app.runner.clock.now())
        response = self.pages.signed_out(locale)
        response.del_cookie(COOKIE, path="/web/")
        return response

    async def style(self, _request: web.Request) -> web.Response:
        return self.pages.style()

    def _csrf(self, session: Pass) -> str:
        return self.signer.csrf(session)
