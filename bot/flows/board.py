"""The shared artefacts: the versioned contract, the board, decisions on proposals, actions."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.commands import Command, fold
from bot.core.effects import Button, Message, Schedule, ToChannel, ToUser, UserText, When
from bot.core.model import (
    ActionItem,
    BoardItem,
    BoardKind,
    ContractVersion,
    Intervention,
    Synthesis,
)
from bot.core.vocabulary import BOARD_KINDS, DECISIONS
from bot.flows.context import Ctx

MAX_CONTRACT = 6000
MAX_ITEM = 500
LINK = re.compile(r"\s*(?:->|→)\s*#?(\d+)\s*$")
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$|^(\d{1,2})/(\d{1,2})/(\d{4})$")
DUE_HOUR = time(18, 0)


def contract_draft(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    text = cmd.text.strip()
    if not text:
        ctx.refuse("error.contract_needs_text")
    if len(text) > MAX_CONTRACT:
        ctx.refuse("error.too_long", limit=MAX_CONTRACT)
    if (
        state.rounds.get("contract.consent", None)
        and state.rounds["contract.consent"].status == "open"
    ):
        ctx.refuse("error.contract_in_consent")
    version = len(state.contract) + 1
    older = tuple(
        replace(c, status="superseded") if c.status in ("draft", "in_consent") else c
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


def contract_adopt(ctx: Ctx, state: Intervention) -> Intervention:
    current = state.current_contract()
    if current is None:
        ctx.refuse("error.no_contract")
    if current.status == "adopted":
        ctx.refuse("error.contract_already_adopted", version=current.version)
    consent_round = state.rounds.get("contract.consent")
    if consent_round is not None and consent_round.status == "open":
        ctx.refuse("error.contract_in_consent")
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
    return replace(state, contract=contract)


def board_add(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    if not cmd.words:
        ctx.refuse("error.board_syntax")
    kind_word, _, rest = cmd.text.partition(" ")
    kind = BOARD_KINDS.get(fold(kind_word))
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
    ctx.reply("board.added", item=item.id, kind=kind)
    ctx.audit_target = f"{kind}#{item.id}"
    return replace(state, board=(*state.board, item))


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
    if len(words) != 2 or not words[0].isdigit() or fold(words[1]) not in DECISIONS:
        ctx.refuse("error.decide_syntax")
    item_id = int(words[0])
    decision = DECISIONS[fold(words[1])]
    item = next((b for b in state.board if b.id == item_id and b.kind == "proposal"), None)
    if item is None:
        ctx.refuse("error.board_unknown_item", item=item_id)
    board = tuple(replace(b, status=decision) if b.id == item_id else b for b in state.board)
    ctx.send(
        ToChannel(), Message(f"decision.{decision}", {"item": item_id, "text": UserText(item.text)})
    )
    ctx.reply("decision.reply", item=item_id)
    ctx.audit_target = f"proposal#{item_id}:{decision}"
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
    """`action add @owner 2026-12-01 text [-> proposal]`: an owner, a due date, a link."""
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
        if not any(b.id == proposal and b.kind == "proposal" for b in state.board):
            ctx.refuse("error.board_unknown_item", item=proposal)
        text = text[: found.start()].strip()
    if not text or len(text) > MAX_ITEM:
        ctx.refuse("error.action_syntax")
    action_id = max((a.id for a in state.actions), default=0) + 1
    action = ActionItem(action_id, text, owner, due, proposal)
    ctx.send(
        ToUser(owner),
        Message("action.assigned", {"action": action_id, "text": UserText(text), "due": When(due)}),
    )
    ctx.send(
        ToChannel(),
        Message(
            "action.added",
            {
                "action": action_id,
                "text": UserText(text),
                "owner": UserText(member.display_name),
                "due": When(due),
            },
        ),
    )
    # The owner hears about it again the day before it is due.
    reminder_at = max(ctx.now, due - timedelta(days=1))
    ctx.add(Schedule(f"action:{action_id}", reminder_at, "action_due", {"action": str(action_id)}))
    ctx.reply("action.added_reply", action=action_id)
    ctx.audit_target = f"action#{action_id}"
    return replace(state, actions=(*state.actions, action))


def action_done(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    word = cmd.words[0].lstrip("#") if cmd.words else ""
    if not word.isdigit():
        ctx.refuse("error.action_syntax")
    action = next((a for a in state.actions if a.id == int(word)), None)
    if action is None:
        ctx.refuse("error.action_unknown", action=word)
    if ctx.actor != action.owner and not state.is_facilitator(ctx.actor):
        ctx.refuse("error.facilitator_only")
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
