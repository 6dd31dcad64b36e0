"""A sub-group's report-back: its members write it, each agrees or proposes other words, and it
goes to the plenary, unsigned, only once every present member agreed to the same version."""

# TST.md step 3: "nothing leaves the sub-group unless the sub-group agrees on a summary", and
# §3.1: moving content across spaces needs the sub-group's agreement. So there is no
# facilitator's override: a sub-group that does not agree sends nothing, and the facilitators
# are told so when they close the groups. "Present" members are those still in the frame (who
# left or withdrew cannot hold the others back). Drafts are written by members rather than
# assembled from the answers: an assembled copy of the answers would outlive their erasure.

from __future__ import annotations

from dataclasses import replace

from bot.core.commands import Command
from bot.core.effects import Audit, Button, Message, ToChannel, ToSpace, UserText
from bot.core.model import Intervention, ReportBack, SubGroup, UserId
from bot.flows.context import Ctx

MAX_REPORT = 1500  # fits a Slack section (3,000) and a Discord message (2,000) with its frame
AGREE, CHANGE = "rbagree", "rbchange"  # the buttons under a draft (bot/core/events.py)


def present(state: Intervention, g: SubGroup) -> tuple[UserId, ...]:
    """The members whose agreement is needed: those still in the frame."""
    return tuple(
        u for u in g.members if (p := state.participants.get(u)) is not None and p.reachable
    )


def write(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`groups report <text>`, typed by a member: a new version, which its writer agrees to."""
    g = _own_group(ctx, state)
    text = cmd.text.strip()
    if not text:
        ctx.refuse("reportback.error_syntax")
    return _new_version(ctx, state, g, text)


def change(ctx: Ctx, state: Intervention, value: str, text: str) -> Intervention:
    """The "propose other words" form under a draft: a new version, if the draft is current."""
    g = _own_group(ctx, state)
    _current(ctx, g, value)
    if not text.strip():
        ctx.refuse("reportback.error_syntax")
    return _new_version(ctx, state, g, text.strip())


def agree(ctx: Ctx, state: Intervention, value: str) -> Intervention:
    """The "I agree" button under a draft: counted for that version only."""
    g = _own_group(ctx, state)
    report = _current(ctx, g, value)
    assert ctx.actor is not None
    if ctx.actor not in report.agreed:
        report = replace(report, agreed=report.agreed | {ctx.actor})
        state = _with(state, replace(g, report=report))
    need = present(state, g)
    ctx.reply("reportback.agreed_reply", agreed=len(report.agreed & set(need)), of=len(need))
    return _send_if_agreed(ctx, state, g.index)


def _own_group(ctx: Ctx, state: Intervention) -> SubGroup:
    g = state.subgroup_of(ctx.actor) if ctx.actor is not None else None
    if g is None or ctx.actor not in present(state, g):
        ctx.refuse("reportback.error_not_member")
    if g.report is not None and g.report.sent:
        ctx.refuse("reportback.error_already_sent", group=g.index)
    return g


def _current(ctx: Ctx, g: SubGroup, value: str) -> ReportBack:
    """The draft a button names ("<group>.<version>"); an older version's button is refused."""
    group, _, version = value.partition(".")
    if g.report is None or group != str(g.index) or version != str(g.report.version):
        ctx.refuse("reportback.error_stale")
    return g.report


def _new_version(ctx: Ctx, state: Intervention, g: SubGroup, text: str) -> Intervention:
    if len(text) > MAX_REPORT:
        ctx.refuse("reportback.error_too_long", maximum=MAX_REPORT, length=len(text))
    assert ctx.actor is not None
    version = (g.report.version if g.report else 0) + 1
    report = ReportBack(version, text, frozenset({ctx.actor}))
    state = _with(state, replace(g, report=report))
    need = present(state, g)
    value = f"{g.index}.{version}"
    ctx.send(
        ToSpace(g.index),
        Message(
            "reportback.draft",
            {"group": g.index, "version": version, "text": UserText(text), "of": len(need)},
            buttons=(
                Button(AGREE, "reportback.button_agree", value, "primary"),
                Button(CHANGE, "reportback.button_change", value),
            ),
        ),
    )
    ctx.reply("reportback.written_reply", version=version, of=len(need))
    return _send_if_agreed(ctx, state, g.index)


def _send_if_agreed(ctx: Ctx, state: Intervention, index: int) -> Intervention:
    g = next(g for g in state.subgroups if g.index == index)
    need = set(present(state, g))
    if g.report is None or g.report.sent or not need <= g.report.agreed:
        return state
    ctx.send(
        ToChannel(), Message("reportback.posted", {"group": index, "text": UserText(g.report.text)})
    )
    ctx.send(ToSpace(index), Message("reportback.sent_space", {"group": index}))
    state = _with(state, replace(g, report=replace(g.report, sent=True)))
    sent, total = tally(state)
    ctx.to_facilitators(
        state, Message("reportback.sent_facilitators", {"group": index, "sent": sent, "of": total})
    )
    ctx.add(Audit(UserId(""), "groups.report_sent", str(index)))  # a sub-group's act: nobody's
    return state


def tally(state: Intervention) -> tuple[int, int]:
    """How many of the opened sub-groups (open or closed since) sent their report-back."""
    opened = [g for g in state.subgroups if g.status != "proposed"]
    return sum(1 for g in opened if g.report is not None and g.report.sent), len(opened)


def unsent(state: Intervention) -> tuple[int, ...]:
    """The open sub-groups that have not sent a report-back (said to the facilitators)."""
    return tuple(
        g.index
        for g in state.subgroups
        if g.status == "open" and (g.report is None or not g.report.sent)
    )


def without(g: SubGroup, user: UserId) -> ReportBack | None:
    """An erased member's agreement goes with them; the sub-group's words stay its own."""
    return g.report and replace(g.report, agreed=g.report.agreed - {user})


def _with(state: Intervention, g: SubGroup) -> Intervention:
    return replace(state, subgroups=tuple(g if x.index == g.index else x for x in state.subgroups))
