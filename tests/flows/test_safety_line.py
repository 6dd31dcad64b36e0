"""The private line, as a specification, on the memory chat with the real runner, dispatcher
and store (SQLite, and PostgreSQL when configured).

An anonymous exchange goes both ways (a participant writes, the facilitator answers through
the bot, the participant answers back) and then the channel, the three exports, every row of
the database (and its file) and the log, everything at DEBUG, are searched for what was said
and for the writer: what was said is nowhere, and nothing written during the exchange names
the writer."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from debug_logs import everything_at_debug, leaks, line_of
from privacy_world import FAC, PrivacyWorld, open_world
from sqlalchemy import select
from test_erasure import database_files

from bot.core.events import NoteSubmitted
from bot.core.model import InterventionId, UserId
from bot.i18n.render import parse_action_id, reader_for
from bot.reports.build import build
from bot.reports.data import load_report
from bot.reports.exports import FORMATS, render
from bot.storage import orm
from bot.storage.store import SqlStore

NAMES = ("ana", "ben", "cleo")
SAID = "zqlinewords I am not OK with what happened on Tuesday"
ANSWER = "zqanswerwords Thank you for telling me; shall we talk tomorrow?"
AGAIN = "zqagainwords Yes, at ten."


def buttons(w: PrivacyWorld, user: str, action: str) -> list[str]:
    """The values of `action` buttons in `user`'s private messages, oldest first."""
    found = []
    for d in w.chat.log:
        if d.where != f"@{user}":
            continue
        for b in d.message.buttons:
            parsed = parse_action_id(b.action_id)
            if parsed is not None and parsed[1] == action:
                found.append(parsed[2])
    return found


def dms(w: PrivacyWorld, user: str) -> list[str]:
    return w.chat.seen_by(f"@{user}")


async def snapshot(w: PrivacyWorld) -> set[tuple[str, str]]:
    """Every row of every table, as text."""
    rows: set[tuple[str, str]] = set()
    async with w.app.store.sessions() as s:
        for table in orm.Base.metadata.sorted_tables:
            for row in (await s.execute(select(table))).all():
                rows.add((table.name, repr(tuple(row))))
    return rows


async def exports(w: PrivacyWorld) -> str:
    data = await load_report(w.app.store, w.iid)
    assert data is not None
    reader = reader_for(data.intervention, None)
    # Both reports, every format: the facilitator's holds the safety counts, never more.
    return "\n".join(
        render(build(data, w.app.renderer, reader, audience), fmt, w.app.renderer, reader).decode()
        for audience in ("group", "facilitator")
        for fmt in FORMATS
    )


async def test_an_anonymous_exchange_both_ways_leaves_nothing_behind(
    store: SqlStore, caplog: pytest.LogCaptureFixture, database_url: str
) -> None:
    caplog.set_level(logging.DEBUG)
    url = store.engine.url.render_as_string(hide_password=False)
    with everything_at_debug():
        w = await open_world(url, NAMES, k=2)
        try:
            ana = w.people["ana"]
            await w.cmd("round open intake")
            await w.answer(ana, "trust.intake", {"trust.hope": "zqkept"}, "group_anonymous")
            ben = w.people["ben"]
            await w.answer(ben, "trust.intake", {"trust.hope": "zqalso"}, "group_anonymous")
            before = await snapshot(w)
            first = len(caplog.records)

            told = await w.note(ana, "line", "", SAID)
            assert told and "sans votre nom" in told[0]
            alert = dms(w, FAC)[-1]
            assert SAID in alert and "sans nom" in alert
            assert ana not in alert and "Ana" not in alert
            (way_back,) = buttons(w, FAC, "lreply")
            assert ana not in way_back

            await w.note(FAC, "lreply", way_back, ANSWER)
            assert ANSWER in dms(w, ana)[-1]
            (own,) = buttons(w, ana, "lwrite")
            await w.note(ana, "line", own, AGAIN)
            assert AGAIN in dms(w, FAC)[-1] and "n° 1" in dms(w, FAC)[-1]

            during = caplog.records[first:]
            after = await snapshot(w)
            await w.cmd("round close intake")
            await w.cmd("publish intake")
            exported = await exports(w)
            state = await w.state()
        finally:
            await w.app.store.close()

    words = (SAID, ANSWER, AGAIN)
    assert all(t not in text for t in words for text in w.chat.seen_by("#C1"))
    assert all(t not in exported for t in words)
    assert "zqkept" in exported, "the exports do hold the group's answers"
    assert not [r for r in after if any(t in r[1] for t in words)], "what was said is stored"
    written = after - before
    tables = {"interventions", "line_threads", "processed_events", "outbox"}
    assert {table for table, _ in written} <= tables
    assert not [r for r in written if ana in r[1] or "Ana" in r[1]], "the writer is stored"
    relayed = [r for r in await w.outbox() if r.kind == "relay"]
    assert len(relayed) == 3, "the three messages were relayed"
    assert all(r.payload == {} and r.external_ref is None for r in relayed), "a relay kept"
    assert leaks(caplog.records, dict.fromkeys(words, ana), w.people.values()) == []
    assert not [line_of(r) for r in during if ana in line_of(r)], "the writer is in the log"
    if database_url.startswith("sqlite"):
        db = Path(database_url.split("///", 1)[1])
        raw = database_files(db.parent, db.stem)
        assert all(t.encode() not in raw for t in words), "what was said is in the file"
    # The thread itself keeps counts only, and the way back is gone once the process ends.
    assert [(t.number, t.received, t.answered) for t in state.lines] == [(1, 2, 1)]


async def test_the_facilitator_reads_a_name_only_when_the_writer_gives_it(store: SqlStore) -> None:
    w = await open_world(store.engine.url.render_as_string(hide_password=False), NAMES)
    try:
        ben = w.people["ben"]
        told = await w.note(ben, "line", "", "zqnamed I would like to talk", named=True)
        assert "avec votre nom" in told[0]
        assert "Ben" in dms(w, FAC)[-1]
        await w.cmd("parler nom zqcmd par la commande", user=ben)
        assert "zqcmd" in dms(w, FAC)[-1] and "Ben" in dms(w, FAC)[-1]
        await w.cmd("parler zqquiet sans mon nom", user=ben)
        assert "zqquiet" in dms(w, FAC)[-1] and "Ben" not in dms(w, FAC)[-1]
    finally:
        await w.app.store.close()


async def test_nobody_else_can_continue_or_answer_a_thread(store: SqlStore) -> None:
    w = await open_world(store.engine.url.render_as_string(hide_password=False), NAMES)
    try:
        ana, ben = w.people["ana"], w.people["ben"]
        await w.note(ana, "line", "", "zqfirst")
        (way_back,) = buttons(w, FAC, "lreply")
        await w.note(FAC, "lreply", way_back, "zqreply")
        (own,) = buttons(w, ana, "lwrite")
        seen = len(w.chat.log)
        # Ben holds neither Ana's capability nor a facilitator's role.
        refused = await w.note(ben, "line", own, "zqimpostor")
        assert "plus ouvert" in refused[0]
        refused = await w.note(ben, "lreply", way_back, "zqimpostor")
        assert "facilitation" in refused[0]
        number, _, token = way_back.partition(".")
        forged = f"{number}.{token[:-2]}AA"
        refused = await w.note(FAC, "lreply", forged, "zqforged")
        assert "plus ouvert" in refused[0]
        assert len(w.chat.log) == seen, "a refused note went somewhere"
    finally:
        await w.app.store.close()


async def test_closing_the_intervention_cuts_every_way_back(store: SqlStore) -> None:
    w = await open_world(store.engine.url.render_as_string(hide_password=False), NAMES)
    try:
        await w.note(w.people["ana"], "line", "", "zqbefore")
        (way_back,) = buttons(w, FAC, "lreply")
        await w.cmd("close")
        state = await w.state()
        assert [t.pad for t in state.lines] == [""]
        refused = await w.note(FAC, "lreply", way_back, "zqtoo late")
        assert refused and "terminée" in refused[0]
        rows = await w.rows(orm.LineThreadRow)
        assert [r.pad for r in rows] == [""]
    finally:
        await w.app.store.close()


async def test_the_help_the_contract_names_is_shown_never_invented(store: SqlStore) -> None:
    w = await open_world(store.engine.url.render_as_string(hide_password=False), NAMES)
    try:
        ana = w.people["ana"]
        told = await w.cmd("aide", user=ana)
        assert not any("Contacts" in t for t in told), "help shown that nobody configured"
        assert any("ligne privée" in t for t in told)
        refused = await w.cmd("contrat aide fr Médecine du travail, 01 23 45 67 89", user=ana)
        assert "facilitation" in refused[0]
        await w.cmd("contrat aide fr Médecine du travail, 01 23 45 67 89")
        await w.cmd("contract help en Occupational health, 01 23 45 67 89")
        told = await w.cmd("aide", user=ana)
        assert any("Médecine du travail" in t for t in told)
        assert not any("Occupational" in t for t in told), "the reader's own language first"
        await w.cmd("lang en", user=ana)
        told = await w.note(ana, "line", "", "zqhelp")
        assert any("Occupational health" in t for t in told)
        await w.cmd("contrat aide fr")
        assert (await w.state()).help == {"en": "Occupational health, 01 23 45 67 89"}
    finally:
        await w.app.store.close()


async def test_forgetting_oneself_drops_line_messages_still_on_their_way(store: SqlStore) -> None:
    w = await open_world(store.engine.url.render_as_string(hide_password=False), NAMES)
    try:
        ana = w.people["ana"]
        w.chat.unreachable.add(UserId(FAC))  # held back: the facilitator's DMs are closed
        await w.note(ana, "line", "", "zqpending")
        w.chat.unreachable.clear()
        outbox = [r for r in await w.outbox() if r.kind == "relay"]
        assert len(outbox) == 1 and outbox[0].status == "dead"
        assert outbox[0].payload == {}, "a dead letter keeps what it carried"
        # A message waiting (not yet tried) goes with the person who wrote it.
        event = NoteSubmitted(w.meta(ana, None), InterventionId(w.iid), "line", "", "zqwaiting")
        await w.app.runner.handle(event)  # not delivered yet: no dispatcher tick
        assert "pending" in [r.status for r in await w.outbox() if r.kind == "relay"]
        await w.cmd("forget", user=ana)
        left = sorted((r.status, repr(r.payload)) for r in await w.outbox() if r.kind == "relay")
        assert left == [("cancelled", "{}"), ("dead", "{}")]
    finally:
        await w.app.store.close()
