"""The facilitators' private notes and own words through the real runner and store (SQLite,
and PostgreSQL when configured): kept across loads, in every format of the facilitator's
report and in none of the group's, gone with the retention purge; the words a round was
asked in stay with it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from privacy_world import FAC, PrivacyWorld, open_world

from bot.core.events import CommandIssued
from bot.reports.exports import report_files
from bot.storage import orm
from bot.storage.store import SqlStore

NOTE = "Marc semble tendu lundi : lui parler avant le tour"
PING = "@everyone <!channel> @here rappel"


@pytest.fixture
async def world(store: SqlStore) -> AsyncIterator[PrivacyWorld]:
    url = store.engine.url.render_as_string(hide_password=False)
    w = await open_world(url, ("ana", "ben", "cleo"))
    yield w
    await w.app.store.close()


async def reports(w: PrivacyWorld) -> dict[tuple[str, str], str]:
    """Every report file, by audience and format, as text."""
    from bot.i18n.render import Reader
    from bot.reports.data import load_report

    data = await load_report(w.app.store, w.iid)
    assert data is not None
    out: dict[tuple[str, str], str] = {}
    for audience in ("group", "facilitator"):
        files = report_files(
            data, w.app.renderer, Reader("fr", "UTC", "vous"), audience, ("md", "csv", "html")
        )
        for f in files:
            out[(audience, f.name.rsplit(".", 1)[1])] = f.data.decode("utf-8-sig")
    return out


async def test_notes_are_in_every_facilitator_format_and_never_in_the_group_report(
    world: PrivacyWorld,
) -> None:
    w = world
    await w.cmd(f"note ajouter {NOTE}")
    await w.cmd("note ajouter Une deuxième, à supprimer")
    await w.cmd("note supprimer 2")
    kept = await w.state()
    assert [(n.number, n.text) for n in kept.notes] == [(1, NOTE)]
    files = await reports(w)
    for fmt in ("md", "csv", "html"):
        facilitator = files[("facilitator", fmt)]
        assert "Marc semble tendu lundi" in facilitator, fmt
        assert "deuxième" not in facilitator, fmt
        assert "Marc semble tendu" not in files[("group", fmt)], fmt


async def test_the_note_list_goes_to_the_facilitator_alone_and_pings_nobody(
    world: PrivacyWorld,
) -> None:
    w = world
    await w.cmd(f"note ajouter {PING}")
    refused = await w.cmd("note voir", user=w.people["ana"])
    assert all("rappel" not in r for r in refused)
    handled = await w.app.runner.handle(CommandIssued(w.meta(FAC), "note voir"))
    pinged = [seg for r in handled.replies for seg in r.segments if "@everyone" in seg.text]
    assert pinged and all(seg.relayed for seg in pinged)  # each platform makes it inert
    assert all("rappel" not in text for text in w.chat.seen_by("C1"))


async def test_notes_go_with_the_retention_purge(world: PrivacyWorld) -> None:
    w = world
    await w.cmd(f"note ajouter {NOTE}")
    await w.cmd("round open intake")
    for user in w.people.values():
        await w.answer(user, "trust.intake", {"trust.hope": "zq espoir"}, "group_anonymous")
    await w.cmd("close")
    assert (await w.state()).notes
    purged = await w.app.retention.purge(w.clock.now() + timedelta(days=400))
    assert purged == 1
    assert (await w.state()).notes == ()
    rows = await w.rows(orm.InterventionRow)
    assert all(r.notes is None for r in rows)


async def test_a_round_keeps_the_words_it_was_asked_in_across_loads(world: PrivacyWorld) -> None:
    w = world
    await w.cmd("tour texte attentes 1 fr: Qu'espérez-vous pour l'équipe ? en: Your hope?")
    await w.choose(FAC, "words", "yes")
    await w.cmd("tour question attentes échelle fr: Quelle énergie ce matin ?")
    await w.choose(FAC, "words", "yes")
    await w.cmd("round open intake")
    state = await w.state()
    rnd = state.rounds["trust.intake"]
    assert [dict(x.texts) for x in rnd.words.words] == [
        {"fr": "Qu'espérez-vous pour l'équipe ?", "en": "Your hope?"}
    ]
    assert [(q.key, q.kind) for q in rnd.words.questions] == [("own1", "scale")]
    assert state.wording.words == rnd.words.words
    await w.answer(w.people["ana"], "trust.intake", {"own1": 4}, "group_anonymous")
    assert any(r.prompt_key == "own1" for r in (await w.state()).responses.values())
