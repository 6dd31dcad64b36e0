"""Consent that iterates: tallies per version, amendments invited, no adoption over objections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.core.commands import fold
from bot.core.effects import Message, ToChannel, ToUser, UserText
from bot.core.events import AnswerSubmitted
from bot.core.model import Intervention, Response, RoundState
from bot.flows.answers import authored
from bot.flows.context import Ctx
from bot.flows.spec import RoundSpec, base_key

CONTRACT_ROUND = "contract.consent"
PROPOSALS_ROUND = "solutions.consent"
# What a person who cannot simply agree is asked to write: the change that would lift it.
AMEND_PROMPT = {CONTRACT_ROUND: "contract.reason", PROPOSALS_ROUND: "solutions.objection"}
POSITION_PROMPT = {CONTRACT_ROUND: "contract.position", PROPOSALS_ROUND: "solutions.position"}
NOT_PLAIN = ("agree_with_reservations", "object")
# `contrat adopter malgre <raison>` / `contract adopt override <reason>`.
OVERRIDE_WORDS = frozenset({"malgre", "override", "despite", "outrepasser"})
MAX_REASON = 500


def is_consent_round(key: str) -> bool:
    return base_key(key) in POSITION_PROMPT


def _position_key(base: str, item: int) -> str:
    prompt = POSITION_PROMPT[base]
    return prompt if base == CONTRACT_ROUND else f"{prompt}#{item}"


def _amend_key(base: str, item: int) -> str:
    prompt = AMEND_PROMPT[base]
    return prompt if base == CONTRACT_ROUND else f"{prompt}#{item}"


def opened(state: Intervention, spec: RoundSpec, items: tuple[int, ...]) -> Intervention:
    """A consent round on the contract opens: the version it asks about is in consent."""
    if spec.key != CONTRACT_ROUND:
        return state
    contract = tuple(
        replace(c, status="in_consent") if c.version in items else c for c in state.contract
    )
    return replace(state, contract=contract)


def after_answer(ctx: Ctx, before: Intervention, after: Intervention, ev: AnswerSubmitted) -> None:
    """A reservation or an objection without the change that would lift it: its author alone
    is invited, privately, to propose that change (an amendment) by editing the answer."""
    if after is before or not is_consent_round(ev.round_key) or ctx.actor is None:
        return
    base = base_key(ev.round_key)
    rnd = after.rounds[ev.round_key]
    mine = {r.prompt_key: r for r in authored(after, rnd.key, ctx.actor)}
    for item in rnd.items:
        position = mine.get(_position_key(base, item))
        amendment = mine.get(_amend_key(base, item))
        if position is None or position.value not in NOT_PLAIN:
            continue
        if amendment is None or amendment.skipped or not str(amendment.value or "").strip():
            from bot.flows.prompts import prompt_message

            ctx.send(ToUser(ctx.actor), prompt_message("consent.amend_invite", rnd.key))
            return


def _tally(answers: Sequence[Response], prompt_key: str) -> dict[str, int]:
    counts = {"agree": 0, "agree_with_reservations": 0, "object": 0, "not_yet": 0, "private": 0}
    for r in answers:
        if r.prompt_key != prompt_key or r.skipped or not isinstance(r.value, str):
            continue
        if r.value in counts:
            counts[r.value] += 1
            # An objection shared with the facilitators only still counts: the group learns
            # that it exists, never whose it is nor what it says.
            if r.value == "object" and r.visibility in ("facilitator", "private"):
                counts["private"] += 1
    return counts


def _tally_key(on_contract: bool, private: bool) -> str:
    """The facilitator-only share of the objections is named only when there is one."""
    if private:
        return "consent.tally_private.contract" if on_contract else "consent.tally_private.proposal"
    return "consent.tally.contract" if on_contract else "consent.tally.proposal"


def closed(
    ctx: Ctx, state: Intervention, spec: RoundSpec, rnd: RoundState, answers: Sequence[Response]
) -> Intervention:
    """A consent round closes: every objection is counted, the version it was about is marked
    objected or consented, and the facilitators learn how many amendments wait for them."""
    if spec.key not in POSITION_PROMPT:
        return state
    # An amendment is the change asked by someone who could not simply agree.
    amendments = sum(
        1
        for item in rnd.items
        for r in answers
        if r.prompt_key == _amend_key(spec.key, item)
        and not r.skipped
        and str(r.value or "").strip()
        and any(
            p.author == r.author
            and p.prompt_key == _position_key(spec.key, item)
            and p.value in NOT_PLAIN
            for p in answers
        )
    )
    objected: set[int] = set()
    on_contract = spec.key == CONTRACT_ROUND
    for item in rnd.items:
        counts = _tally(answers, _position_key(spec.key, item))
        if counts["object"]:
            objected.add(item)
        positions = sum(
            counts[v] for v in ("agree", "agree_with_reservations", "object", "not_yet")
        )
        if positions < state.k_anonymity_min:
            # Counts need k contributors (TST.md 3.1): the group hears only that they are held.
            withheld = "consent.tally_withheld." + ("contract" if on_contract else "proposal")
            ctx.send(ToChannel(), Message(withheld, {"item": item, "k": state.k_anonymity_min}))
            continue
        ctx.send(
            ToChannel(),
            Message(
                _tally_key(on_contract, counts["private"] > 0),
                {
                    "item": item,
                    "agree": counts["agree"],
                    "reservations": counts["agree_with_reservations"],
                    "objections": counts["object"],
                    "private": counts["private"],
                    "not_yet": counts["not_yet"],
                },
            ),
        )
    if amendments:
        key = "consent.amendments.contract" if on_contract else "consent.amendments.proposal"
        ctx.to_facilitators(state, Message(key, {"count": amendments}))

    def verdict(item: int) -> str:
        return "objected" if item in objected else "consented"

    if on_contract:
        contract = tuple(
            replace(c, status=verdict(c.version)) if c.version in rnd.items else c  # type: ignore[arg-type]
            for c in state.contract
        )
        return replace(state, contract=contract)
    board = tuple(
        replace(b, status=verdict(b.id)) if b.kind == "proposal" and b.id in rnd.items else b
        for b in state.board
    )
    return replace(state, board=board)


def override_reason(
    ctx: Ctx, words: Sequence[str], objected: bool, on_contract: bool, item: int
) -> str:
    """Adoption over an outstanding objection is refused, unless the facilitator says why:
    the reason then goes to the group and to the audit log. "" means a plain adoption."""
    if words and fold(words[0]) in OVERRIDE_WORDS:
        reason = " ".join(words[1:]).strip()
        if not reason:
            ctx.refuse("error.override_needs_reason")
        if len(reason) > MAX_REASON:
            ctx.refuse("error.too_long", limit=MAX_REASON)
        if not objected:
            ctx.refuse("error.override_without_objection")
        return reason
    if words:
        ctx.refuse("error.adopt_syntax")
    if objected:
        ctx.refuse(
            "error.objection_outstanding.contract"
            if on_contract
            else "error.objection_outstanding.proposal",
            item=item,
        )
    return ""


def announce_override(
    ctx: Ctx, state: Intervention, on_contract: bool, item: int, reason: str
) -> None:
    """The group hears that it was adopted over an objection, why, and in whose name."""
    ctx.send(
        ToChannel(),
        Message(
            "consent.override.contract" if on_contract else "consent.override.proposal",
            {
                "item": item,
                "reason": UserText(reason),
                "by": ctx.speaker(state),
            },
        ),
    )
    # The audit line says it was an override, and why: the reason is the facilitator's own.
    # The audit column holds 200 characters.
    ctx.audit_target = f"{ctx.audit_target}:override:{reason}"[:200]
