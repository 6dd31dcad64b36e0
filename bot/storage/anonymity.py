"""Anonymity as a storage property: random answer ids, and each round's answers re-sealed at close.

What someone holding a copy of the database (or its files) could use to tie an anonymous answer
to a person or to the platform event that carried it, and what removes it:

- An id derived from the event (it was `uuid5(event id)`, joinable to `processed_events`): every
  answer gets a random id when first written (`fresh_ids`), whatever id the engine used.
- Order and time. A text-keyed table is still stored in insertion order (SQLite's rowid,
  PostgreSQL's heap order and its `xmin` column, the transaction that also wrote the event's
  dedupe row and any outbox row of that event), and so are the index entries that share a key.
  While a round is open that order exists, and so does the author link, which the engine needs
  for edits and reminders. When the round closes (`reseal`), all of its answers are deleted and
  written again in one transaction, in a random order, with new random ids: what survives is
  "this answer belongs to this round", nothing finer. Answers have no timestamp of their own.
  SQLite's `secure_delete` (set on every connection) zeroes the deleted copies in the file.
- The author link (`response_authors`) is the one link the design keeps, for the author's
  edits until close and for erasure; it is rewritten too, in an order of its own. With
  "anonymous to the facilitator too" (`Intervention.anonymity == "full"`) the links of a
  closed round's group-anonymous answers are not written back: from then on nobody (the
  facilitator, the operator, this code) can say who wrote them, which is also why they can no
  longer be edited or individually erased. Answers given with a name keep their link.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Collection, Mapping

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import orm

# A source of randomness the database holder cannot replay (not seeded, not derived from ids).
_RANDOM = secrets.SystemRandom()


def fresh_ids(new: Collection[str]) -> Mapping[str, str]:
    """A random id for each answer written for the first time (keyed by the engine's id)."""
    return {rid: str(uuid.uuid4()) for rid in new}


async def reseal(session: AsyncSession, iid: str, round_keys: Collection[str], full: bool) -> None:
    """Rewrite the answers of rounds that just closed: new random ids, random order, one
    transaction; with `full` anonymity the group-anonymous ones lose their author link."""
    if not round_keys:
        return
    r = orm.ResponseRow
    # Plain columns, not ORM objects: nothing of the old rows stays in the session.
    rows = (
        await session.execute(
            select(
                r.id,
                r.round_key,
                r.prompt_key,
                r.value,
                r.visibility,
                r.skipped,
                r.subgroup,
                r.attributed_to,
            ).where(r.intervention_id == iid, r.round_key.in_(round_keys))
        )
    ).all()
    if not rows:
        return
    old_ids = [row.id for row in rows]
    authors = dict(
        (
            await session.execute(
                select(orm.ResponseAuthorRow.response_id, orm.ResponseAuthorRow.author).where(
                    orm.ResponseAuthorRow.response_id.in_(old_ids)
                )
            )
        ).all()
    )
    answers = [
        {
            "id": str(uuid.uuid4()),
            "intervention_id": iid,
            "round_key": row.round_key,
            "prompt_key": row.prompt_key,
            "value": row.value,
            "visibility": row.visibility,
            "skipped": row.skipped,
            "subgroup": row.subgroup,
            "attributed_to": row.attributed_to,
            "author": authors.get(row.id),
        }
        for row in rows
    ]
    await session.execute(
        delete(orm.ResponseAuthorRow).where(orm.ResponseAuthorRow.response_id.in_(old_ids))
    )
    await session.execute(delete(r).where(r.id.in_(old_ids)))
    _RANDOM.shuffle(answers)
    links = [
        {"response_id": a["id"], "intervention_id": iid, "author": a["author"]}
        for a in answers
        if a["author"] is not None and not (full and a["visibility"] == "group_anonymous")
    ]
    _RANDOM.shuffle(links)
    await session.execute(
        insert(orm.ResponseRow), [{k: v for k, v in a.items() if k != "author"} for a in answers]
    )
    if links:
        await session.execute(insert(orm.ResponseAuthorRow), links)
