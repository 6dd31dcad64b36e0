"""The decision log in words: each audited action named by the catalog, its target made human
(a round's title, a board item's number), never an internal key."""

from __future__ import annotations

import re

from babel import Locale as BabelLocale

from bot.i18n.render import Reader, Renderer
from bot.reports.data import ReportData
from bot.reports.document import Table
from bot.reports.typography import moment, typeset

# Every action the engine audits (`cmd.name[.sub]` and the few it names itself); one that
# is not here is shown as "another facilitation action", never by its key.
AUDITED = (
    "start", "invite", "status", "step", "round.open", "round.close", "round.remind",
    "publish", "groups.propose", "groups.approve", "groups.swap", "groups.move",
    "groups.close", "contract.draft", "contract.show", "contract.adopt", "contract.help",
    "board.add", "board.show", "action.add", "action.done", "decide", "schedule.open",
    "schedule.close", "schedule.remind", "schedule.list", "schedule.cancel", "schedule.every",
    "schedule.change", "pause", "resume", "close", "report", "inbox", "withdrawn",
    "erasure", "app_removed", "anonymity",
)  # fmt: skip
ITEM = re.compile(r"^(information|obstacle|cause|proposal|action)#(\d+)(?::(\w+))?$")
VERSION = re.compile(r"^v(\d+)$")


def action_key(action: str) -> str:
    name = action.replace(".", "_") if action in AUDITED else "other"
    return f"report.audit.{name}"


def target_text(
    renderer: Renderer, reader: Reader, data: ReportData, action: str, target: str
) -> str:
    """What an action was about, as the facilitator would say it; "" when it says nothing
    a person needs (a schedule's internal command line, a count of groups is kept)."""
    flow = renderer.flow
    t = renderer.text
    if action in ("start", "close"):
        return data.intervention.title
    if action == "step" and flow.step(target) is not None:
        return t(reader, f"step.{target}.name")
    kind, _, key = target.partition(":")
    if kind == "synthesis" and flow.round(key) is not None:
        return renderer.round_title(reader, key)
    if flow.round(target) is not None:
        return renderer.round_title(reader, target)
    if m := ITEM.match(target):
        what, number, decision = m.groups()
        kind = "action" if what == "action" else "board"
        label = t(reader, f"report.audit_item.{kind}", id=int(number))
        if decision is not None and renderer.catalog.has(reader.locale, f"board.status.{decision}"):
            label += " — " + t(reader, f"board.status.{decision}")
        return label
    if m := VERSION.match(target):
        return t(reader, "report.contract_version", version=int(m.group(1)))
    if kind == "help" and key:
        return str(BabelLocale.parse(key).get_display_name(reader.locale) or "")
    if target.isdigit() and action in ("invite", "groups.approve", "groups.close"):
        return target
    return ""


def audit_table(data: ReportData, renderer: Renderer, reader: Reader) -> Table:
    tz = reader.timezone
    rows = tuple(
        (
            moment(at, reader.locale, tz),
            typeset(renderer.text(reader, action_key(action)), reader.locale),
            typeset(target_text(renderer, reader, data, action, target), reader.locale),
        )
        for at, action, target in data.audit
    )
    columns = tuple(
        renderer.text(reader, key)
        for key in ("report.column.when", "report.column.decision", "report.column.about")
    )
    return Table("", columns, rows)
