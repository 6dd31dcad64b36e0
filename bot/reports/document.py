"""The report as a document (sections of blocks, already worded and typeset), and its Markdown
and CSV forms; the HTML form is the Jinja2 template beside this module."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar, Literal

Audience = Literal["group", "facilitator"]


@dataclass(frozen=True, slots=True)
class Para:
    kind: ClassVar[str] = "para"
    text: str
    note: bool = False  # a remark about the data (withheld, withdrawn), set apart in print


@dataclass(frozen=True, slots=True)
class Items:
    kind: ClassVar[str] = "items"
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QuoteLine:
    """What a person wrote, as published: the name only when they gave it with their name."""

    text: str
    name: str = ""
    times: str = ""  # "× 3" when several people wrote the very same words


@dataclass(frozen=True, slots=True)
class Quotes:
    kind: ClassVar[str] = "quotes"
    quotes: tuple[QuoteLine, ...]


@dataclass(frozen=True, slots=True)
class Table:
    kind: ClassVar[str] = "table"
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Excerpt:
    """A text quoted whole (the adopted contract)."""

    kind: ClassVar[str] = "excerpt"
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """A chart and the same numbers as a table beside it (read aloud, printed, copied)."""

    kind: ClassVar[str] = "figure"
    title: str
    svg: str
    table: Table
    note: str = ""


Block = Para | Items | Quotes | Table | Excerpt | Figure


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    level: int  # 2 for a part of the report, 3 for a round within a step, 4 for a question
    anchor: str
    blocks: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    lang: str
    audience: Audience
    audience_label: str
    lead: tuple[str, ...]  # who it is for, the period it covers
    sections: tuple[Section, ...] = field(default_factory=tuple)
    contents_label: str = ""

    def walk(self) -> Iterator[tuple[tuple[str, ...], Section]]:
        """Every section with the headings above it, in reading order."""

        def visit(s: Section, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Section]]:
            here = (*path, s.heading)
            yield here, s
            for child in s.sections:
                yield from visit(child, here)

        for top in self.sections:
            yield from visit(top, ())


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_block(block: Block) -> list[str]:
    match block:
        case Para(text=text, note=note):
            return [f"_{text}_" if note else text]
        case Items(items=items):
            return [f"- {item}" for item in items]
        case Quotes(quotes=quotes):
            return [
                "> " + " — ".join(p for p in (q.text, q.name, q.times) if p) + "  " for q in quotes
            ]
        case Excerpt(lines=lines):
            return [f"> {line}" if line else ">" for line in lines]
        case Table(caption=caption, columns=columns, rows=rows):
            head = f"| {' | '.join(_md_cell(c) for c in columns)} |"
            rule = "|" + "|".join("---" for _ in columns) + "|"
            body = [f"| {' | '.join(_md_cell(c) for c in row)} |" for row in rows]
            return [f"**{caption}**", "", head, rule, *body] if caption else [head, rule, *body]
        case Figure(title=title, table=table, note=note):
            return [f"**{title}**", "", *_md_block(Table("", table.columns, table.rows))] + (
                ["", f"_{note}_"] if note else []
            )
    raise TypeError(block)


def to_markdown(report: Report) -> str:
    out = [f"# {report.title}", "", f"**{report.audience_label}**", ""]
    out += [*report.lead, ""] if report.lead else []
    for _path, section in report.walk():
        out += [f"{'#' * section.level} {section.heading}", ""]
        for block in section.blocks:
            out += [*_md_block(block), ""]
    return "\n".join(out).rstrip() + "\n"


def to_csv(report: Report, columns: tuple[str, str, str, str]) -> str:
    """The same content as rows: (section, label, value, text). French spreadsheets read `;`
    (their decimal separator is the comma)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";" if report.lang == "fr" else ",", lineterminator="\n")
    writer.writerow(columns)
    for path, section in report.walk():
        where = " › ".join(path)
        for block in section.blocks:
            for row in _csv_rows(block):
                writer.writerow([where, *row])
    return buf.getvalue()


def _csv_rows(block: Block) -> Iterator[tuple[str, str, str]]:
    match block:
        case Para(text=text):
            yield "", "", text
        case Items(items=items):
            for item in items:
                yield "", "", item
        case Quotes(quotes=quotes):
            for q in quotes:
                yield q.name, q.times, q.text
        case Excerpt(lines=lines):
            yield "", "", "\n".join(lines)
        case Table(columns=columns, rows=rows) | Figure(table=Table(columns=columns, rows=rows)):
            for row in rows:
                label = row[0]
                if len(columns) == 2:
                    yield label, row[1], ""
                    continue
                values = ", ".join(
                    f"{c} = {v}" for c, v in zip(columns[1:], row[1:], strict=False) if v
                )
                yield label, values, ""
