"""Commands that only answer the person who asks: where things stand, their report, their
data, and a link to the web pages (bot/web)."""

from __future__ import annotations

from bot.core.commands import Command
from bot.core.effects import Button, ExportData, Reply, SendLink, SendReport
from bot.core.model import Intervention
from bot.flows import queries, space_view
from bot.flows.context import Ctx


def status(ctx: Ctx, state: Intervention, _cmd: Command) -> Intervention:
    where = queries.standing(state, ctx.actor, ctx.facts.undelivered)
    for message in queries.standing_messages(where):
        ctx.add(Reply(message))
    if space_view.views(state, ctx.actor):  # conflict spaces: a member's own, or all with counts
        for message in space_view.messages(state, ctx.actor):
            ctx.add(Reply(message))
    if ctx.policy.web and state.is_facilitator(ctx.actor):
        ctx.reply("web.status", (Button("dashboard", "button.dashboard"),))
    return state


def report(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    assert ctx.actor is not None
    markdown = any(w.lower() in ("md", "markdown") for w in cmd.words)
    ctx.add(SendReport(ctx.actor, markdown))
    ctx.reply("report.coming")
    return state


def mydata(ctx: Ctx, state: Intervention, _cmd: Command) -> Intervention:
    if ctx.actor is None or ctx.actor not in state.participants:
        ctx.refuse("error.not_a_participant")
    ctx.add(ExportData(ctx.actor))
    ctx.reply("mydata.coming")
    if ctx.policy.web:
        ctx.add(SendLink(ctx.actor, "mydata"))
        ctx.reply("web.link_coming")
    return state


def dashboard(ctx: Ctx, state: Intervention, _cmd: Command) -> Intervention:
    """The facilitator's live page: a link by DM, when the web pages are served."""
    if not ctx.policy.web:
        ctx.refuse("web.off")
    assert ctx.actor is not None
    ctx.add(SendLink(ctx.actor, "dashboard"))
    ctx.reply("web.link_coming")
    return state
