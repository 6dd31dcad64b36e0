"""The reports the dashboard offers for download: the one place that calls bot/reports."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n.render import Reader, Renderer
from bot.reports.data import load_report
from bot.reports.document import Audience
from bot.reports.exports import Format, report_files
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
    store: SqlStore,
    renderer: Renderer,
    iid: str,
    reader: Reader,
    fmt: str,
    audience: Audience = "facilitator",
) -> ReportFile | None:
    """One report of one intervention in one format, in the reader's language (the
    facilitator's unless told: this is their page); None when the format or the
    intervention is unknown. Who may download is the caller's check."""
    if fmt not in FORMATS:
        return None
    data = await load_report(store, iid)
    if data is None:
        return None
    chosen: Format = "html" if fmt == "html" else "md" if fmt == "md" else "csv"
    (made,) = report_files(data, renderer, reader, audience, (chosen,))
    return ReportFile(made.name, made.mime, made.data)
