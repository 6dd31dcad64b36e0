"""Signed web passes: the single-use link a DM carries, the session cookie, the CSRF token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.core.model import LOCALES, Locale

Page = Literal["dashboard", "mydata"]
PAGES: tuple[Page, ...] = ("dashboard", "mydata")
# Each kind of token is signed under its own label, so a session cookie can never be
# replayed as a link (or a link as a cookie), even though both carry the same fields.
LINK, SESSION, CSRF = "link", "session", "csrf"
MAX_TOKEN = 2048  # anything longer was not made here


@dataclass(frozen=True, slots=True)
class Pass:
    """Who a link or session is for, on which page, until when. `nonce` makes a link single
    use (and names a session, whose CSRF token derives from it)."""

    page: Page
    platform: str
    workspace: str
    user: str
    locale: Locale
    expires: int  # Unix seconds
    nonce: str

    def expired(self, now: datetime) -> bool:
        return now.timestamp() >= self.expires


class Refusal(Exception):
    """A token that cannot be honoured. `reason` picks the page shown: "forged" (not made
    here, or altered), "expired", "used"; `locale` is the holder's when the token was ours."""

    def __init__(self, reason: str, locale: Locale | None = None, cookie: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.locale = locale
        self.cookie = cookie  # the session cookie sent was refused: the browser may drop it


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """HMAC-SHA256 under the deployment's secret (`[web] secret`)."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"tst-bot web\0" + secret.encode("utf-8")).digest()

    def _mac(self, label: str, body: str) -> str:
        return _b64(hmac.new(self._key, f"{label}\0{body}".encode(), hashlib.sha256).digest())

    def issue(
        self,
        label: str,
        page: Page,
        platform: str,
        workspace: str,
        user: str,
        locale: Locale,
        now: datetime,
        lifetime: timedelta,
    ) -> tuple[str, Pass]:
        granted = Pass(
            page,
            platform,
            workspace,
            user,
            locale,
            int((now + lifetime).timestamp()),
            secrets.token_urlsafe(18),
        )
        body = _b64(json.dumps(asdict(granted), separators=(",", ":")).encode("utf-8"))
        return f"{body}.{self._mac(label, body)}", granted

    def read(self, label: str, token: str, now: datetime) -> Pass:
        """The pass a token carries; Refusal when it is not ours, altered or expired."""
        body, dot, mac = token.partition(".")
        if (
            not dot
            or len(token) > MAX_TOKEN
            or not hmac.compare_digest(
                mac.encode("ascii", "replace"), self._mac(label, body).encode("ascii")
            )
        ):
            raise Refusal("forged")
        try:
            fields = json.loads(_unb64(body))
            granted = Pass(**fields)
        except (ValueError, TypeError) as error:  # signed by us, so only a bug gets here
            raise Refusal("forged") from error
        if granted.page not in PAGES or granted.locale not in LOCALES:
            raise Refusal("forged")
        if granted.expired(now):
            raise Refusal("expired", granted.locale)
        return granted

    def csrf(self, session: Pass) -> str:
        """The token every form of a session carries: known to its pages, not to other sites."""
        return self._mac(CSRF, session.nonce)

    def csrf_ok(self, session: Pass, sent: str) -> bool:
        return hmac.compare_digest(sent.encode("ascii", "replace"), self.csrf(session).encode())
