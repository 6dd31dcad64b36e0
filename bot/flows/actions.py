"""Actions by consent: proposed to an owner who accepts or declines them, linked only to an
adopted proposal, followed up privately with the owner."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.commands import Command
from bot.core.effects import (
    Button,
    Message,
    Params,
    Schedule,
    ToChannel,
    ToUser,
    UserText,
    When,
)
from bot.core.model import ActionItem, Intervention
from bot.flows.board import LINK, MAX_ITEM
from bot.flows.context import Ctx

DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$|^(\d{1,2})/(\d{1,2})/(\d{4})$")
DUE_HOUR = time(18, 0)


def parse_due(ctx: Ctx, state: Intervention, word: str) -> datetime:
    """A due date (2026-12-01 or 01/12/2026) at 18:00 in the intervention's time zone."""
    m = DATE.match(word)
    if m is None:
        ctx.refuse("error.action_syntax")
    year, month, day = (
        (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m.group(1)
        else (int(m.group(6)), int(m.group(5)), int(m.group(4)))
    )
    try:
        local = datetime.combine(
            datetime(year, month, day).date(), DUE_HOUR, tzinfo=ZoneInfo(state.timezone)
        )
    except ValueError:
        ctx.refuse("error.action_syntax")
    due = local.astimezone(UTC)
    if due <= ctx.now:
        ctx.refuse("error.action_due_in_past")
    return due


def add(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`action add @owner 2026-12-01 text [-> proposal]`: proposed to its owner, who accepts
    or declines it; it links only to an adopted proposal."""
    if len(cmd.words) < 3 or not cmd.mentions or cmd.words[0] != cmd.words[0].strip():
        ctx.refuse("error.action_syntax")
    owner = cmd.mentions[0]
    member = state.participants.get(owner)
    if member is None or not member.active:
        ctx.refuse("error.action_owner_unknown")
    due = parse_due(ctx, state, cmd.words[1])
    text = cmd.text.split(None, 2)[2].strip()
    proposal = None
    found = LINK.search(text)
    if found:
        proposal = int(found.group(1))
        linked = next((b for b in state.board if b.id == proposal and b.kind == "proposal"), None)
        if linked is None:
            ctx.refuse("error.board_unknown_item", item=proposal)
        if linked.status != "adopted":
            ctx.refuse("error.action_needs_adopted", item=proposal)
        text = text[: found.start()].strip()
    if not text or len(text) > MAX_ITEM:
        ctx.refuse("error.action_syntax")
    action_id = max((a.id for a in state.actions), default=0) + 1
    action = ActionItem(action_id, text, owner, due, proposal, "proposed")
    value = str(action_id)
    ctx.send(
        ToUser(owner),
        Message(
            "action.proposed",
            {
                "action": action_id,
                "text": UserText(text),
                "due": When(due),
                "by": ctx.speaker(state),
            },
            buttons=(
                Button("accept", "button.accept_action", value, "primary"),
                Button("decline", "button.decline_action", value),
            ),
        ),
    )
    ctx.reply("action.proposed_reply", action=action_id, owner=UserText(member.display_name))
    ctx.audit_target = f"action#{action_id}"
    return replace(state, actions=(*state.actions, action))


def _owned_action(ctx: Ctx, state: Intervention, word: str) -> ActionItem:
    word = word.lstrip("#")
    action = next((a for a in state.actions if str(a.id) == word), None)
    if action is None:
        ctx.refuse("error.action_unknown", action=word[:20])
    if ctx.actor != action.owner:
        ctx.refuse("error.action_not_yours", action=action.id)
    return action


def accept(ctx: Ctx, state: Intervention, word: str) -> Intervention:
    """The owner accepts: the action counts from now, the group hears it, the reminder is set."""
    action = _owned_action(ctx, state, word)
    if action.status != "proposed":
        ctx.refuse(f"error.action_already.{action.status}", action=action.id)
    member = state.participants[action.owner]
    ctx.send(
        ToChannel(),
        Message(
            "action.added",
            {
                "action": action.id,
                "text": UserText(action.text),
                "owner": UserText(member.display_name),
                "due": When(action.due),
            },
        ),
    )
    # The owner hears about it again, privately, the day before it is due.
    reminder_at = max(ctx.now, action.due - timedelta(days=1))
    ctx.add(Schedule(f"action:{action.id}", reminder_at, "action_due", {"action": str(action.id)}))
    ctx.reply("action.accepted_reply", action=action.id, due=When(action.due))
    ctx.audit_target = f"action#{action.id}:accepted"
    return _set_status(state, action, "todo")


def decline(ctx: Ctx, state: Intervention, word: str, reason: str) -> Intervention:
    """The owner declines, with a reason if they give one: it goes to the facilitators only.
    A reason may follow a declining click (`/tst action decline 3 <reason>`)."""
    action = _owned_action(ctx, state, word)
    if len(reason) > MAX_ITEM:
        ctx.refuse("error.too_long", limit=MAX_ITEM)
    if action.status not in ("proposed", "declined") or (
        action.status == "declined" and not reason
    ):
        ctx.refuse(f"error.action_already.{action.status}", action=action.id)
    name = UserText(state.participants[action.owner].display_name)
    ctx.to_facilitators(
        state,
        Message(
            "action.declined_because" if reason else "action.declined",
            {
                "action": action.id,
                "text": UserText(action.text),
                "owner": name,
                "reason": UserText(reason),
            },
        ),
    )
    ctx.reply("action.declined_reply" if not reason else "action.reason_sent", action=action.id)
    ctx.audit_target = f"action#{action.id}:declined"
    return _set_status(state, action, "declined")


def _set_status(state: Intervention, action: ActionItem, status: str) -> Intervention:
    actions = tuple(
        replace(a, status=status) if a.id == action.id else a  # type: ignore[arg-type]
        for a in state.actions
    )
    return replace(state, actions=actions)


def done_command(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    word = cmd.words[0].lstrip("#") if cmd.words else ""
    if not word.isdigit():
        ctx.refuse("error.action_syntax")
    return done(ctx, state, word)


def done(ctx: Ctx, state: Intervention, word: str) -> Intervention:
    """Done, said by its owner (from the follow-up's button too) or a facilitator: the group
    hears it."""
    action = next((a for a in state.actions if str(a.id) == word), None)
    if action is None:
        ctx.refuse("error.action_unknown", action=word[:20])
    if ctx.actor != action.owner and not state.is_facilitator(ctx.actor):
        ctx.refuse("error.facilitator_only")
    if action.status not in ("todo", "blocked"):
        ctx.refuse(f"error.action_already.{action.status}", action=action.id)
    ctx.send(
        ToChannel(), Message("action.done", {"action": action.id, "text": UserText(action.text)})
    )
    ctx.reply("action.done_reply", action=action.id)
    ctx.audit_target = f"action#{action.id}"
    return _set_status(state, action, "done")


def blocked(ctx: Ctx, state: Intervention, word: str, what: str) -> Intervention:
    """The owner answers the follow-up "something is in the way": the facilitators alone hear
    it, with what blocks if they say; the action stays theirs."""
    action = _owned_action(ctx, state, word)
    if len(what) > MAX_ITEM:
        ctx.refuse("error.too_long", limit=MAX_ITEM)
    if action.status not in ("todo", "blocked"):
        ctx.refuse(f"error.action_already.{action.status}", action=action.id)
    params: Params = {
        "action": action.id,
        "text": UserText(action.text),
        "owner": UserText(state.participants[action.owner].display_name),
        "what": UserText(what),
    }
    key = "action.blocked_because" if what.strip() else "action.blocked"
    ctx.to_facilitators(state, Message(key, params))
    ctx.reply("action.blocked_reply", action=action.id)
    return _set_status(state, action, "blocked")


def due(ctx: Ctx, state: Intervention, action_id: str) -> Intervention:
    """The day before it is due: the owner is asked privately whether it is done."""
    action = next((a for a in state.actions if str(a.id) == action_id), None)
    if action is not None and action.status == "todo" and state.status != "closed":
        # The follow-up asks the owner alone where it stands; the answer is a click.
        value = str(action.id)
        ctx.send(
            ToUser(action.owner),
            Message(
                "action.due_soon",
                {"action": action.id, "text": UserText(action.text), "due": When(action.due)},
                buttons=(
                    Button("actdone", "button.action_done", value, "primary"),
                    Button("blocked", "button.action_blocked", value),
                ),
            ),
        )
    return state


def accept_command(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    return accept(ctx, state, cmd.text.partition(" ")[0])


def decline_command(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    word, _, reason = cmd.text.partition(" ")
    return decline(ctx, state, word, reason.strip())
