"""Erasure in a conflict space: `forget` takes the person out of their party and removes
their positions and restatements from the store, and from messages still on their way."""

from __future__ import annotations

from privacy_world import PrivacyWorld, open_world
from test_erasure import leftovers

from bot.core.events import NoteSubmitted
from bot.core.model import InterventionId
from bot.storage.store import SqlStore

NAMES = ("ana", "ben", "cleo", "dan")
POSITION, RESTATED = "zqpositionana", "zqrestatementana"


async def test_forget_removes_positions_and_restatements_even_on_their_way(
    store: SqlStore,
) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    w: PrivacyWorld = await open_world(url, NAMES)
    try:
        ana, ben = w.people["ana"], w.people["ben"]
        await w.cmd(f"groupes conflit les astreintes | Support <@{ana}> | Dév <@{ben}>")
        await w.note(ana, "cposition", "1", POSITION)
        await w.note(ben, "cposition", "1", "zqpositionben")
        assert any(POSITION in d.message.plain() for d in w.chat.log if d.where == f"@{ben}")
        # Her restatement is written but not yet delivered when she asks to be forgotten.
        await w.app.runner.handle(
            NoteSubmitted(w.meta(ana, None), InterventionId(w.iid), "crestate", "1.1", RESTATED)
        )
        await w.cmd("oublier", user=ana)
        assert not any(RESTATED in d.message.plain() for d in w.chat.log)
        assert await leftovers(w.app.store, [ana, POSITION, RESTATED]) == []
        state = await w.state()
        (space,) = state.conflicts
        assert [p.members for p in space.parties] == [(), (ben,)]
        assert [s.text for s in space.statements] == ["zqpositionben"]
    finally:
        await w.app.store.close()


async def test_my_data_holds_what_i_wrote_in_a_conflict_space(store: SqlStore) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    w: PrivacyWorld = await open_world(url, NAMES)
    try:
        ana, ben = w.people["ana"], w.people["ben"]
        await w.cmd(f"groupes conflit les astreintes | Support <@{ana}> | Dév <@{ben}>")
        await w.note(ana, "cposition", "1", POSITION)
        await w.note(ben, "cposition", "1", "zqpositionben")
        await w.note(ana, "crestate", "1.1", RESTATED)
        seen = len(w.chat.log)
        await w.cmd("mesdonnees", user=ana)
        mine = "\n".join(d.message.plain() for d in w.chat.log[seen:] if d.where == f"@{ana}")
        assert POSITION in mine and RESTATED in mine
        assert "zqpositionben" not in mine  # only what she wrote herself
    finally:
        await w.app.store.close()
