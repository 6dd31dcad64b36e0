"""The reports the dashboard offers for download: the one place that calls bot/reports."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n.render import Reader, Renderer
from bot.reports.data import load_report
from bot.reports.exports import html_page, markdown, results_csv
from bot.storage.store import SqlStore

FORMATS: dict[str, tuple[str, str]] = {
    "html": ("html", "text/html; charset=utf-8"),
    "md": ("md", "text/markdown; charset=utf-8"),
    "csv": ("csv", "text/csv; charset=utf-8"),
}


@dataclass(frozen=True, slots=True)
class ReportFile:
    name: str
    content_type: str
    body: bytes


async def report_file(
    store: SqlStore, renderer: Renderer, iid: str, reader: Reader, fmt: str
) -> ReportFile | None:
    """One report of one intervention in one format, in the reader's language; None when
    the format or the intervention is unknown. Who may download is the caller's check."""
    if fmt not in FORMATS:
        return None
    data = await load_report(store, iid)
    if data is None:
        return None
    extension, content_type = FORMATS[fmt]
    if fmt == "csv":
        text = results_csv(data)
    elif fmt == "md":
        text = markdown(data, renderer, reader)
    else:
        text = html_page(data, renderer, reader)
    word = "rapport" if reader.locale == "fr" else "report"
    return ReportFile(f"{word}-{iid}.{extension}", content_type, text.encode("utf-8"))
