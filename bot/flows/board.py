"""The shared artefacts: the versioned contract, the board, decisions on proposals."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.commands import Command, fold
from bot.core.effects import Button, Message, ToChannel, UserText
from bot.core.model import (
    BoardItem,
    BoardKind,
    ContractVersion,
    Intervention,
    Synthesis,
)
from bot.core.vocabulary import BOARD_KINDS, DECISIONS
from bot.flows import consent
from bot.flows.context import Ctx
from bot.flows.spec import base_key

MAX_CONTRACT = 6000
MAX_ITEM = 500
LINK = re.compile(r"\s*(?:->|→)\s*#?(\d+)\s*$")
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
    if len(words) < 2 or not words[0].isdigit() or fold(words[1]) not in DECISIONS:
        ctx.refuse("error.decide_syntax")
    item_id = int(words[0])
    decision = DECISIONS[fold(words[1])]
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
