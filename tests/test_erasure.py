"""Erasure that is complete: after `forget` the person's id and the texts they wrote are in no
table, no byte of the SQLite files, no export and no outbox row; what was computed from their
answers is computed again without them; the audit log says an erasure happened, not whose."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from privacy_world import PrivacyWorld, open_world, tokens
from sqlalchemy import select

from bot.flows.curation import curated, draft
from bot.i18n.typography import typeset
from bot.reports.cli import export
from bot.storage import orm
from bot.storage.migrate import upgrade
from bot.storage.store import SqlStore

NAMES = ("ana", "ben", "cleo", "dan")


async def intervention_with_everything(w: PrivacyWorld) -> None:
    """Rounds whose syntheses quote ana (published, or only to the facilitator), a proposal of
    hers copied to the board, her profile, an action she owns, a timer and prompts waiting for
    her, delivered DMs to her: every place the store may hold her."""
    words = tokens()
    ana = w.people["ana"]
    team = next(words)
    w.said[team] = ana
    await w.cmd(f"profile equipe={team}", user=ana)
    await w.cmd("round open intake")
    for name in NAMES:
        hope = {"trust.hope": next(words), "trust.need": next(words)}
        await w.answer(w.people[name], "trust.intake", hope, "group_anonymous")
    await w.cmd("round close intake")
    await w.cmd("publish intake")
    await w.cmd("round open barometer")
    for name in ("ana", "ben", "cleo"):  # exactly k anonymous words: ana's erasure drops it under
        await w.answer(w.people[name], "trust.barometer", {"barometer.word": next(words)})
    await w.cmd("round close barometer")
    await w.cmd(f"board add obstacle {next(words)}")
    await w.cmd("step solutions")
    await w.cmd("round open proposals")
    for name in ("ana", "ben"):
        answers = {"solutions.obstacle": "1", "solutions.proposal": next(words)}
        await w.answer(w.people[name], "solutions.proposals", answers)
    await w.cmd("round close proposals")
    await w.cmd(f"action add <@{ana}> 2026-03-20 rédiger le compte rendu")
    await w.cmd("round open trust.barometer")  # its second run: ana says "not now", a timer waits
    await w.choose(ana, "notnow", "trust.barometer@2")


async def leftovers(store: SqlStore, needles: list[str]) -> list[tuple[str, str]]:
    """(table, needle) for every needle found in any column of any row of any table."""
    found = []
    async with store.sessions() as s:
        for table in orm.Base.metadata.sorted_tables:
            for row in (await s.execute(select(table))).all():
                text = repr(tuple(row))
                found += [(table.name, n) for n in needles if n in text]
    return found


async def exports(store: SqlStore, iid: str) -> str:
    url = store.engine.url.render_as_string(hide_password=False)
    # Both reports in every format: the erased person is in none of them.
    return "".join(
        [
            (await export(url, iid, fmt, None, audience)).decode()
            for fmt in ("md", "csv", "html")
            for audience in ("group", "facilitator")
        ]
    )


@pytest.fixture
async def world(store: SqlStore) -> PrivacyWorld:
    url = store.engine.url.render_as_string(hide_password=False)
    w = await open_world(url, NAMES)
    await intervention_with_everything(w)
    yield w  # type: ignore[misc]
    await w.app.store.close()


async def test_forget_leaves_the_person_in_no_table_and_no_export(world: PrivacyWorld) -> None:
    w = world
    ana = w.people["ana"]
    hers = w.texts_of(ana)
    assert len(hers) == 5  # four answers' words and her declared team
    assert await leftovers(w.app.store, [ana, hers[0]]), "the scan finds what is there"
    before_board = [b.text for b in (await w.state()).board]
    replies = await w.cmd("oublier", user=ana)
    # She is told what went (counted) and what stays, in her language.
    assert typeset("réponses effacées : 5", "fr") in replies[0]
    assert typeset("synthèses recalculées : 3", "fr") in replies[0]
    assert "restent tels quels" in replies[0]
    assert await leftovers(w.app.store, [ana, *hers]) == []
    text = await exports(w.app.store, w.iid)
    assert not [t for t in [ana, *hers] if t in text]
    # The others' words are still there: nothing was erased but hers.
    ben = w.texts_of(w.people["ben"])
    assert ben[0] in text and ben[1] in text
    state = await w.state()
    # The barometer fell under k: its words and its mean are no longer shown.
    word = next(p for p in state.syntheses["trust.barometer"].prompts if p.kind == "open")
    assert word.withheld and word.quotes == () and word.contributors == 2
    assert state.syntheses["trust.barometer"].answered == 2
    # Her proposal keeps its place on the board, not its words; the obstacle is untouched.
    after_board = [b.text for b in state.board]
    assert after_board == ["" if t in hers else t for t in before_board]
    assert "texte retiré à la demande" in text
    async with w.app.store.sessions() as s:
        audit = (await s.execute(select(orm.AuditRow.actor, orm.AuditRow.action))).all()
    assert ("", "erasure") in audit


def database_files(folder: Path, name: str) -> bytes:
    """The bytes of the database and of every file beside it (-wal, -shm, -journal)."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob(f"{name}.db*")) if p.is_file())


async def test_forget_leaves_nothing_in_the_sqlite_files(tmp_path: Path) -> None:
    for mode in ("delete", "wal"):
        path = tmp_path / f"{mode}.db"
        url = f"sqlite+aiosqlite:///{path}"
        await asyncio.to_thread(upgrade, url)
        with sqlite3.connect(path) as db:
            assert db.execute(f"PRAGMA journal_mode={mode}").fetchone()[0] == mode
        w = await open_world(url, NAMES)
        try:
            await intervention_with_everything(w)
            ana = w.people["ana"]
            needles = [ana, *w.texts_of(ana)]
            raw = database_files(tmp_path, mode)
            assert all(n.encode() in raw for n in needles)
            await w.cmd("forget", user=ana)
            if mode == "wal":
                assert path.with_name(f"{mode}.db-wal").stat().st_size == 0  # checkpointed
            raw = database_files(tmp_path, mode)
            assert [n for n in needles if n.encode() in raw] == [], mode
            ben = w.texts_of(w.people["ben"])[0]
            assert ben.encode() in raw  # the others' answers are still in the file
        finally:
            await w.app.store.close()


async def test_leaving_with_my_answers_erased(world: PrivacyWorld) -> None:
    w = world
    ana = w.people["ana"]
    hers = w.texts_of(ana)[1:]  # her answers (her declared team stays with her membership)
    await w.cmd("quitter", user=ana)
    assert "Les garder" in w.chat.seen_by(f"@{ana}")[-1]
    replies = await w.choose(ana, "contributions", "delete")
    assert typeset("réponses effacées : 5", "fr") in replies[0] and "/tst oublier" in replies[0]
    assert await leftovers(w.app.store, hers) == []
    assert not [t for t in hers if t in await exports(w.app.store, w.iid)]
    # She stays on the list of people who took part, as she was told.
    members = {p.user for p in await w.rows(orm.ParticipantRow)}
    assert ana in members


async def test_outbox_rows_keep_no_name_no_quote_once_delivered(world: PrivacyWorld) -> None:
    w = world
    ana = w.people["ana"]
    pending_to_her = [
        r for r in await w.outbox() if r.status == "pending" and ana in repr(r.payload)
    ]
    assert pending_to_her, "a timer and a prompt wait for her"
    await w.cmd("forget", user=ana)
    rows = await w.outbox()
    assert [r.id for r in rows if ana in repr((r.payload, r.key, r.external_ref))] == []
    delivered = [r for r in rows if r.kind == "send" and r.status == "done"]
    assert delivered and all(set(r.payload) == {"to"} for r in delivered)


async def test_a_redaction_of_erased_words_goes_with_them_and_the_rest_of_the_review_stays(
    store: SqlStore,
) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    w = await open_world(url, NAMES)
    words = tokens()
    said = {name: next(words) for name in NAMES}
    await w.cmd("round open intake")
    for name, text in said.items():
        await w.answer(w.people[name], "trust.intake", {"trust.hope": text}, "group_anonymous")
    await w.cmd("round close intake")
    drafted = draft((await w.state()).syntheses["trust.intake"])
    numbers = {q.text: q.number for q in drafted.prompts[0].quotes}
    anas_redaction, bens_redaction = next(words), next(words)
    await w.cmd(f"round edit intake {numbers[said['ana']]} {anas_redaction}")
    await w.cmd(f"round edit intake {numbers[said['ben']]} {bens_redaction}")
    assert await leftovers(w.app.store, [anas_redaction]), "the scan finds what is there"
    await w.cmd("oublier", user=w.people["ana"])
    assert await leftovers(w.app.store, [anas_redaction, said["ana"]]) == []
    kept = curated((await w.state()).syntheses["trust.intake"])
    assert [q.text for q in kept.prompts[0].quotes if q.edited] == [bens_redaction]
    await w.app.store.close()
