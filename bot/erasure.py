"""Erasure: `forget`, and `leave` with "erase my answers", remove a person everywhere the
store holds them, inside the transaction of the event that asked for it.

- Answers: every answer found through the author link (or named after the person) is deleted.
  Answers whose link was destroyed at close ("anonymous to the facilitator too") cannot be
  found: that is the promise that mode makes, and the confirmation says so.
- What was built from them: each stored synthesis of a closed round they answered is computed
  again from the answers that remain, with the usual k threshold (an aggregate that falls
  under k disappears, as at close), and so is every synthesis still waiting in the outbox;
  board items copied from their answers (proposals) lose their text.
- The outbox: messages already delivered keep only their address (the platform has the
  message now; the database needs no copy of names or quotes). With `forget`, every row
  addressed to the person is dropped, delivered or not, and their id is taken out of the rest
  (space member lists, keys, platform references, error texts).
- The audit log keeps the decisions they took as facilitator, without their id, and records
  that an erasure happened, never whose.
- The safety line keeps nothing of anyone once delivered. What is still on its way is: with
  `forget`, private-line messages of theirs waiting for delivery (found by unsealing their
  way back with the thread's pad: their own act, bot/flows/seal.py) and anything waiting
  for them go.
Their membership itself (participants, rounds' recipients, sub-group members, action owners,
planned commands) leaves the state in the engine (bot/flows/membership.py). After commit, the
runner asks the store to clean the database files (SQLite WAL).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.effects import Forget, Message, Params, UserText
from bot.core.model import (
    GROUP_VISIBLE,
    Intervention,
    Response,
    ResponseId,
    Synthesis,
    UserId,
)
from bot.flows import seal
from bot.flows.curation import fingerprint, without
from bot.flows.spec import Flow
from bot.flows.synthesis import synthesize
from bot.storage import orm
from bot.storage.codec import decode, encode
from bot.storage.store import UnitOfWork


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erasure removed, for the confirmation the person reads."""

    answers: int
    syntheses: int


@dataclass(frozen=True, slots=True)
class _Answer:
    id: str
    round_key: str
    prompt_key: str
    value: Any
    visibility: str
    skipped: bool
    subgroup: int | None
    named: str | None


async def erase(
    uow: UnitOfWork,
    state: Intervention,
    flow: Flow,
    user: UserId,
    erase_member: bool,
    written: Sequence[str] = (),
) -> Erased:
    """Erase `user`'s answers (and, with `erase_member`, every trace of them) from the store.
    `state` is the intervention as the engine left it (the person already out of it)."""
    s = uow.session
    iid = state.id
    linked = select(orm.ResponseAuthorRow.response_id).where(
        orm.ResponseAuthorRow.intervention_id == iid, orm.ResponseAuthorRow.author == user
    )
    mine = await _answers(
        s,
        iid,
        or_(orm.ResponseRow.id.in_(linked), orm.ResponseRow.attributed_to == user),
    )
    ids = [a.id for a in mine]
    if ids:
        await s.execute(
            delete(orm.ResponseAuthorRow).where(orm.ResponseAuthorRow.response_id.in_(ids))
        )
        await s.execute(delete(orm.ResponseRow).where(orm.ResponseRow.id.in_(ids)))
    closed = sorted(
        {a.round_key for a in mine if (r := state.rounds.get(a.round_key)) and r.status != "open"}
    )
    views = _Views(state, flow, mine, await _remaining(s, iid, closed))
    rewritten = await _rewrite_syntheses(s, iid, views)
    texts = [str(a.value) for a in mine if _relayed(a)]
    await _erase_from_board(s, iid, texts)
    # Their words in a conflict space (positions, restatements, corrections) leave the
    # messages still on their way, as their answers' words do.
    await _scrub_outbox(s, iid, views, user if erase_member else None, {*texts, *written})
    if erase_member:
        await _drop_line_messages(s, state, user)
    if erase_member:
        await _scrub_audit(s, iid, user)
        await s.execute(
            delete(orm.ParticipantRow).where(
                orm.ParticipantRow.intervention_id == iid, orm.ParticipantRow.user == user
            )
        )
    await uow.outdate([iid])
    return Erased(len(ids), rewritten)


def erased_message(state: Intervention, effect: Forget, done: Erased) -> Message:
    """The confirmation: what went (counted), what stays and why, in the person's language.
    With full anonymity it also says which answers could not be found."""
    full = state.anonymity == "full"
    params: Params = {
        "title": UserText(state.title),
        "answers": done.answers,
        "syntheses": done.syntheses,
    }
    if effect.erase_member:
        return Message("privacy.forgotten_full" if full else "privacy.forgotten", params)
    return Message("privacy.answers_erased_full" if full else "privacy.answers_erased", params)


def _relayed(a: _Answer) -> bool:
    """An answer whose text may have been copied into something the group reads."""
    return not a.skipped and isinstance(a.value, str) and a.visibility in GROUP_VISIBLE


async def _answers(s: AsyncSession, iid: str, where: Any) -> list[_Answer]:
    r = orm.ResponseRow
    found = await s.execute(
        select(
            r.id,
            r.round_key,
            r.prompt_key,
            r.value,
            r.visibility,
            r.skipped,
            r.subgroup,
            r.attributed_to,
        ).where(r.intervention_id == iid, where)
    )
    return [
        _Answer(
            row.id,
            row.round_key,
            row.prompt_key,
            decode(row.value),
            row.visibility,
            row.skipped,
            row.subgroup,
            row.attributed_to,
        )
        for row in found.all()
    ]


async def _remaining(s: AsyncSession, iid: str, rounds: Sequence[str]) -> dict[str, list[Response]]:
    """The answers left in these rounds, as the synthesis reads them. The author link is not
    read (rule: no synthesis joins it): a named answer carries its author, and each other one
    stands for one contributor (a person answers a prompt once, edits included)."""
    out: dict[str, list[Response]] = {key: [] for key in rounds}
    if not rounds:
        return out
    for a in await _answers(s, iid, orm.ResponseRow.round_key.in_(rounds)):
        author = UserId(a.named or f"#{a.id}")
        out[a.round_key].append(
            Response(
                ResponseId(a.id),
                a.round_key,
                a.prompt_key,
                author,
                a.value,
                cast(Any, a.visibility),
                a.skipped,
                a.subgroup,
            )
        )
    return out


class _Views:
    """Syntheses of the closed rounds the person answered, computed again without them."""

    def __init__(
        self,
        state: Intervention,
        flow: Flow,
        erased: Sequence[_Answer],
        remaining: Mapping[str, list[Response]],
    ) -> None:
        self.state = state
        self.flow = flow
        self.erased = erased
        self.remaining = remaining

    def affects(self, synthesis: Synthesis) -> bool:
        return synthesis.round_key in self.remaining

    def without(self, old: Synthesis) -> Synthesis:
        key = old.round_key
        rnd = self.state.rounds.get(key)
        spec = self.flow.round(key)
        if key not in self.remaining or rnd is None or spec is None:
            return old
        # `answered` counts people, and the remaining answers no longer say who is who:
        # the person counted once in each view whose scope holds one of their answers.
        theirs = any(
            a.round_key == key and (old.subgroup is None or a.subgroup == old.subgroup)
            for a in self.erased
        )
        answered = max(0, old.answered - int(theirs))
        if old.audience == "participation":
            return replace(old, recipients=len(rnd.recipients), answered=answered)
        fresh = synthesize(self.state, spec, rnd, self.remaining[key], old.audience, old.subgroup)
        # The facilitators' review stays, except what it did to the erased words: an edit
        # of them is their words still, and goes with them.
        gone = {
            fingerprint(a.prompt_key, str(a.value))
            for a in self.erased
            if a.round_key == key and a.value is not None
        }
        return replace(fresh, answered=answered, curation=without(old.curation, gone))


async def _rewrite_syntheses(s: AsyncSession, iid: str, views: _Views) -> int:
    count = 0
    for key in views.remaining:
        stored = await s.scalar(
            select(orm.SynthesisRow.body).where(
                orm.SynthesisRow.intervention_id == iid, orm.SynthesisRow.round_key == key
            )
        )
        if stored is None:
            continue
        fresh = views.without(cast(Synthesis, decode(stored)))
        await s.execute(
            update(orm.SynthesisRow)
            .where(orm.SynthesisRow.intervention_id == iid, orm.SynthesisRow.round_key == key)
            .values(body=encode(fresh))
        )
        count += 1
    return count


async def _erase_from_board(s: AsyncSession, iid: str, texts: Sequence[str]) -> None:
    """A board item copied from one of the answers (a proposal shared with the group) keeps
    its place, number, links and votes, and loses its words: one item per answer."""
    if not texts:
        return
    items = list(
        (
            await s.execute(
                select(orm.BoardRow.id, orm.BoardRow.text)
                .where(orm.BoardRow.intervention_id == iid)
                .order_by(orm.BoardRow.id)
            )
        ).all()
    )
    taken: set[int] = set()
    for text in texts:
        match = next((i for i, t in items if t == text and i not in taken), None)
        if match is None:
            continue
        taken.add(match)
        await s.execute(
            update(orm.BoardRow)
            .where(orm.BoardRow.intervention_id == iid, orm.BoardRow.id == match)
            .values(text="")
        )


def _addressed_to(kind: str, payload: Mapping[str, Any], user: str) -> bool:
    if kind in ("send", "relay"):
        return bool((payload.get("to") or {}).get("user") == user)
    if kind in ("export", "report", "link"):
        return bool(payload.get("user") == user)
    if kind == "timer":
        return bool((payload.get("payload") or {}).get("user") == user)
    return False


def _names(text: str, user: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(user)}(?![\w-])", text) is not None


async def _scrub_outbox(
    s: AsyncSession, iid: str, views: _Views, user: UserId | None, texts: set[str]
) -> None:
    row = orm.OutboxRow
    found = await s.execute(
        select(row.id, row.kind, row.key, row.payload, row.status, row.external_ref, row.last_error)
        .where(row.intervention_id == iid)
        .order_by(row.id)
    )
    dropped: list[int] = []
    for r in found.all():
        payload: dict[str, Any] = dict(r.payload or {})
        if user is not None and _addressed_to(r.kind, payload, user):
            dropped.append(r.id)
            continue
        cleaned = payload
        if r.kind == "send" and r.status != "pending":
            cleaned = {"to": payload.get("to")}  # delivered (or given up): the address is enough
        elif r.kind == "open_space" and r.status != "pending":
            cleaned = {"subgroup": payload.get("subgroup")}
        else:
            cleaned = _walk(payload, views, user, texts)
        values: dict[str, Any] = {}
        if cleaned != payload:
            values["payload"] = cleaned
        if user is not None:
            for column in ("key", "external_ref", "last_error"):
                value = getattr(r, column)
                if value is not None and _names(value, user):
                    values[column] = None
        if values:
            await s.execute(update(row).where(row.id == r.id).values(**values))
    if dropped:
        await s.execute(delete(row).where(row.id.in_(dropped)))


def _walk(value: Any, views: _Views, user: UserId | None, texts: set[str]) -> Any:
    """A waiting row's payload without the person: syntheses computed again, their id out of
    member lists, their words out of relayed text."""
    if isinstance(value, dict):
        if value.get("__t") == "Synthesis":
            synthesis = cast(Synthesis, decode(value))
            return encode(views.without(synthesis)) if views.affects(synthesis) else value
        if value.get("__t") == "UserText" and value.get("text") in texts:
            return {**value, "text": ""}
        return {k: _walk(v, views, user, texts) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, views, user, texts) for v in value if user is None or v != user]
    if user is not None and value == user:
        return ""
    return value


async def _drop_line_messages(s: AsyncSession, state: Intervention, user: UserId) -> None:
    """Private-line messages of `user` still waiting for delivery: their way back (the
    token on each alert's reply button) unsealed with the thread's pad names them."""
    row = orm.OutboxRow
    found = await s.execute(
        select(row.id, row.payload).where(
            row.intervention_id == state.id, row.kind == "relay", row.status == "pending"
        )
    )
    pads = {t.number: t.pad for t in state.lines}
    dropped = []
    for row_id, payload in found.all():
        for button in ((payload or {}).get("message") or {}).get("buttons") or []:
            number, _, token = str(button.get("value", "")).partition(".")
            pad = pads.get(int(number)) if number.isdigit() else None
            if button.get("action") == "lreply" and pad and seal.unseal(token, pad) == user:
                dropped.append(row_id)
    if dropped:
        # Cancelled and emptied rather than deleted: a deleted row's id may be reused, and
        # with it a delivery key (a Discord nonce) of a message already sent.
        await s.execute(
            update(row).where(row.id.in_(dropped)).values(status="cancelled", payload={})
        )


async def _scrub_audit(s: AsyncSession, iid: str, user: UserId) -> None:
    """Decisions stay in the audit log; the erased person's id leaves it."""
    a = orm.AuditRow
    await s.execute(update(a).where(a.intervention_id == iid, a.actor == user).values(actor=""))
    found = await s.execute(select(a.id, a.target).where(a.intervention_id == iid))
    for row_id, target in found.all():
        if target and _names(target, user):
            cleaned = re.sub(rf"(?<![\w-]){re.escape(user)}(?![\w-])", "", target)
            await s.execute(update(a).where(a.id == row_id).values(target=cleaned))
