"""Migration 0004 on a database written before it: answers whose ids came from their platform
event get random ones, their author links follow them, nothing else changes."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text

from bot.storage.migrate import upgrade
from bot.storage.store import make_engine

NAMESPACE = uuid.UUID("6f1c2a52-7d0e-4d43-9a55-6f0b5a1d2c11")  # what 0003's answers used


async def test_answers_written_before_0004_are_re_keyed(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url, "0003")
    old = {
        str(uuid.uuid5(NAMESPACE, f"slack:cmd:{n}:trust.hope")): (f"hope {n}", f"U{n}")
        for n in range(5)
    }
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO interventions (id, platform, workspace, channel, title, status,"
                    " locale, timezone, address_form, k_anonymity_min, created_at, version)"
                    " VALUES ('i1', 'slack', 'T1', 'C1', 'T', 'active', 'fr', 'Europe/Paris',"
                    " 'vous', 3, '2026-03-02 08:00:00', 1)"
                )
            )
            for rid, (value, author) in old.items():
                await conn.execute(
                    text(
                        "INSERT INTO responses (id, intervention_id, round_key, prompt_key,"
                        " value, visibility, skipped) VALUES (:id, 'i1', 'trust.intake',"
                        " 'trust.hope', :value, 'group_anonymous', false)"
                    ),
                    {"id": rid, "value": f'"{value}"'},
                )
                await conn.execute(
                    text(
                        "INSERT INTO response_authors (response_id, intervention_id, author)"
                        " VALUES (:id, 'i1', :author)"
                    ),
                    {"id": rid, "author": author},
                )
        await asyncio.to_thread(upgrade, database_url)
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT r.id, r.value, a.author FROM responses r"
                        " JOIN response_authors a ON a.response_id = r.id"
                    )
                )
            ).all()
            anonymity = await conn.scalar(text("SELECT anonymity FROM interventions"))
    finally:
        await engine.dispose()
    assert anonymity == "group"
    assert not {r.id for r in rows} & set(old)
    assert all(uuid.UUID(r.id).version == 4 for r in rows)
    assert sorted((str(r.value).strip('"'), r.author) for r in rows) == sorted(old.values())
