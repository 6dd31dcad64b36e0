"""The facilitator's report shows each conflict space: its parties, who has spoken counted by
party, how each restatement loop ended (confirmed after N attempts, or the facilitator moved
on). The group's report holds nothing of a space: nothing of it was published."""

from __future__ import annotations

import re

from engine_helpers import FAC, Session

from bot.core.events import ChoiceMade, NoteSubmitted
from bot.flows.tst import tst_flow
from bot.i18n.catalog import Catalog
from bot.i18n.render import Reader, Renderer
from bot.reports.build import build
from bot.reports.data import ReportData
from bot.reports.document import Audience
from bot.reports.exports import render

WORDS = ("Nos nuits", "Vous voulez aider", "Pas ça", "Nous avons besoin")


def worked_space() -> Session:
    s = Session()
    s.group_with("ana", "ben", "cleo")
    s.cmd("groupes conflit les astreintes | Support <@ana> <@ben> | Dév <@cleo>")
    assert s.state is not None
    iid = s.state.id

    def note(user: str, action: str, value: str, text: str) -> None:
        s.feed(NoteSubmitted(s.meta(user, None), iid, action, value, text))

    note("ana", "cposition", "1", "Nos nuits")
    note("cleo", "cposition", "1", "Nous avons besoin de dormir")
    note("ana", "crestate", "1.1", "Vous voulez aider")
    note("cleo", "notquite", "1.1", "Pas ça")
    note("ana", "crestate", "1.1", "Vous voulez aider, la nuit vous épuise")
    s.feed(ChoiceMade(s.meta("cleo", None), iid, "restok", "1.1"))
    s.cmd("groupes suite 1", user=FAC)
    return s


def report(s: Session, audience: Audience) -> str:
    assert s.state is not None
    audit = tuple(
        (s.now, a.action, a.target)
        for o in s.outcomes
        for a in o.effects
        if type(a).__name__ == "Audit"
    )
    data = ReportData(s.state, (), (), (), (), (), (), (), audit, None)  # type: ignore[arg-type]
    renderer, reader = Renderer(Catalog.load(), tst_flow()), Reader("fr", "UTC", "vous")
    page = render(build(data, renderer, reader, audience), "md", renderer, reader).decode()
    return page.replace("\u202f", " ").replace("\u00a0", " ")  # French typography aside


def test_the_facilitators_report_shows_parties_counts_and_how_each_loop_ended() -> None:
    page = report(worked_space(), "facilitator")
    assert "Espaces de conflit" in page and "les astreintes" in page
    # Support: one of its two members has spoken; Dév: its one member has.
    assert "| Support | 2 | 1 |" in page and "| Dév | 1 | 1 |" in page
    assert "« Support » reformule « Dév » : confirmé (oui, c'est ça) après 2 essais." in page
    assert (
        "« Dév » reformule « Support » : la facilitation est passée à la suite après 0 essai."
        in page
    )
    assert "Espace de conflit n° 1" in page  # the audit line names the space by its number
    assert not any(w in page for w in WORDS)  # counts and outcomes, never the words
    assert re.search(r"\b(ana|ben|cleo)\b", page) is None  # nobody named


def test_the_groups_report_holds_nothing_of_a_space() -> None:
    page = report(worked_space(), "group")
    assert "Espaces de conflit" not in page and "astreintes" not in page
    assert not any(w in page for w in WORDS)
