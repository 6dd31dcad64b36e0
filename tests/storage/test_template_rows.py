"""Templates through the real runner and store (SQLite, and PostgreSQL when configured):
saved per workspace, replaced by name, and read back to start another intervention."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from privacy_world import FAC, PrivacyWorld, open_world

from bot.storage import orm
from bot.storage.store import SqlStore


@pytest.fixture
async def world(store: SqlStore) -> AsyncIterator[PrivacyWorld]:
    url = store.engine.url.render_as_string(hide_password=False)
    w = await open_world(url, ("ana", "ben", "cleo"))
    yield w
    await w.app.store.close()


async def test_a_template_saved_in_one_channel_starts_another(world: PrivacyWorld) -> None:
    w = world
    await w.cmd("tour question attentes fr: Qu'aimeriez-vous fêter ?")
    await w.choose(FAC, "words", "yes")
    await w.cmd("note ajouter Ben semble fatigué")
    said = await w.cmd("modèle enregistrer Retour terrain")
    assert any("Retour terrain" in s for s in said), said
    again = await w.cmd("modele enregistrer retour TERRAIN")  # the same name, folded
    assert any("remplacé" in s for s in again), again
    rows = await w.rows(orm.TemplateRow)
    assert [(r.name, r.workspace) for r in rows] == [("retour terrain", "W")]
    assert "fatigué" not in repr(rows[0].body) and FAC not in repr(rows[0].body)
    first = w.iid
    started = await w.cmd("démarrer Équipe de nuit --depuis retour terrain", channel="C2")
    assert any("retour terrain" in s for s in started), started
    assert w.iid != first
    state = await w.state()
    assert state.title == "Équipe de nuit"
    assert [q.texts for q in state.wording.questions] == [(("fr", "Qu'aimeriez-vous fêter ?"),)]
    assert state.notes == ()
    listed = await w.cmd("modele voir", channel="C2")
    assert any("retour TERRAIN" in s for s in listed), listed  # the name last saved


async def test_a_deleted_template_is_gone_from_the_workspace_and_starts_nothing(
    world: PrivacyWorld,
) -> None:
    w = world
    await w.cmd("modèle enregistrer Retour terrain")
    said = await w.cmd("modele supprimer retour TERRAIN")
    assert any("supprimé" in s for s in said), said
    assert await w.rows(orm.TemplateRow) == []
    assert any("Aucun modèle" in s for s in await w.cmd("modele voir"))
    refused = await w.cmd("démarrer Nuit --depuis retour terrain", channel="C2")
    assert any("Pas de modèle" in s for s in refused), refused
