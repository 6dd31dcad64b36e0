"""The answers of the aggregate: random ids when first stored, author links beside them.

Only the answers of open rounds belong to the loaded aggregate (the engine needs their
authors for edits and reminders); closed rounds' answers are re-sealed at close and read only
by reports (bot/storage/anonymity.py says what storage does for anonymity).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.model import Intervention, Response, ResponseId
from bot.core.overlay import GONE, Gone, changes, put_all
from bot.storage import orm
from bot.storage.anonymity import fresh_ids
from bot.storage.mapper import response, response_row


def with_fresh_ids(before: Intervention | None, after: Intervention) -> Intervention:
    """`after` with a random id for each answer not stored yet (never the engine's id, which
    derives from the platform event that carried the answer)."""
    known = before.responses if before is not None else {}
    changed, _ = changes(known, after.responses)
    fresh = fresh_ids([rid for rid in changed if rid not in known])
    if not fresh:
        return after
    renamed: list[tuple[ResponseId, Response | Gone]] = []
    for rid, new_id in fresh.items():
        stored = ResponseId(new_id)
        renamed.append((ResponseId(rid), GONE))
        renamed.append((stored, replace(changed[ResponseId(rid)], id=stored)))
    return replace(after, responses=put_all(after.responses, renamed))


async def read_open(
    s: AsyncSession, iid: str, open_rounds: Collection[str]
) -> dict[ResponseId, Response]:
    """The answers of the open rounds with their authors: the one join of an answer to a person."""
    if not open_rounds:
        return {}
    answer = orm.ResponseRow
    query = (
        select(*answer.__table__.columns, orm.ResponseAuthorRow.author)
        .join(orm.ResponseAuthorRow, orm.ResponseAuthorRow.response_id == answer.id)
        .where(answer.intervention_id == iid, answer.round_key.in_(open_rounds))
    )
    found = (await s.execute(query)).all()
    return {ResponseId(row.id): response(row, row.author) for row in found}


async def write(
    s: AsyncSession,
    iid: str,
    old: Mapping[ResponseId, Response],
    new: Mapping[ResponseId, Response],
) -> None:
    """Insert new answers with their author links and update edited ones, each in one
    statement. Answers are never deleted here: only erasure, retention and the re-sealing of
    a closing round remove them."""
    inserts: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    changed, _ = changes(old, new)  # from the deltas: O(answers changed), not O(answers)
    for rid, answer in changed.items():
        if rid not in old:
            inserts.append({"intervention_id": iid, **response_row(answer)})
            links.append({"response_id": rid, "intervention_id": iid, "author": answer.author})
        else:
            updates.append(response_row(answer))
    if inserts:
        await s.execute(insert(orm.ResponseRow), inserts)
        await s.execute(insert(orm.ResponseAuthorRow), links)
    if updates:
        await s.execute(update(orm.ResponseRow), updates)  # by primary key
