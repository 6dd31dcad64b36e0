"""The shared artefacts: the versioned contract, the board, decisions on proposals, actions."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.commands import BOARD_KINDS, DECISIONS, Command
from bot.core.effects import Button, Message, Schedule, ToChannel, ToUser, UserText, When
from bot.core.model import (
    ActionItem,
    BoardItem,
    BoardKind,
    ContractVersion,
    Intervention,
    Synthesis,
)
from bot.flows import consent
from bot.flows.context import Ctx
from bot.flows.spec import base_key

MAX_CONTRACT = 6000
MAX_ITEM = 500
LINK = re.compile(r"\s*(?:->|→)\s*#?(\d+)\s*$")
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$|^(\d{1,2})/(\d{1,2})/(\d{4})$")
DUE_HOUR = time(18, 0)
# A proposal under consent, or consented, objected to: a new version of it replaces it there.
UNDER_CONSENT = ("shortlisted", "consented", "objected")


def _consent_open(state: Intervention) -> bool:
    return any(
        base_key(k) == consent.CONTRACT_ROUND and r.status == "open"
        for k, r in state.rounds.items()
    )


def contract_draft(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    text = cmd.text.strip()
    if not text:
        ctx.refuse("error.contract_needs_text")
    if len(text) > MAX_CONTRACT:
        ctx.refuse("error.too_long", limit=MAX_CONTRACT)
    if _consent_open(state):
        ctx.refuse("error.contract_in_consent")
    version = len(state.contract) + 1
    older = tuple(
        replace(c, status="superseded") if c.status not in ("adopted", "superseded") else c
        for c in state.contract
    )
    contract = (*older, ContractVersion(version, text, "draft", ctx.now))
    ctx.send(
        ToChannel(), Message("contract.draft_posted", {"version": version, "text": UserText(text)})
    )
    ctx.reply("contract.draft_reply", version=version)
    ctx.audit_target = f"v{version}"
    return replace(state, contract=contract)


def contract_show(ctx: Ctx, state: Intervention) -> Intervention:
    current = state.current_contract()
    if current is None:
        ctx.refuse("error.no_contract")
    ctx.reply(
        f"contract.show.{current.status}", version=current.version, text=UserText(current.text)
    )
    return state


def contract_adopt(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """Adopted by consent: refused while an objection to this version is outstanding, unless
    the facilitator overrides it with a reason the group reads."""
    current = state.current_contract()
    if current is None:
        ctx.refuse("error.no_contract")
    if current.status == "adopted":
        ctx.refuse("error.contract_already_adopted", version=current.version)
    if _consent_open(state):
        ctx.refuse("error.contract_in_consent")
    reason = consent.override_reason(
        ctx, cmd.words, current.status == "objected", True, current.version
    )
    contract = tuple(
        replace(c, status="adopted", adopted_at=ctx.now)
        if c.version == current.version
        else replace(c, status="superseded")
        if c.status == "adopted"
        else c
        for c in state.contract
    )
    ctx.send(
        ToChannel(),
        Message("contract.adopted", {"version": current.version, "text": UserText(current.text)}),
    )
    ctx.reply("contract.adopted_reply", version=current.version)
    ctx.audit_target = f"v{current.version}"
    if reason:
        consent.announce_override(ctx, state, True, current.version, reason)
    return replace(state, contract=contract)


def board_add(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    if not cmd.words:
        ctx.refuse("error.board_syntax")
    kind_word, _, rest = cmd.text.partition(" ")
    kind = BOARD_KINDS.get(kind_word.lower())
    if kind is None:
        ctx.refuse("error.board_syntax")
    text = rest.strip()
    links: tuple[int, ...] = ()
    found = LINK.search(text)
    if found:
        target = int(found.group(1))
        if not any(b.id == target for b in state.board):
            ctx.refuse("error.board_unknown_item", item=target)
        links = (target,)
        text = text[: found.start()].strip()
    if not text:
        ctx.refuse("error.board_syntax")
    if len(text) > MAX_ITEM:
        ctx.refuse("error.too_long", limit=MAX_ITEM)
    board_kind: BoardKind = kind  # type: ignore[assignment]
    item = BoardItem(state.next_board_id(), board_kind, text, links)
    board = (*state.board, item)
    older = next(
        (b for b in state.board if links and b.id == links[0] and b.kind == "proposal"), None
    )
    if kind == "proposal" and older is not None and older.status in UNDER_CONSENT:
        # A proposal linked to one under consent is its next version (an amendment): it takes
        # its place for the next consent round, which asks about it alone.
        item = replace(item, status="shortlisted")
        kept = (replace(b, status="superseded") if b.id == older.id else b for b in state.board)
        board = (*kept, item)
        ctx.reply("board.new_version", item=item.id, older=older.id)
    else:
        ctx.reply("board.added", item=item.id, kind=kind)
    ctx.audit_target = f"{kind}#{item.id}"
    return replace(state, board=board)


def board_show(ctx: Ctx, state: Intervention) -> Intervention:
    if not state.board:
        ctx.refuse("error.board_empty")
    ctx.send(ToChannel(), board_message())
    ctx.reply("board.posted_reply")
    return state


def board_message() -> Message:
    """The board posted to the group: flaggable like every published item (any member may
    flag an item in private; only a facilitator may withdraw it, bot/flows/safety.py)."""
    return Message(
        "board.posted", board=True, buttons=(Button("flag", "button.flag", "board"),), item="board"
    )


def published_synthesis(synthesis: Synthesis) -> Message:
    """A synthesis posted to the group, flaggable in private like the board."""
    item = f"synthesis:{synthesis.round_key}"
    return Message(
        "synthesis.group",
        synthesis=synthesis,
        buttons=(Button("flag", "button.flag", item),),
        item=item,
    )


def decide(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    words = [w.lstrip("#") for w in cmd.words]
    if len(words) < 2 or not words[0].isdigit() or words[1].lower() not in DECISIONS:
        ctx.refuse("error.decide_syntax")
    item_id = int(words[0])
    decision = DECISIONS[words[1].lower()]
    item = next((b for b in state.board if b.id == item_id and b.kind == "proposal"), None)
    if item is None:
        ctx.refuse("error.board_unknown_item", item=item_id)
    reason = ""
    if decision == "adopted":
        if item.status == "adopted":
            ctx.refuse("error.proposal_already_adopted", item=item_id)
        if item.status == "superseded":
            ctx.refuse("error.proposal_superseded", item=item_id)
        reason = consent.override_reason(
            ctx, cmd.words[2:], item.status == "objected", False, item_id
        )
    elif len(words) > 2:
        ctx.refuse("error.decide_syntax")
    board = tuple(replace(b, status=decision) if b.id == item_id else b for b in state.board)
    ctx.send(
        ToChannel(), Message(f"decision.{decision}", {"item": item_id, "text": UserText(item.text)})
    )
    ctx.reply("decision.reply", item=item_id)
    ctx.audit_target = f"proposal#{item_id}:{decision}"
    if reason:
        consent.announce_override(ctx, state, False, item_id, reason)
    return replace(state, board=board)


def parse_due(ctx: Ctx, state: Intervention, word: str) -> datetime:
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


def action_add(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
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


def action_accept(ctx: Ctx, state: Intervention, word: str) -> Intervention:
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


def action_decline(ctx: Ctx, state: Intervention, word: str, reason: str) -> Intervention:
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


def action_done(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    word = cmd.words[0].lstrip("#") if cmd.words else ""
    if not word.isdigit():
        ctx.refuse("error.action_syntax")
    action = next((a for a in state.actions if a.id == int(word)), None)
    if action is None:
        ctx.refuse("error.action_unknown", action=word)
    if ctx.actor != action.owner and not state.is_facilitator(ctx.actor):
        ctx.refuse("error.facilitator_only")
    if action.status != "todo":
        ctx.refuse(f"error.action_already.{action.status}", action=action.id)
    actions = tuple(replace(a, status="done") if a.id == action.id else a for a in state.actions)
    ctx.send(
        ToChannel(), Message("action.done", {"action": action.id, "text": UserText(action.text)})
    )
    ctx.reply("action.done_reply", action=action.id)
    ctx.audit_target = f"action#{action.id}"
    return replace(state, actions=actions)


def action_due(ctx: Ctx, state: Intervention, action_id: str) -> Intervention:
    action = next((a for a in state.actions if str(a.id) == action_id), None)
    if action is not None and action.status == "todo" and state.status != "closed":
        ctx.send(
            ToUser(action.owner),
            Message(
                "action.due_soon",
                {"action": action.id, "text": UserText(action.text), "due": When(action.due)},
            ),
        )
    return state
