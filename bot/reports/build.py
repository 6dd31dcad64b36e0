"""One report, two readers: the group's (only what was published) and the facilitator's (plus
counts kept for the facilitation). Every text comes from the catalogs, typeset for the reader."""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from bot.core.effects import UserText
from bot.core.model import PromptSummary, Synthesis
from bot.i18n.render import Reader, Renderer
from bot.reports import svg
from bot.reports.audit import (
    audit_section,
    curation_section,
    groups_section,
    notes_section,
    safety_section,
)
from bot.reports.data import ReportData, RoundFacts
from bot.reports.document import (
    Audience,
    Block,
    Excerpt,
    Figure,
    Items,
    Para,
    QuoteLine,
    Quotes,
    Report,
    Section,
    Table,
)
from bot.reports.spaces import spaces_section
from bot.reports.typography import day, decimal, percent
from bot.reports.words import Words, plain

BOARD_KINDS = ("information", "obstacle", "cause", "proposal")
# Positions keep their colour from chart to chart: agreement green, objection vermilion.
CONSENT_COLOURS = {
    "agree": "#009E73",
    "agree_with_reservations": "#56B4E9",
    "not_yet": "#E69F00",
    "object": "#D55E00",
}


class Builder(Words):
    """Words a ReportData for one reader and one audience."""

    def __init__(
        self, data: ReportData, renderer: Renderer, reader: Reader, audience: Audience
    ) -> None:
        super().__init__(renderer, reader)
        self.data, self.audience = data, audience
        self.state = data.intervention
        self.k = self.state.k_anonymity_min

    # -- which rounds the reader may see ----------------------------------------------------

    def shown(self, f: RoundFacts) -> Synthesis | None:
        """The group reads a round's synthesis once it was published; the facilitator reads
        every synthesis kept for the group, published or not (it holds nothing more)."""
        s = f.synthesis
        if s is None or s.audience != "group":
            return None
        published = self.state.rounds[f.key].published if f.key in self.state.rounds else False
        return s if published or self.audience == "facilitator" else None

    def published(self) -> list[tuple[RoundFacts, Synthesis]]:
        return [(f, s) for f in self.data.rounds if (s := self.shown(f)) is not None]

    # -- the whole ---------------------------------------------------------------------------

    def report(self) -> Report:
        rounds = self.data.rounds
        lead = [self.t(f"report.lead.{self.audience}")]
        if rounds:
            start = rounds[0].opened_at
            end = self.state.closed_at or max(f.closed_at or f.opened_at for f in rounds)
            lead.append(
                self.t(
                    "report.period",
                    start=day(start, self.locale, self.reader.timezone),
                    end=day(end, self.locale, self.reader.timezone),
                )
            )
        parts = [
            self.participation(),
            self.barometer(),
            self.contract(),
            self.consent(),
            self.board(),
            self.votes(),
            self.actions(),
            *self.steps(),
        ]
        if self.audience == "facilitator":
            parts += [
                curation_section(self, self.data),
                groups_section(self, self.data),
                spaces_section(self, self.data),
                safety_section(self, self.data),
                audit_section(self, self.data),
                notes_section(self, self.data),
            ]
        return Report(
            title=self.t("report.heading", title=UserText(self.state.title)),
            lang=self.locale,
            audience=self.audience,
            audience_label=self.t(f"report.audience.{self.audience}"),
            lead=tuple(lead),
            sections=tuple(p for p in parts if p is not None),
            contents_label=self.t("report.contents"),
        )

    # -- parts -------------------------------------------------------------------------------

    def participation(self) -> Section | None:
        rows = [f for f in self.data.rounds if self.audience == "facilitator" or self.shown(f)]
        if not rows:
            return None
        answered, missing = self.t("report.chart.answered"), self.t("report.chart.not_answered")
        bars: list[svg.Row] = []
        table: list[tuple[str, str, str, str]] = []
        for f in rows:
            title = self.round_title(f.key)
            segments: tuple[float, ...]
            if f.answered >= self.k:
                rate = percent(f.answered / f.recipients, self.locale) if f.recipients else ""
                segments = (float(f.answered), float(f.recipients - f.answered))
                text = self.t("report.of", part=self.n(f.answered), whole=self.n(f.recipients))
                table.append((title, self.n(f.answered), self.n(f.recipients), rate))
            else:  # too few to say how many: the bar is left empty, the table says why
                segments = ()
                text = self.t("report.few", k=self.n(self.k))
                table.append((title, text, self.n(f.recipients), ""))
            bars.append(svg.Row(title, segments, text))
        heading = self.t("report.chart.participation")
        columns = (
            self.t("report.column.round"),
            answered,
            self.t("report.chart.asked"),
            self.t("report.column.rate"),
        )
        note = self.t("report.few_note", k=self.n(self.k))
        chart = svg.hbars(heading, note, bars, (answered, missing), rest=missing)
        figure = Figure(heading, chart, Table(heading, columns, tuple(table)), note)
        return Section(self.t("report.section.participation"), 2, "participation", (figure,))

    def barometer(self) -> Section | None:
        points = [
            (f.key, p)
            for f, s in self.published()
            for p in s.prompts
            if p.prompt_key == "barometer.level" and p.mean is not None and not p.withheld
        ]
        if not points:
            return None
        heading = self.t("report.chart.barometer")
        labelled = [
            (
                self.round_title(key),
                p.mean or 0.0,
                decimal(p.mean or 0.0, self.locale),
                self.n(p.contributors),
            )
            for key, p in points
        ]
        chart = svg.trend(heading, heading, [(a, b, c) for a, b, c, _ in labelled], 1, 5)
        columns = (
            self.t("report.column.round"),
            self.t("report.column.mean"),
            self.t("report.column.contributors"),
        )
        table = Table(heading, columns, tuple((a, c, d) for a, _, c, d in labelled))
        return Section(
            self.t("report.section.barometer"), 2, "barometer", (Figure(heading, chart, table),)
        )

    def contract(self) -> Section | None:
        current = next((c for c in reversed(self.data.contract) if c.status == "adopted"), None)
        if current is None:
            return None
        heading = self.t("report.section.contract", version=current.version)
        lines = tuple(self.own(line) for line in current.text.splitlines())
        return Section(heading, 2, "contract", (Excerpt(lines),))

    def _consent_label(self, prompt_key: str, round_key: str = "") -> str:
        """What a position was taken on: "Contract, version 2" or "#6 <the proposal>". A
        contract round names its version among the round's items."""
        _base, _, item = prompt_key.partition("#")
        rnd = self.state.rounds.get(round_key)
        if not item and rnd is not None and len(rnd.items) == 1:
            item = str(rnd.items[0])
        if round_key.startswith("contract."):
            latest = max((c.version for c in self.data.contract), default=1)
            version = int(item) if item.isdigit() else latest
            return self.t("report.contract_version", version=version)
        if item.isdigit():
            text = self.renderer.item_text(self.state, self.reader, int(item))
            return self.own(f"#{item} {text}")
        return self.round_title(round_key)

    def consent(self) -> Section | None:
        tallies = [
            (f.key, p) for f, s in self.published() for p in s.prompts if p.kind == "consent"
        ]
        tallies = [(key, p) for key, p in tallies if not p.withheld and p.counts]
        if not tallies:
            return None
        options = list(dict.fromkeys(o for _, p in tallies for o, _ in p.counts))
        names = [self.t(f"option.{o}") for o in options]
        rows: list[svg.Row] = []
        table: list[tuple[str, ...]] = []
        for key, p in tallies:
            label = f"{self.round_title(key)} — {self._consent_label(p.prompt_key, key)}"
            counts = dict(p.counts)
            values = [counts.get(o, 0) for o in options]
            rows.append(svg.Row(label, tuple(float(v) for v in values), self.n(sum(values))))
            table.append((label, *(self.n(v) for v in values)))
        heading = self.t("report.chart.consent")
        colours = [CONSENT_COLOURS.get(o, svg.PALETTE[4]) for o in options]
        chart = svg.hbars(heading, heading, rows, names, colours=colours)
        figure = Figure(
            heading, chart, Table(heading, (self.t("report.column.item"), *names), tuple(table))
        )
        return Section(self.t("report.section.consent"), 2, "consent", (figure,))

    def board(self) -> Section | None:
        if not self.data.board:
            return None
        children = []
        for kind in BOARD_KINDS:
            items = [b for b in self.data.board if b.kind == kind]
            if items:
                texts = tuple(
                    self.own("".join(s.text for s in self.renderer.board_item(self.reader, b)))
                    for b in items
                )
                heading = self.t(f"board.section.{kind}")
                children.append(Section(heading, 3, f"board-{kind}", (Items(texts),)))
        return Section(self.t("report.section.board"), 2, "board", sections=tuple(children))

    def votes(self) -> Section | None:
        dots = [p for _f, s in self.published() for p in s.prompts if p.kind == "dots"]
        dots = [p for p in dots if not p.withheld and p.counts]
        if not dots:
            return None
        totals: Counter[str] = Counter()
        for p in dots:
            for value, count in p.counts:
                totals[value] += count
        labelled = [
            (self._consent_label(f"vote#{value}"), count) for value, count in sorted(totals.items())
        ]
        heading = self.t("report.chart.votes")
        points = self.t("report.column.dots")
        rows = [svg.Row(label, (float(n),), self.n(n)) for label, n in labelled]
        chart = svg.hbars(heading, self.t("report.votes_note"), rows, (points,))
        table = Table(
            heading,
            (self.t("report.column.proposal"), points),
            tuple((label, self.n(n)) for label, n in labelled),
        )
        note = self.t("report.votes_note")
        return Section(
            self.t("report.section.votes"), 2, "votes", (Figure(heading, chart, table, note),)
        )

    def actions(self) -> Section | None:
        if not self.data.actions:
            return None
        lines = []
        for a in self.data.actions:
            owner = self.state.participants.get(a.owner)
            lines.append(
                self.t(
                    "report.action",
                    action=a.id,
                    text=UserText(a.text),
                    owner=UserText(owner.display_name if owner else "?"),
                    due=day(a.due, self.locale, self.reader.timezone),
                    status=self.renderer.text(self.reader, f"report.action_status.{a.status}"),
                )
            )
        return Section(self.t("report.section.actions"), 2, "actions", (Items(tuple(lines)),))

    def steps(self) -> list[Section]:
        """One heading per step, and under it one per round, in the order they were held."""
        shown = self.published()
        flow = self.renderer.flow

        def step_of(pair: tuple[RoundFacts, Synthesis]) -> str:
            spec = flow.step_of_round(pair[0].key)
            return spec.kind if spec is not None else "none"

        out: list[Section] = []
        for kind, pairs in groupby(shown, key=step_of):
            rounds = tuple(self.round_section(f, s) for f, s in pairs)
            heading = self.t(f"step.{kind}.name")
            anchor = f"step-{kind}-{len(out)}"
            out.append(Section(heading, 2, anchor, sections=rounds))
        return out

    def round_section(self, f: RoundFacts, s: Synthesis) -> Section:
        blocks: list[Block] = [
            Para(self.counted("report.answered", s.answered, of=self.n(s.recipients)))
        ]
        rnd = self.state.rounds.get(f.key)
        if rnd is not None and not rnd.published:
            blocks.append(Para(self.t("report.unpublished"), note=True))
        if self.audience == "facilitator" and rnd is not None and rnd.deferred:
            blocks.append(Para(self.counted("report.deferred", len(rnd.deferred)), note=True))
        if s.withdrawn:
            blocks.append(Para(self.t("synthesis.withdrawn_note"), note=True))
        questions = tuple(
            self.question(f, p, i) for i, p in enumerate(s.prompts) if not s.withdrawn
        )
        said = s.curation
        if said.restatement and not s.withdrawn:  # « ce que j'entends », signed
            heard = {"name": UserText(said.restated_by), "text": UserText(said.restatement)}
            questions += (
                Section(
                    self.t("report.restatement"),
                    4,
                    f"heard-{f.key.replace('.', '-').replace('@', '-')}",
                    (Para(self.t("synthesis.restatement", **heard)),),
                ),
            )
        anchor = "round-" + f.key.replace(".", "-").replace("@", "-")
        return Section(self.round_title(f.key), 3, anchor, tuple(blocks), questions)

    def question(self, f: RoundFacts, p: PromptSummary, index: int) -> Section:
        label = self.own(self.renderer.prompt_label(self.state, self.reader, p.prompt_key, f.key))
        blocks: list[Block] = []
        if p.withheld:
            blocks.append(Para(self.t("synthesis.withheld", k=self.k), note=True))
        if p.quotes:
            # The very same words (or an item the facilitators merged) once, with how many
            # said them; a word the facilitators changed says so.
            same: Counter[tuple[str, str, bool]] = Counter()
            for q in p.quotes:
                same[(q.text, q.author_name or "", q.edited)] += max(1, q.merged)
            edited = self.t("synthesis.edited_mark")
            blocks.append(
                Quotes(
                    tuple(
                        QuoteLine(
                            self.own(text) + (f" {edited}" if was_edited else ""),
                            self.own(name),
                            self.t("report.times", count=self.n(n)) if n > 1 else "",
                        )
                        for (text, name, was_edited), n in same.items()
                    )
                )
            )
        if p.counts:
            rnd = self.state.rounds.get(f.key)
            rows = tuple(
                (
                    self.own(
                        plain(self.renderer.option_label(self.state, self.reader, p.kind, v, rnd))
                    ),
                    self.n(c),
                )
                for v, c in p.counts
            )
            columns = (self.t("report.column.answer"), self.t("report.column.count"))
            blocks.append(Table("", columns, rows))
        if p.mean is not None:
            blocks.append(Para(self.t("synthesis.mean", mean=decimal(p.mean, self.locale))))
        if p.skipped:
            blocks.append(Para(self.counted("report.skipped", p.skipped)))
        anchor = f"q-{f.key.replace('.', '-').replace('@', '-')}-{index}"
        return Section(label, 4, anchor, tuple(blocks))

    # -- the facilitator's alone ---------------------------------------------------------------


def build(data: ReportData, renderer: Renderer, reader: Reader, audience: Audience) -> Report:
    return Builder(data, renderer, reader, audience).report()
