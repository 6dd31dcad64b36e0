"""`tst report`: export one intervention's report from the database."""

from __future__ import annotations

from bot.flows.tst import tst_flow
from bot.i18n.catalog import Catalog
from bot.i18n.render import Reader, Renderer
from bot.reports.data import load_report
from bot.reports.exports import html_page, markdown, results_csv
from bot.storage.store import SqlStore, make_engine


async def export(url: str, intervention: str, fmt: str, locale: str | None) -> str:
    if fmt not in ("md", "csv", "html"):
        raise LookupError("--format must be md, csv or html")
    store = SqlStore(make_engine(url))
    try:
        data = await load_report(store, intervention)
    finally:
        await store.close()
    if data is None:
        raise LookupError(f"no intervention {intervention}")
    st = data.intervention
    reader = Reader(
        "en" if locale == "en" else "fr" if locale == "fr" else st.locale,
        st.timezone,
        st.address_form,
    )
    renderer = Renderer(Catalog.load(), tst_flow())
    if fmt == "csv":
        return results_csv(data)
    return html_page(data, renderer, reader) if fmt == "html" else markdown(data, renderer, reader)
