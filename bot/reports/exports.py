"""The whole-intervention report as Markdown, CSV (anonymised aggregates) and HTML with charts."""

from __future__ import annotations

import base64
import csv
import html
import io

from babel.numbers import format_decimal

from bot.core.effects import UserText
from bot.core.model import Synthesis
from bot.flows.safety import counts
from bot.i18n.render import Reader, Renderer
from bot.reports import charts
from bot.reports.data import ReportData


def _plain(renderer: Renderer, reader: Reader, synthesis: Synthesis, data: ReportData) -> str:
    return "".join(s.text for s in renderer.synthesis(data.intervention, synthesis, reader))


def markdown(data: ReportData, renderer: Renderer, reader: Reader) -> str:
    t = renderer.text
    st = data.intervention
    out = [f"# {t(reader, 'report.heading', title=UserText(st.title))}", ""]
    out += [f"## {t(reader, 'report.section.participation')}", ""]
    for f in data.rounds:
        out.append(
            "- "
            + t(
                reader,
                "report.participation",
                round=f.key,
                answered=f.answered,
                recipients=f.recipients,
            )
        )
    if data.barometer:
        out += ["", f"## {t(reader, 'report.section.barometer')}", ""]
        out += [
            f"- {renderer.round_title(reader, key)}: "
            f"{format_decimal(mean, '0.00', locale=reader.locale)} / 5 (n={n})"
            for key, mean, n in data.barometer
        ]
    current = next((c for c in reversed(data.contract) if c.status == "adopted"), None)
    if current is not None:
        out += [
            "",
            f"## {t(reader, 'report.section.contract', version=current.version)}",
            "",
            *[f"> {line}" for line in current.text.splitlines()],
        ]
    if data.board:
        board = "".join(s.text for s in renderer.board(st, reader)).strip()
        out += ["", f"## {t(reader, 'report.section.board')}", "", board]
    if data.votes:
        out += ["", f"## {t(reader, 'report.section.votes')}", ""]
        out += [f"- #{item} {text}: {n}" for item, text, n in data.votes]
    if data.actions:
        out += ["", f"## {t(reader, 'report.section.actions')}", ""]
        for a in data.actions:
            owner = st.participants.get(a.owner)
            out.append(
                "- "
                + t(
                    reader,
                    "report.action",
                    action=a.id,
                    text=UserText(a.text),
                    owner=UserText(owner.display_name if owner else "?"),
                    due=a.due.date().isoformat(),
                    status=t(reader, f"report.action_status.{a.status}"),
                )
            )
    if data.group_quality is not None:
        q = data.group_quality
        out += [
            "",
            f"## {t(reader, 'report.section.groups')}",
            "",
            t(
                reader,
                "report.groups_quality",
                gap=round(100 * q.gap, 2),
                repeats=q.repeated_pairs,
                tokens=q.token_cases,
                violations=q.constraint_violations,
                attributes=UserText(", ".join(q.attributes) or "-"),
            ),
        ]
    out += ["", f"## {t(reader, 'report.section.syntheses')}"]
    for f in data.rounds:
        if f.synthesis is not None and f.synthesis.audience == "group":
            out += [
                "",
                f"### {renderer.round_title(reader, f.key)}",
                _plain(renderer, reader, f.synthesis, data).strip(),
            ]
    out += _safety(data, renderer, reader)
    out += ["", f"## {t(reader, 'report.section.audit')}", ""]
    out += [f"- {at:%Y-%m-%d %H:%M} UTC · {action} {target}" for at, action, target in data.audit]
    return "\n".join(out) + "\n"


def _safety(data: ReportData, renderer: Renderer, reader: Reader) -> list[str]:
    """The safety line in the facilitator's report: counts, never content or names."""
    c = counts(data.intervention)
    pauses = sum(1 for _, action, _ in data.audit if action == "pause")
    if not (c.any or pauses):
        return []
    line = renderer.text(
        reader,
        "report.safety",
        threads=c.threads,
        messages=c.messages,
        replies=c.replies,
        timeouts=c.timeouts,
        pauses=pauses,
        flags=c.flags,
        withdrawn=c.withdrawn,
    )
    return ["", f"## {renderer.text(reader, 'report.section.safety')}", "", line]


def results_csv(data: ReportData) -> str:
    """One row per option count or anonymous quote; never a name, never a time of answer."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "round",
            "prompt",
            "kind",
            "contributors",
            "skipped",
            "withheld",
            "option",
            "count",
            "mean",
            "text",
        ]
    )
    for f in data.rounds:
        if f.synthesis is None or f.synthesis.audience != "group":
            continue
        for p in f.synthesis.prompts:
            base = [f.key, p.prompt_key, p.kind, p.contributors, p.skipped, int(p.withheld)]
            for option, count in p.counts:
                w.writerow([*base, option, count, p.mean if p.mean is not None else "", ""])
            for q in p.quotes:
                w.writerow([*base, "", "", "", q.text])
            if not p.counts and not p.quotes:
                w.writerow([*base, "", "", "", ""])
    return buf.getvalue()


def chart_images(data: ReportData, renderer: Renderer, reader: Reader) -> list[tuple[str, bytes]]:
    t = renderer.text
    images: list[tuple[str, bytes]] = []
    if data.barometer:
        images.append(
            (
                t(reader, "report.chart.barometer"),
                charts.line(
                    t(reader, "report.chart.barometer"),
                    [renderer.round_title(reader, k) for k, _, _ in data.barometer],
                    [m for _, m, _ in data.barometer],
                    (1, 5),
                ),
            )
        )
    if data.rounds:
        images.append(
            (
                t(reader, "report.chart.participation"),
                charts.bars(
                    t(reader, "report.chart.participation"),
                    [renderer.round_title(reader, f.key) for f in data.rounds],
                    [f.answered for f in data.rounds],
                    [f.recipients for f in data.rounds],
                    (t(reader, "report.chart.answered"), t(reader, "report.chart.asked")),
                ),
            )
        )
    if data.consent:
        options = [o for o, _ in data.consent[0][1]]
        rows = [_prompt_label(renderer, reader, key, data) for key, _ in data.consent]
        series = [
            (t(reader, f"option.{o}"), [dict(c).get(o, 0) for _, c in data.consent])
            for o in options
        ]
        images.append(
            (
                t(reader, "report.chart.consent"),
                charts.stacked(t(reader, "report.chart.consent"), rows, series),
            )
        )
    if data.votes:
        images.append(
            (
                t(reader, "report.chart.votes"),
                charts.bars(
                    t(reader, "report.chart.votes"),
                    [f"#{i} {text[:24]}" for i, text, _ in data.votes],
                    [n for _, _, n in data.votes],
                ),
            )
        )
    return images


def _prompt_label(renderer: Renderer, reader: Reader, key: str, data: ReportData) -> str:
    base, _, item = key.partition("#")
    label = renderer.text(reader, f"prompt.{base}")[:40]
    return f"{label} #{item}" if item else label


def html_page(data: ReportData, renderer: Renderer, reader: Reader) -> str:
    """A self-contained page (charts inlined) that a facilitator can open or send as a file."""
    body = html.escape(markdown(data, renderer, reader))
    figures = "".join(
        f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,'
        f'{base64.b64encode(png).decode()}"><figcaption>{html.escape(title)}</figcaption></figure>'
        for title, png in chart_images(data, renderer, reader)
    )
    title = html.escape(data.intervention.title)
    return (
        f'<!doctype html><html lang="{reader.locale}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:860px;"
        "margin:2rem auto;padding:0 1rem;color:#1a202c}figure{margin:1.5rem 0}"
        "img{max-width:100%}pre{white-space:pre-wrap;font-family:inherit;line-height:1.45}"
        "figcaption{font-size:.85rem;color:#4a5568}</style></head><body>"
        f"<h1>{title}</h1><section class=charts>{figures}</section><pre>{body}</pre>"
        "</body></html>"
    )
