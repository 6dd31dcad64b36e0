"""The facilitator's live page shows each conflict space as `/tst groupes espaces` does: who
has spoken counted by party and where each restatement loop stands, never a word written in
the space nor a name."""

from __future__ import annotations

import re

from engine_helpers import Session

from bot.core.events import NoteSubmitted
from bot.flows.tst import tst_flow
from bot.i18n.catalog import Catalog
from bot.i18n.render import Reader, Renderer
from bot.storage.store import SqlStore
from bot.web.html import Pages
from bot.web.tokens import Pass
from bot.web.views import dashboard


async def test_the_live_page_shows_counts_by_party_and_each_loop(store: SqlStore) -> None:
    s = Session()
    s.group_with("ana", "ben", "cleo")
    s.cmd("groupes conflit les astreintes | Support <@ana> <@ben> | Dév <@cleo>")
    assert s.state is not None
    iid = s.state.id
    for user, action, value, text in (
        ("ana", "cposition", "1", "Nos nuits blanches"),
        ("cleo", "cposition", "1", "Nos réveils à 3 h"),
        ("ana", "crestate", "1.1", "Vous êtes réveillés"),
    ):
        s.feed(NoteSubmitted(s.meta(user, None), iid, action, value, text))
    async with store.unit() as uow:
        state = await uow.save(None, s.state, 0)
    renderer, reader = Renderer(Catalog.load(), tst_flow()), Reader("fr", "UTC", "vous")
    board = await dashboard(store, renderer, state, reader)
    page = Pages(renderer, "fr").intervention(
        Pass("dashboard", "memory", "W1", "fac", "fr", 2_000_000_000, "n"), "csrf", board, ()
    )
    assert page.text is not None
    html = re.sub(r"[\u00a0\u202f]", " ", page.text)
    assert "Espaces de conflit" in html and "les astreintes" in html
    assert "« Support » : membres qui se sont exprimés : 1 sur 2." in html
    assert "« Dév » : membres qui se sont exprimés : 1 sur 1." in html
    assert "« Support » reformule « Dév » : en attente de la réponse (essai 1)." in html
    assert "« Dév » reformule « Support » : à reformuler (essais : 0)." in html
    for written in ("Nos nuits blanches", "Nos réveils", "Vous êtes réveillés"):
        assert written not in html
