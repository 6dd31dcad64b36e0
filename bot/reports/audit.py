"""What the facilitator's report alone holds: the decision log in words (each action named by
the catalog, its target made human, never an internal key), the review of syntheses, the
safety line's counts and the sub-groups' composition (counts only, naming nobody), and the
facilitators' private notes."""

from __future__ import annotations

import re

from babel import Locale as BabelLocale

from bot.core.effects import UserText
from bot.flows.safety import counts as safety_counts
from bot.i18n.render import Reader, Renderer
from bot.reports.data import ReportData
from bot.reports.document import Para, Section, Table
from bot.reports.typography import decimal, moment, typeset
from bot.reports.words import Words

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
    "round.wording", "round.question", "wording.reworded", "wording.reset",
    "wording.question_added", "note.add", "note.list", "note.delete", "template.save",
    "template.list", "groups.conflict", "groups.moveon", "conflict.moved_on",
)  # fmt: skip
ITEM = re.compile(r"^(information|obstacle|cause|proposal|action)#(\d+)(?::(\w+))?$")
VERSION = re.compile(r"^v(\d+)$")
PROMPT = re.compile(r"^prompt:([\w.]+)#(\d+)$")  # a question of a round, by its number
NOTE = re.compile(r"^note#(\d+)$")
SPACE = re.compile(r"^space#(\d+)")  # a conflict space: its number, never its subject


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
    if (m := PROMPT.match(target)) and flow.round(m.group(1)) is not None:
        return t(reader, "report.audit_item.prompt", round=m.group(1), number=int(m.group(2)))
    if m := NOTE.match(target):
        return t(reader, "report.audit_item.note", number=int(m.group(1)))
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
    if m := SPACE.match(target):
        return t(reader, "report.spaces.target", space=int(m.group(1)))
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


def groups_section(w: Words, data: ReportData) -> Section | None:
    q = data.group_quality
    if q is None:
        return None
    line = w.t(
        "report.groups_quality",
        gap=decimal(100 * q.gap, w.locale),
        repeats=q.repeated_pairs,
        tokens=q.token_cases,
        violations=q.constraint_violations,
        attributes=UserText(", ".join(q.attributes) or "-"),
    )
    return Section(w.t("report.section.groups"), 2, "groups", (Para(line),))


def safety_section(w: Words, data: ReportData) -> Section | None:
    """The safety line: counts, never what was said nor who said it."""
    c = safety_counts(data.intervention)
    pauses = sum(1 for _, action, _ in data.audit if action == "pause")
    if not (c.any or pauses):
        return None
    rows = (
        ("report.safety_count.threads", c.threads),
        ("report.safety_count.messages", c.messages),
        ("report.safety_count.replies", c.replies),
        ("report.safety_count.timeouts", c.timeouts),
        ("report.safety_count.pauses", pauses),
        ("report.safety_count.flags", c.flags),
        ("report.safety_count.withdrawn", c.withdrawn),
    )
    table = _counts(w, rows)
    note = Para(w.t("report.safety_note"), note=True)
    return Section(w.t("report.section.safety"), 2, "safety", (note, table))


def audit_section(w: Words, data: ReportData) -> Section | None:
    if not data.audit:
        return None
    table = audit_table(data, w.renderer, w.reader)
    return Section(w.t("report.section.audit"), 2, "audit", (table,))


def curation_section(w: Words, data: ReportData) -> Section | None:
    """How much the facilitators reviewed before the group read: counts of items, no words."""
    reviews = [s.curation for s in data.intervention.syntheses.values()]
    rows = (
        ("report.curation_count.held", sum(len(c.held) for c in reviews)),
        ("report.curation_count.merged", sum(len(c.merges) for c in reviews)),
        ("report.curation_count.edited", sum(len(c.edits) for c in reviews)),
        ("report.curation_count.restated", sum(1 for c in reviews if c.restatement)),
    )
    if not any(n for _, n in rows):
        return None
    table = _counts(w, rows)
    return Section(w.t("report.section.curation"), 2, "curation", (table,))


def _counts(w: Words, rows: tuple[tuple[str, int], ...]) -> Table:
    """A table of counts: what (a catalog key), how many."""
    what = (w.t("report.column.what"), w.t("report.column.count"))
    return Table("", what, tuple((w.t(key), w.n(n)) for key, n in rows))


def notes_section(w: Words, data: ReportData) -> Section | None:
    """The facilitators' private notes, as they wrote them, signed: never in the group's."""
    notes = data.intervention.notes
    if not notes:
        return None
    tz = w.reader.timezone
    table = Table(
        "",
        (w.t("report.column.when"), w.t("report.notes.who"), w.t("report.notes.text")),
        tuple((moment(n.at, w.locale, tz), w.own(n.author), w.own(n.text)) for n in notes),
    )
    note = Para(w.t("report.notes.note"), note=True)
    return Section(w.t("report.notes.heading"), 2, "notes", (note, table))
