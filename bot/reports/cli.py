"""`tst report`: export one intervention's report from the database."""

from __future__ import annotations

from typing import cast

from bot.reports.document import Audience
from bot.reports.exports import FORMATS, render_report
from bot.storage.store import SqlStore, make_engine


async def export(
    url: str, intervention: str, fmt: str, locale: str | None, audience: str = "group"
) -> bytes:
    if fmt not in FORMATS:
        raise LookupError("--format must be md, csv or html")
    if audience not in ("group", "facilitator"):
        raise LookupError("--audience must be group or facilitator")
    if locale not in (None, "fr", "en"):
        raise LookupError("--locale must be fr or en")
    store = SqlStore(make_engine(url))
    try:
        data = await render_report(
            store,
            intervention,
            cast(Audience, audience),
            fmt,
            "fr" if locale == "fr" else "en" if locale == "en" else None,
        )
    finally:
        await store.close()
    if data is None:
        raise LookupError(f"no intervention {intervention}")
    return data
