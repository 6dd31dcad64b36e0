"""SVG charts people can read: labels wrapped, never cut; a <title>; a colour-blind-safe palette."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Okabe & Ito (2008): told apart with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")
REST = "#D9D9D9"  # the part of a bar that is not a count (asked but did not answer)
INK = "#1A1A1A"
GRID = "#BFBFBF"
WIDTH = 640
FONT = 13
LINE = 16  # px between wrapped lines
# Mean advance of a character of the system sans-serif at FONT px, generous so text fits.
CHAR = 0.6 * FONT


@dataclass(frozen=True, slots=True)
class Row:
    """One horizontal bar: its label, its segments (one per series) and the text after it."""

    label: str
    segments: tuple[float, ...]
    value_text: str


def wrap(text: str, width_px: float, font: float = FONT) -> list[str]:
    """Lines that fit `width_px`; a word longer than a line is broken, never dropped."""
    per_line = max(4, int(width_px / (0.6 * font)))
    return textwrap.wrap(text, per_line, break_long_words=True, break_on_hyphens=False) or [""]


def _text(x: float, y: float, lines: Sequence[str], anchor: str = "start", size: int = FONT) -> str:
    spans = "".join(
        f'<tspan x="{x:.0f}" dy="{0 if i == 0 else LINE}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}" font-size="{size}">{spans}</text>'


def _frame(title: str, desc: str, height: float, body: list[str]) -> str:
    head = wrap(title, WIDTH - 16, FONT + 2)
    top = 8 + LINE * len(head)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} '
        f'{height + top:.0f}" width="100%" font-family="system-ui, sans-serif" fill="{INK}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
        + _text(8, 4 + LINE, head, size=FONT + 2).replace("<text ", '<text font-weight="600" ', 1)
        + f'<g transform="translate(0 {top + 8})">'
        + "".join(body)
        + "</g></svg>"
    )


def _legend(names: Sequence[str], colours: Sequence[str], y: float) -> tuple[list[str], float]:
    """Legend entries laid out in rows that wrap at the chart's width."""
    out: list[str] = []
    x = 8.0
    for name, colour in zip(names, colours, strict=True):
        lines = wrap(name, 220)
        span = 22 + CHAR * max(len(line) for line in lines) + 16
        if x + span > WIDTH and x > 8:
            x, y = 8.0, y + LINE * 2
        out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="14" height="14" fill="{colour}"/>')
        out.append(_text(x + 20, y + 12, lines))
        x += span
    return out, y + LINE * 2


def hbars(
    title: str,
    desc: str,
    rows: Sequence[Row],
    series: Sequence[str],
    rest: str | None = None,
    colours: Sequence[str] = (),
) -> str:
    """Horizontal (stacked) bars, one row per label: long labels wrap in their own column.
    `rest` names a last, grey segment (e.g. those asked who did not answer); `colours`, when
    given, is one palette colour per series (consent: agreement green, objection vermilion)."""
    label_w = 210.0
    bar_x, bar_w = label_w + 16, WIDTH - label_w - 16 - 96
    total = max((sum(r.segments) for r in rows), default=0) or 1
    colours = list(colours) or [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    if rest is not None:
        colours[-1] = REST
    body: list[str] = []
    y = 0.0
    for row in rows:
        lines = wrap(row.label, label_w)
        height = max(22.0, LINE * len(lines) + 6)
        body.append(_text(label_w, y + 15, lines, anchor="end"))
        top = y + (height - 16) / 2  # the bar and its value face the middle of the label
        x = bar_x
        for value, colour in zip(row.segments, colours, strict=False):
            w = bar_w * value / total
            if w > 0:
                body.append(
                    f'<rect x="{x:.1f}" y="{top:.0f}" width="{w:.1f}" height="16" fill="{colour}"/>'
                )
            x += w
        body.append(_text(x + 6, top + 12, [row.value_text]))
        y += height + 6
    body.append(f'<line x1="{bar_x}" y1="0" x2="{bar_x}" y2="{y:.0f}" stroke="{GRID}"/>')
    names = [*series[:-1], rest] if rest is not None else list(series)
    if len(names) > 1:
        legend, y = _legend(names, colours, y + 6)
        body += legend
    return _frame(title, desc, y + 8, body)


def trend(
    title: str,
    desc: str,
    points: Sequence[tuple[str, float, str]],
    low: float,
    high: float,
) -> str:
    """Values over time on a fixed scale (the barometer from 1 to 5); each point's label
    wraps under it within its own column, and its value is written above it."""
    left, right, plot_h = 44.0, 16.0, 180.0
    step = (WIDTH - left - right) / max(1, len(points))
    body: list[str] = []
    for tick in range(int(low), int(high) + 1):
        y = plot_h * (high - tick) / (high - low)
        body.append(
            f'<line x1="{left}" y1="{y:.0f}" x2="{WIDTH - right}" y2="{y:.0f}" stroke="{GRID}" '
            f'stroke-dasharray="2 3"/>'
        )
        body.append(_text(left - 8, y + 4, [str(tick)], anchor="end"))
    coords = [
        (left + step * (i + 0.5), plot_h * (high - value) / (high - low))
        for i, (_, value, _) in enumerate(points)
    ]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="3"/>'
        )
    tallest = 1
    for (label, _, value_text), (x, y) in zip(points, coords, strict=True):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{PALETTE[0]}"/>')
        body.append(_text(x, y - 10, [value_text], anchor="middle"))
        lines = wrap(label, step - 8, FONT - 1)
        tallest = max(tallest, len(lines))
        body.append(_text(x, plot_h + 20, lines, anchor="middle", size=FONT - 1))
    return _frame(title, desc, plot_h + 24 + LINE * tallest, body)
