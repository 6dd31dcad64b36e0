"""The conflict spaces in the facilitator's report: each space's parties, who has spoken
counted by party, and how each restatement loop ended. No words of a space, no name: the
group's report holds nothing of them (nothing of a space is published to the channel)."""

from __future__ import annotations

from bot.core.effects import UserText
from bot.flows.space_view import SpaceView, of_space
from bot.reports.data import ReportData
from bot.reports.document import Items, Para, Section, Table
from bot.reports.words import Words


def spaces_section(w: Words, data: ReportData) -> Section | None:
    spaces = [of_space(s, counts=True) for s in data.intervention.conflicts]
    if not spaces:
        return None
    note = Para(w.t("report.spaces.note"), note=True)
    parts = tuple(_space(w, v) for v in spaces)
    return Section(w.t("report.spaces.section"), 2, "spaces", (note,), parts)


def _space(w: Words, view: SpaceView) -> Section:
    table = Table(
        "",
        (
            w.t("report.spaces.party"),
            w.t("report.spaces.members"),
            w.t("report.spaces.spoken"),
        ),
        tuple((w.own(p.name), w.n(p.members), w.n(p.spoken)) for p in view.parties),
    )
    loops = tuple(
        w.counted(
            f"report.spaces.loop_{lp.stand}",
            lp.rounds,
            restater=UserText(lp.restater),
            owner=UserText(lp.owner),
        )
        for lp in view.loops
    )
    stage = Para(w.t("report.spaces.stage", phase=w.t(f"conflict.phase.{view.phase}")))
    blocks = (stage, table, Items(loops)) if loops else (stage, table)
    heading = w.t("report.spaces.heading", space=view.number, subject=UserText(view.subject))
    return Section(heading, 3, f"space-{view.number}", blocks)
