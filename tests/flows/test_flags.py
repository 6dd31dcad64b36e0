"""Flags on published items and their withdrawal, and what facilitators see of the safety
line (status, inbox, report), as a specification on the memory chat with the real runner,
dispatcher and store.

Anyone taking part may flag a published synthesis, board item or restatement, in private,
with an optional word; only a facilitator may take the item down (the bot edits its own
message and the stored text goes), and the audit log says "withdrawn", never what or who.
Nothing is removed by flags alone, and nobody is scored."""

from __future__ import annotations

from privacy_world import FAC, PrivacyWorld, open_world
from sqlalchemy import select

from bot.core.events import ChoiceMade, CommandIssued, NoteSubmitted
from bot.core.model import InterventionId
from bot.i18n.render import parse_action_id, reader_for
from bot.i18n.typography import typeset
from bot.reports.build import build
from bot.reports.data import load_report
from bot.reports.exports import render
from bot.storage import orm
from bot.storage.store import SqlStore

NAMES = ("ana", "ben", "cleo")
WORDS = ("zqhurtful", "zqsecond", "zqthird")


def flag_values(w: PrivacyWorld, where: str = "#C1") -> list[str]:
    return [
        parsed[2]
        for d in w.chat.log
        if d.where == where
        for b in d.message.buttons
        if (parsed := parse_action_id(b.action_id)) is not None and parsed[1] == "flag"
    ]


def request_buttons(w: PrivacyWorld, action: str) -> list[str]:
    return [
        parsed[2]
        for d in w.chat.log
        if d.where == f"@{FAC}"
        for b in d.message.buttons
        if (parsed := parse_action_id(b.action_id)) is not None and parsed[1] == action
    ]


async def published_intake(w: PrivacyWorld) -> None:
    await w.cmd("round open intake")
    for user, word in zip(w.people.values(), WORDS, strict=True):
        await w.answer(user, "trust.intake", {"trust.hope": word}, "group_anonymous")
    await w.cmd("round close intake")
    await w.cmd("publish intake")


async def report(w: PrivacyWorld) -> str:
    data = await load_report(w.app.store, w.iid)
    assert data is not None
    reader = reader_for(data.intervention, None)
    # Both reports: what the group may read and what the facilitator alone reads.
    return "\n".join(
        render(build(data, w.app.renderer, reader, audience), "md", w.app.renderer, reader).decode()
        for audience in ("group", "facilitator")
    )


async def test_a_flagged_synthesis_is_withdrawn_by_the_facilitator_only(store: SqlStore) -> None:
    w = await open_world(store.engine.url.render_as_string(hide_password=False), NAMES)
    try:
        await published_intake(w)
        posted = [d for d in w.chat.log if d.where == "#C1" and "zqhurtful" in d.message.plain()]
        assert len(posted) == 1 and flag_values(w) == ["synthesis:trust.intake"]
        ana, ben = w.people["ana"], w.people["ben"]
        told = await w.note(ana, "flag", "synthesis:trust.intake", "zqflagword", reason="contempt")
        assert "Rien n'est retiré automatiquement" in told[0]
        alert = w.chat.seen_by(f"@{FAC}")[-1]
        assert "mépris" in alert and "zqflagword" in alert and "sans nom" in alert
        assert "Ana" not in alert
        # Flags alone take nothing down, however many.
        await w.note(ben, "flag", "synthesis:trust.intake", "", reason="threat")
        await w.note(w.people["cleo"], "flag", "synthesis:trust.intake", "", reason="other")
        state = await w.state()
        assert state.syntheses["trust.intake"].prompts and not any(
            d.where.startswith("edit:") for d in w.chat.log
        )
        (first, *_) = request_buttons(w, "withdraw")
        refused = await w.choose(ben, "withdraw", first)
        assert "facilitation" in refused[0]
        done = await w.choose(FAC, "withdraw", first)
        assert "retiré" in done[0].lower()
        edits = [d for d in w.chat.log if d.where == f"edit:{posted[0].message_id}"]
        assert len(edits) == 1
        assert "retirée par" in edits[0].message.plain()
        assert not any(word in edits[0].message.plain() for word in WORDS)
        assert edits[0].message.buttons == (), "nothing left to flag"
        state = await w.state()
        assert state.syntheses["trust.intake"].withdrawn
        assert state.syntheses["trust.intake"].prompts == ()
        assert {r.status for r in state.requests} == {"withdrawn"}
        async with w.app.store.sessions() as s:
            bodies = [repr(b) for b in await s.scalars(select(orm.SynthesisRow.body))]
            audit = (
                await s.execute(
                    select(orm.AuditRow.actor, orm.AuditRow.action, orm.AuditRow.target)
                )
            ).all()
        assert not any(word in body for word in WORDS for body in bodies)
        assert (FAC, "withdrawn", "synthesis:trust.intake") in audit
        assert not any("zqflagword" in str(row) for row in audit)
        text = await report(w)
        assert "Synthèse retirée par la facilitation" in text
        assert not any(word in text for word in (*WORDS, "zqflagword"))
        again = await w.choose(FAC, "withdraw", first)
        assert "déjà retiré" in again[0]
    finally:
        await w.app.store.close()


async def test_a_board_item_is_withdrawn_from_every_posted_board(store: SqlStore) -> None:
    w = await open_world(store.engine.url.render_as_string(hide_password=False), NAMES)
    try:
        await w.cmd("board add obstacle zqdoxxing names a person's home")
        await w.cmd("board add obstacle zqkept the planning is unclear")
        await w.cmd("board show")
        await w.cmd("tableau voir")
        boards = [d for d in w.chat.log if d.where == "#C1" and "zqdoxxing" in d.message.plain()]
        assert len(boards) == 2 and set(flag_values(w)) == {"board"}
        await w.note(w.people["cleo"], "flag", "board:1", "", named=True, reason="doxxing")
        alert = w.chat.seen_by(f"@{FAC}")[-1]
        assert "zqdoxxing" in alert and "Cleo" in alert and "divulgation" in alert
        (rid,) = request_buttons(w, "withdraw")
        await w.choose(FAC, "withdraw", rid)
        for posted in boards:
            (edit,) = [d for d in w.chat.log if d.where == f"edit:{posted.message_id}"]
            shown = edit.message.plain()
            assert "zqdoxxing" not in shown and "zqkept" in shown
            assert "#1 (retiré par la facilitation)" in shown
        state = await w.state()
        assert [(b.text, b.status) for b in state.board] == [
            ("", "withdrawn"),
            (state.board[1].text, "open"),
        ]
        refused = await w.note(w.people["ana"], "flag", "board:1", "", reason="other")
        assert "ne peut pas être signalé" in refused[0]
        assert "zqdoxxing" not in await report(w)
    finally:
        await w.app.store.close()


async def test_a_withdrawn_synthesis_still_waiting_is_never_posted(store: SqlStore) -> None:
    w = await open_world(store.engine.url.render_as_string(hide_password=False), NAMES)
    try:
        await w.cmd("round open intake")
        for user, word in zip(w.people.values(), WORDS, strict=True):
            await w.answer(user, "trust.intake", {"trust.hope": word}, "group_anonymous")
        await w.cmd("round close intake")
        # Published, but not yet delivered (no dispatcher tick), when the flag comes in.
        await w.app.runner.handle(CommandIssued(w.meta(FAC), "publish intake"))
        flagged = NoteSubmitted(
            w.meta(w.people["ana"], None),
            InterventionId(w.iid),
            "flag",
            "synthesis:trust.intake",
            "",
            reason="harassment",
        )
        await w.app.runner.handle(flagged)
        withdrawn = ChoiceMade(w.meta(FAC, None), InterventionId(w.iid), "withdraw", "1")
        assert not (await w.app.runner.handle(withdrawn)).refused
        await w.app.dispatcher.drain()
        assert not any(word in text for word in WORDS for text in w.chat.seen_by("#C1"))
        waiting = [r for r in await w.outbox() if r.status == "cancelled"]
        assert waiting and all(repr(r.payload).count("zq") == 0 for r in waiting)
    finally:
        await w.app.store.close()


async def test_facilitators_see_counts_participants_see_nothing(store: SqlStore) -> None:
    w = await open_world(store.engine.url.render_as_string(hide_password=False), NAMES)
    try:
        await published_intake(w)
        ana, ben = w.people["ana"], w.people["ben"]
        await w.note(ana, "line", "", "zqline words")
        await w.cmd("tempsmort", user=ben)
        await w.note(ben, "flag", "synthesis:trust.intake", "zqword", reason="distress")
        mine = await w.cmd("statut", user=ana)
        assert not any("Ligne privée" in t for t in mine)
        status = await w.cmd("statut")
        (line,) = [t for t in status if "Ligne privée" in t]
        assert "1 fil, dont 1 en attente" in line and typeset("non traités : 1", "fr") in line
        assert typeset("Signalements à traiter : 1", "fr") in line
        inbox = await w.cmd("boite")
        assert typeset("Temps morts à traiter : 1", "fr") in inbox[0]
        assert any("Temps mort n° 1" in t for t in inbox)
        assert any("Signalement n° 2" in t and "détresse" in t for t in inbox)
        refused = await w.cmd("boite", user=ana)
        assert "facilitation" in refused[0]
        (pause_id,) = request_buttons(w, "pausenow")
        await w.choose(FAC, "pausenow", pause_id)
        assert (await w.state()).status == "paused"
        text = await report(w)
        for line in (
            "| Fils ouverts sur la ligne privée | 1 |",
            "| Messages reçus sur la ligne privée | 1 |",
            "| Réponses de la facilitation | 0 |",
            "| Temps morts demandés | 1 |",
            "| Pauses de la démarche | 1 |",
            "| Signalements | 1 |",
            "| Publications retirées après un signalement | 0 |",
        ):
            assert line in text, line
        assert not any(s in text for s in ("zqline", "zqword", "Ana", "Ben"))
    finally:
        await w.app.store.close()
