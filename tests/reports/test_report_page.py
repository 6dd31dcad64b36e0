"""The French demo's reports read as pages: headings per step and round, charts with a title
and their numbers beside them, French typography, no internal key, no raw Markdown; the
group's report holds only what was published, the facilitator's adds counts, never names."""

from __future__ import annotations

import csv
import io
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.demo.run import run_demo
from bot.flows.tst import tst_flow
from bot.reports.svg import PALETTE, Row, hbars, trend, wrap
from bot.reports.typography import NNBSP, typeset

INTERNAL = re.compile(
    r"\b(trust|contract|subgroups|conflict|information|collective_intelligence|solutions|"
    r"barometer|round|board|groups|schedule|report)\.[a-z_]+\b"
)


class Page(HTMLParser):
    """What a reader (or a screen reader) gets from the page: its headings in order, the text
    outside scripts and styles, the charts and the tables beside them."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.figures: list[dict[str, int]] = []
        self.svg_titles: list[str] = []
        self._stack: list[str] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._stack.append(tag)
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = []
        if tag == "figure":
            self.figures.append({"svg": 0, "table": 0})
        if tag in ("svg", "table") and "figure" in self._stack[:-1]:
            self.figures[-1][tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((int(tag[1]), "".join(self._heading).strip()))
            self._heading = None
        while self._stack and self._stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1] == "style":
            return
        if self._stack and self._stack[-1] == "title" and "svg" in self._stack:
            self.svg_titles.append(data)
        if self._heading is not None:
            self._heading.append(data)
        self.text.append(data)


def read(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text("utf-8"))
    return page


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import asyncio

    out = tmp_path_factory.mktemp("fr")
    return asyncio.run(run_demo("fr", 9, 7, out, say=lambda _m: None))


def test_the_group_report_is_a_page_with_a_heading_per_step_and_round(demo: Path) -> None:
    page = read(demo / "report.html")
    tags = {tag for tag, _ in page.tags}
    assert {"html", "main", "nav", "section", "table", "figure", "svg"} <= tags
    html = next(attrs for tag, attrs in page.tags if tag == "html")
    assert html["lang"] == "fr"
    assert any(
        tag == "meta"
        and attrs.get("name") == "viewport"
        and "width=device-width" in attrs["content"]
        for tag, attrs in page.tags
    )
    assert "script" not in tags  # everything is there without JavaScript
    levels = [level for level, _ in page.headings]
    assert levels.count(1) == 1
    titles = [text for _, text in page.headings]
    # Each step held is a heading, and under it each published round is one.
    for step in ("Inspirer confiance", "Faire un contrat commun", "Solutions"):
        assert step in titles, step
    for round_title in ("Attentes et réserves", "Baromètre de confiance", "Bilan"):
        assert round_title in titles, round_title
    # Headings never jump a level (a screen reader's outline).
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_a_person_reads_no_internal_key_and_no_raw_markdown(demo: Path) -> None:
    for name in ("report.html", "report-facilitator.html"):
        text = "".join(read(demo / name).text)
        assert not INTERNAL.search(text), INTERNAL.search(text)
        assert "UserText(" not in text  # a person's words, never an object's repr
        for raw in ("**", "## ", "\n- ", "\n> ", "|---"):
            assert raw not in text, (name, raw)
    for name in ("report.md", "report-facilitator.md", "report.csv", "report-facilitator.csv"):
        content = (demo / name).read_text("utf-8")
        found = INTERNAL.search(content)
        assert found is None and "UserText(" not in content, (name, found)


def test_french_typography_and_numbers(demo: Path) -> None:
    page = read(demo / "report-facilitator.html")
    text = "".join(page.text)
    # No plain space before high punctuation, none inside guillemets.
    assert not re.search(r" [;:!?](\s|$)", text)
    assert "« " not in text and " »" not in text
    assert f"{NNBSP}:" in text and f"«{NNBSP}" in text
    # Decimal commas and French dates; no English number anywhere in a table.
    assert re.search(r"\b[1-5],\d\b", text)
    assert not re.search(r"\b[1-5]\.\d\b", text)
    assert re.search(r"\b\d{1,2} (septembre|décembre) 2026\b", text)
    assert re.search(r"\d{2,3}\u00a0%|\d{2,3}\u202f%", text)  # "89 %" with a no-break space
    # Plurals follow the count: one person, several people.
    assert re.search(r"\b[2-9] personnes ont répondu", text)


def test_every_chart_has_a_title_and_its_numbers_beside_it(demo: Path) -> None:
    page = read(demo / "report.html")
    assert len(page.figures) >= 4  # participation, barometer, consent, votes
    assert all(f["svg"] == 1 and f["table"] == 1 for f in page.figures)
    assert len(page.svg_titles) == len(page.figures) and all(page.svg_titles)
    svg = (demo / "report.html").read_text("utf-8")
    colours = set(re.findall(r'fill="(#[0-9A-Fa-f]{6})"', svg)) - {"#1A1A1A", "#D9D9D9"}
    assert colours and colours <= set(PALETTE)


def test_the_page_prints(demo: Path) -> None:
    html = (demo / "report.html").read_text("utf-8")
    assert "@media print" in html and "break-inside: avoid" in html


def test_group_report_only_what_was_published_facilitator_adds_counts(demo: Path) -> None:
    group = "".join(read(demo / "report.html").text)
    own = "".join(read(demo / "report-facilitator.html").text)
    for part in ("Journal des décisions", "Ligne de sécurité", "Composition des sous-groupes"):
        assert part not in group and part in own, part
    # "Propositions" was closed but never published: the group does not read it.
    published = {k for k, r in _rounds(demo).items() if r}
    assert "solutions.proposals" not in published
    assert "Que proposeriez-vous" not in group and "Que proposeriez-vous" in own
    assert "Synthèse non publiée" in own


def test_no_anonymous_answer_sits_next_to_a_name(demo: Path) -> None:
    import sqlite3

    with sqlite3.connect(demo / "tst.db") as db:
        names = [n for (n,) in db.execute("select display_name from participants")]
    page = read(demo / "report-facilitator.html")
    html = (demo / "report-facilitator.html").read_text("utf-8")
    # Named quotes come only from rounds where people chose to be named; the safety counts
    # name nobody.
    safety = html.split('id="safety"', 1)[1].split("</section>", 1)[0]
    assert not any(name in safety for name in names)
    assert page.headings


def _rounds(demo: Path) -> dict[str, bool]:
    import sqlite3

    with sqlite3.connect(demo / "tst.db") as db:
        return {k: bool(p) for k, p in db.execute("select key, published from rounds")}


def test_the_csv_is_the_same_content_for_a_french_spreadsheet(demo: Path) -> None:
    raw = (demo / "report.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Partie", "Libellé", "Valeur", "Texte"]
    assert any(r[0].startswith("Participation") and r[1] == "Bilan" for r in rows)


def test_chart_labels_wrap_and_are_never_cut() -> None:
    long = "Un canal incident commun avec un binôme support-dev de garde, ouvert à tous"
    lines = wrap(long, 210)
    assert len(lines) > 1 and " ".join(lines) == long
    chart = hbars("Titre", "desc", [Row(long, (3.0,), "3")], ("Points",))
    spans = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", chart)
    assert " ".join(s for s in spans if s in lines) == long
    points = [(f"Tour numéro {i} avec un long titre", 3.0, "3,0") for i in range(8)]
    shown = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", trend("T", "d", points, 1, 5))
    assert all(word in " ".join(shown) for word in ("numéro", "long", "titre"))


def test_typeset_leaves_times_and_links_alone() -> None:
    assert typeset("à 10:30, voir https://x.fr : oui ?", "fr") == (
        f"à 10:30, voir https://x.fr{NNBSP}: oui{NNBSP}?"
    )
    assert typeset("Yes : no ?", "en") == "Yes : no ?"


def test_every_round_of_the_flow_has_a_human_title() -> None:
    from bot.i18n.catalog import Catalog

    catalog = Catalog.load()
    for key in tst_flow().round_keys():
        for locale in ("fr", "en"):
            assert INTERNAL.search(catalog.text(locale, f"round.{key}.title")) is None


async def test_a_report_file_for_a_download_in_the_readers_language(demo: Path) -> None:
    """What the dashboard offers: any report, any format, in the language asked for."""
    import sqlite3

    from bot.reports.exports import report_file
    from bot.storage.store import SqlStore, make_engine

    with sqlite3.connect(demo / "tst.db") as db:
        (iid,) = db.execute("select id from interventions").fetchone()
    store = SqlStore(make_engine(f"sqlite+aiosqlite:///{demo / 'tst.db'}"))
    try:
        made = await report_file(store, iid, "group", "html", "en")
        missing = await report_file(store, "no-such-intervention", "group", "html")
    finally:
        await store.close()
    assert missing is None
    assert made is not None and made.name == f"report-group-{iid}.html"
    assert made.mime == "text/html; charset=utf-8"
    page = Page()
    page.feed(made.data.decode())
    titles = [text for _, text in page.headings]
    assert "Participation per round" in "".join(page.text) and "Inspiring trust" in titles
    assert not any("Journal des décisions" in t or "Decision log" in t for t in titles)


async def test_a_persons_own_answers_are_shown_by_their_labels(demo: Path) -> None:
    """`/tst mydata`: a chosen option by its label, points by the proposals they went to."""
    import sqlite3

    from bot.i18n.catalog import Catalog
    from bot.i18n.render import Reader, Renderer
    from bot.reports.data import load_report
    from bot.reports.personal import answer_text
    from bot.storage.store import SqlStore, make_engine

    with sqlite3.connect(demo / "tst.db") as db:
        (iid,) = db.execute("select id from interventions").fetchone()
    store = SqlStore(make_engine(f"sqlite+aiosqlite:///{demo / 'tst.db'}"))
    try:
        data = await load_report(store, iid)
    finally:
        await store.close()
    assert data is not None
    renderer, reader = Renderer(Catalog.load(), tst_flow()), Reader("fr", "UTC", "vous")
    state = data.intervention

    def said(prompt: str, value: object) -> str:
        return answer_text(renderer, state, reader, prompt, value)

    assert said("contract.position", "agree_with_reservations") == "D'accord, avec des réserves"
    assert said("solutions.retention", "keep_syntheses").startswith("Garder les synthèses")
    points = said("solutions.dots", {"6": 3, "7": 1})
    assert points.startswith("#6 Un canal incident") and "— 3" in points and "#7 " in points
    assert said("trust.hope", "agree") == "agree"  # open text stays as its author wrote it
    assert said("trust.hope", None) == "—"
