"""What the pages show, read from the store and worded in the reader's language (no HTML here)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.core.effects import When
from bot.core.model import STEP_KINDS, Intervention, InterventionId, UserId
from bot.flows import curation, safety
from bot.flows import rounds as round_rules
from bot.i18n.render import Reader, Renderer
from bot.reports.audit import NOTE, PROMPT
from bot.storage import orm
from bot.storage.store import SqlStore
from bot.web.spaces import space_lines

AUDIT_SHOWN = 100
CONSENT_ROUND_SUFFIX = ".consent"


@dataclass(frozen=True, slots=True)
class RoundRow:
    key: str
    title: str
    state: str
    answers: str
    deadline: str
    is_open: bool
    can_publish: bool
    can_remind: bool


@dataclass(frozen=True, slots=True)
class RequestRow:
    id: int
    kind: str  # "timeout" or "flag"
    text: str


@dataclass(frozen=True, slots=True)
class AuditRow:
    when: str
    who: str
    what: str


@dataclass(frozen=True, slots=True)
class Dashboard:
    """One intervention as its facilitator's page shows it."""

    id: str
    title: str
    summary: str
    paused: bool
    closed: bool
    has_next_step: bool
    rounds: tuple[RoundRow, ...]
    safety_counts: str
    requests: tuple[RequestRow, ...]
    consent: tuple[str, ...]
    drafts: tuple[tuple[str, str, str], ...]  # round key, title, the numbered draft
    consent_syntheses: tuple[tuple[str, str], ...]  # round title, synthesis text
    board: tuple[tuple[str, tuple[str, ...]], ...]  # kind, items
    actions: tuple[str, ...]
    audit: tuple[AuditRow, ...]
    # Conflict spaces: a heading each, then its lines (counts by party, each loop).
    spaces: tuple[tuple[str, tuple[str, ...]], ...] = ()
    notes: tuple[AuditRow, ...] = ()  # the facilitators' private notes: when, who, the note


def page_reader(state: Intervention, user: UserId, locale: str) -> Reader:
    """The session's language (the one its link was written in), the person's own clock."""
    member = state.participants.get(user)
    tz = member.timezone if member is not None and member.timezone else state.timezone
    return Reader("en" if locale == "en" else "fr", tz, state.address_form)


async def facilitated(store: SqlStore, platform: str, workspace: str, user: str) -> list[str]:
    """Ids of the interventions this person facilitates in one workspace, newest first."""
    row, member = orm.InterventionRow, orm.ParticipantRow
    async with store.unit() as uow:
        found = await uow.session.scalars(
            select(row.id)
            .join(member, member.intervention_id == row.id)
            .where(
                row.platform == platform,
                row.workspace == workspace,
                member.user == user,
                member.role == "facilitator",
                member.left_at.is_(None),
            )
            .order_by(row.created_at.desc())
            .limit(50)
        )
        return list(found)


async def load(store: SqlStore, iid: str) -> Intervention | None:
    async with store.unit() as uow:
        return await uow.load(InterventionId(iid))


def summary(state: Intervention, renderer: Renderer, reader: Reader) -> str:
    t = renderer.text
    return t(
        reader,
        "web.dash.summary",
        status=state.status,  # a key the catalog words (`status`, `step` are translated)
        step=state.step or t(reader, "web.dash.no_step"),
        participants=len(state.reachable()),
    )


def _deadlines(state: Intervention) -> dict[str, datetime]:
    """When each open round is planned to close (`/tst schedule close`)."""
    due: dict[str, datetime] = {}
    for action in state.scheduled:
        verb, _, key = action.command.partition(" close ")
        if verb == "round" and key:
            due[key] = min(action.due, due.get(key, action.due))
    return due


def _rounds(state: Intervention, renderer: Renderer, reader: Reader) -> tuple[RoundRow, ...]:
    t, k = renderer.text, state.k_anonymity_min
    deadlines = _deadlines(state)
    out: list[RoundRow] = []
    for key, rnd in sorted(state.rounds.items(), key=lambda kv: kv[1].opened_at):
        if rnd.status == "open":
            count = len(round_rules.responders(state, key))
        else:
            synthesis = state.syntheses.get(key)
            count = synthesis.answered if synthesis is not None else 0
        # Counts under k are not shown, even here: a count of 1 or 2 can point at a person.
        answers = (
            t(reader, "web.dash.answers_count", count=count, total=len(rnd.recipients))
            if count >= k
            else t(reader, "web.dash.answers_few", k=k)
        )
        state_key = (
            "web.dash.round_open"
            if rnd.status == "open"
            else "web.dash.round_published"
            if rnd.published
            else "web.dash.round_closed"
        )
        deadline = deadlines.get(key)
        out.append(
            RoundRow(
                key=key,
                title=renderer.round_title(reader, key),
                state=t(reader, state_key),
                answers=answers,
                deadline=renderer.catalog.param_text(
                    reader.locale, "when", When(deadline), reader.address, reader.timezone
                )
                if deadline is not None
                else t(reader, "web.dash.no_deadline"),
                is_open=rnd.status == "open",
                can_publish=rnd.status == "closed" and not rnd.published,
                can_remind=rnd.status == "open" and not rnd.reminded,
            )
        )
    return tuple(out)


def _drafts(
    state: Intervention, renderer: Renderer, reader: Reader
) -> tuple[tuple[str, str, str], ...]:
    """Closed rounds the group has not read yet: the draft the facilitators review, its
    items numbered as the chat's curation commands name them (bot/flows/curation.py)."""
    out: list[tuple[str, str, str]] = []
    for key, rnd in sorted(state.rounds.items(), key=lambda kv: kv[1].opened_at):
        synthesis = state.syntheses.get(key)
        if rnd.status != "closed" or rnd.published or synthesis is None:
            continue
        if synthesis.audience != "group" or synthesis.withdrawn:
            continue
        shown = renderer.synthesis(state, curation.draft(synthesis), reader)
        text = "".join(s.text for s in shown).strip()
        out.append((key, renderer.round_title(reader, key), text))
    return tuple(out)


def _requests(state: Intervention, renderer: Renderer, reader: Reader) -> tuple[RequestRow, ...]:
    t = renderer.text
    rows: list[RequestRow] = []
    for r in state.requests:
        if r.status != "open":
            continue
        if r.kind == "timeout":
            text = t(reader, "web.dash.request_timeout", id=r.id, step=r.target or "none")
        else:
            kind, _, key = r.target.partition(":")
            text = (
                t(reader, "web.dash.request_flag_synthesis", id=r.id, round=key, reason=r.reason)
                if kind == "synthesis"
                else t(reader, "web.dash.request_flag_board", id=r.id, item=key, reason=r.reason)
            )
        rows.append(RequestRow(r.id, r.kind, text))
    return tuple(rows)


def _consent(state: Intervention, renderer: Renderer, reader: Reader) -> tuple[str, ...]:
    t = renderer.text
    tally = Counter(p.consent for p in state.participants.values() if p.active)
    lines = [
        t(
            reader,
            "web.dash.frame_consent",
            accepted=tally["accepted"],
            pending=tally["pending"],
            declined=tally["declined"],
            withdrawn=tally["withdrawn"],
        )
    ]
    for version in state.contract:
        word = t(reader, f"web.dash.contract_{version.status}")
        lines.append(t(reader, "web.dash.contract_version", version=version.version, state=word))
    return tuple(lines)


def _consent_syntheses(
    state: Intervention, renderer: Renderer, reader: Reader
) -> tuple[tuple[str, str], ...]:
    """The tallies of each closed consent round, as the facilitator's synthesis words them
    (which already withholds what fewer than k people gave)."""
    out: list[tuple[str, str]] = []
    for key, synthesis in state.syntheses.items():
        if key.split("@")[0].endswith(CONSENT_ROUND_SUFFIX) and not synthesis.withdrawn:
            text = "".join(s.text for s in renderer.synthesis(state, synthesis, reader))
            out.append((renderer.round_title(reader, key), text))
    return tuple(out)


def _board(
    state: Intervention, renderer: Renderer, reader: Reader
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    t = renderer.text
    sections: list[tuple[str, tuple[str, ...]]] = []
    for kind in ("information", "obstacle", "cause", "proposal"):
        items = tuple(
            t(
                reader,
                "web.dash.board_item",
                id=b.id,
                text=b.text,
                state=t(reader, f"board.status.{b.status}")
                if renderer.catalog.has(reader.locale, f"board.status.{b.status}")
                else b.status,
            )
            for b in state.board
            if b.kind == kind and b.status != "withdrawn"
        )
        if items:
            sections.append((t(reader, f"board.section.{kind}"), items))
    return tuple(sections)


def _actions(state: Intervention, renderer: Renderer, reader: Reader) -> tuple[str, ...]:
    t = renderer.text
    return tuple(
        t(
            reader,
            "web.dash.action",
            id=a.id,
            text=a.text,
            owner=_name(state, a.owner),
            due=renderer.catalog.param_text(
                reader.locale, "when", When(a.due), reader.address, reader.timezone
            ),
            state=t(reader, f"web.dash.action_{a.status}"),
        )
        for a in state.actions
    )


def _name(state: Intervention, user: str) -> str:
    member = state.participants.get(UserId(user))
    return member.display_name if member is not None and member.display_name else user


ITEM = re.compile(r"^[a-z]+#(\d+)")


def audit_words(
    renderer: Renderer, reader: Reader, state: Intervention, action: str, target: str
) -> str:
    """One audit line in words. The catalog's name for the action when it has one (the
    reports' decision log names them: `report.audit.<action>`), and a target a person can
    read: a round's title, a step's name, an item's number; never a planned command line.
    bot/reports/audit.py words the same log for the reports: one of the two should go."""
    key = "report.audit." + action.replace(".", "_")
    named = renderer.text(reader, key) if renderer.catalog.has(reader.locale, key) else action
    if target in state.rounds or renderer.flow.round(target) is not None:
        about = renderer.round_title(reader, target)
    elif target in STEP_KINDS:
        about = renderer.text(reader, "web.dash.step_name", step=target)
    elif m := ITEM.match(target):
        about = f"#{m.group(1)}"
    elif (m := PROMPT.match(target)) and renderer.flow.round(m.group(1)) is not None:
        number = int(m.group(2))
        about = renderer.text(reader, "report.audit_item.prompt", round=m.group(1), number=number)
    elif m := NOTE.match(target):
        about = renderer.text(reader, "report.audit_item.note", number=int(m.group(1)))
    elif action.startswith("schedule."):
        about = ""
    else:
        about = target
    return f"{named} — {about}" if about else named


async def _audit(
    store: SqlStore, state: Intervention, renderer: Renderer, reader: Reader
) -> tuple[AuditRow, ...]:
    row = orm.AuditRow
    async with store.unit() as uow:
        found = (
            await uow.session.execute(
                select(row.at, row.actor, row.action, row.target)
                .where(row.intervention_id == state.id)
                .order_by(row.at.desc(), row.id.desc())
                .limit(AUDIT_SHOWN)
            )
        ).all()
    bot = renderer.text(reader, "web.dash.audit_bot")
    out: list[AuditRow] = []
    for at, actor, action, target in found:
        when = _when(renderer, reader, at)
        who = _name(state, actor) if actor else bot
        out.append(AuditRow(when, who, audit_words(renderer, reader, state, action, target)))
    return tuple(out)


async def dashboard(
    store: SqlStore, renderer: Renderer, state: Intervention, reader: Reader
) -> Dashboard:
    c = safety.counts(state)
    step_at = STEP_KINDS.index(state.step) if state.step else -1
    return Dashboard(
        id=state.id,
        title=state.title,
        summary=summary(state, renderer, reader),
        paused=state.status == "paused",
        closed=state.status == "closed",
        has_next_step=step_at + 1 < len(STEP_KINDS),
        rounds=_rounds(state, renderer, reader),
        safety_counts=renderer.text(
            reader,
            "web.dash.safety_counts",
            threads=c.threads,
            waiting=c.waiting,
            timeouts=c.timeouts_open,
            flags=c.flags_open,
            withdrawn=c.withdrawn,
        ),
        requests=_requests(state, renderer, reader),
        consent=_consent(state, renderer, reader),
        drafts=_drafts(state, renderer, reader),
        consent_syntheses=_consent_syntheses(state, renderer, reader),
        board=_board(state, renderer, reader),
        actions=_actions(state, renderer, reader),
        audit=await _audit(store, state, renderer, reader),
        spaces=space_lines(state, renderer, reader),
        notes=tuple(AuditRow(_when(renderer, reader, n.at), n.author, n.text) for n in state.notes),
    )


def _when(renderer: Renderer, reader: Reader, at: datetime) -> str:
    return renderer.catalog.param_text(
        reader.locale, "when", When(at), reader.address, reader.timezone
    )
