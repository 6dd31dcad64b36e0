"""A report as files: Markdown, CSV and HTML (Jinja2, autoescaped) from one worded document."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.flows.tst import tst_flow
from bot.i18n.catalog import Catalog
from bot.i18n.render import Reader, Renderer
from bot.reports.build import build
from bot.reports.data import ReportData, load_report
from bot.reports.document import Audience, Report, to_csv, to_markdown
from bot.storage.store import SqlStore

Format = Literal["md", "csv", "html"]
FORMATS: tuple[Format, ...] = ("md", "csv", "html")
MIME: dict[Format, str] = {
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class ReportFile:
    name: str
    data: bytes
    mime: str
    title: str


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("bot.reports", "templates"),
        autoescape=select_autoescape(["html", "html.j2"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def html(report: Report) -> str:
    return _templates().get_template("report.html.j2").render(report=report)


def csv_columns(renderer: Renderer, reader: Reader) -> tuple[str, str, str, str]:
    keys = ("section", "label", "value", "text")
    a, b, c, d = (renderer.text(reader, f"report.column.{k}") for k in keys)
    return a, b, c, d


def render(report: Report, fmt: Format, renderer: Renderer, reader: Reader) -> bytes:
    if fmt == "md":
        return to_markdown(report).encode()
    if fmt == "csv":
        # A byte-order mark, so that spreadsheets open the accents as UTF-8.
        return ("\ufeff" + to_csv(report, csv_columns(renderer, reader))).encode()
    return html(report).encode()


def file_name(data: ReportData, reader: Reader, audience: Audience, fmt: Format) -> str:
    """`rapport-groupe-<id>.html`: a name that says what the file is, in the reader's words."""
    french = reader.locale == "fr"
    who = {"group": "groupe" if french else "group", "facilitator": "facilitation"}[audience]
    return f"{'rapport' if french else 'report'}-{who}-{data.intervention.id}.{fmt}"


def report_files(
    data: ReportData,
    renderer: Renderer,
    reader: Reader,
    audience: Audience,
    formats: tuple[Format, ...] = ("html", "csv"),
) -> tuple[ReportFile, ...]:
    report = build(data, renderer, reader, audience)
    return tuple(
        ReportFile(
            file_name(data, reader, audience, fmt),
            render(report, fmt, renderer, reader),
            MIME[fmt],
            report.title,
        )
        for fmt in formats
    )


async def report_file(
    store: SqlStore,
    intervention: str,
    audience: Audience,
    fmt: Format,
    locale: Literal["fr", "en"] | None = None,
    renderer: Renderer | None = None,
) -> ReportFile | None:
    """One report as a file (name, bytes, type), for a download from the dashboard or the
    command line: `None` when there is no such intervention. The reader's language defaults
    to the intervention's."""
    data = await load_report(store, intervention)
    if data is None:
        return None
    st = data.intervention
    renderer = renderer or Renderer(Catalog.load(), tst_flow())
    reader = Reader(locale or st.locale, st.timezone, st.address_form)
    (made,) = report_files(data, renderer, reader, audience, (fmt,))
    return made


async def render_report(
    store: SqlStore,
    intervention: str,
    audience: Audience,
    fmt: Format,
    locale: Literal["fr", "en"] | None = None,
    renderer: Renderer | None = None,
) -> bytes | None:
    """The bytes of `report_file`."""
    made = await report_file(store, intervention, audience, fmt, locale, renderer)
    return made.data if made is not None else None
