"""Anonymity as a storage property, read as someone with a copy of the database would: no
answer id leads to its platform event, nothing finer than its round survives the round's
close (insertion order, SQLite rowid, PostgreSQL heap order and xmin), and with "anonymous to
the facilitator too" no link to the author survives either."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from privacy_world import PrivacyWorld, open_world, tokens
from sqlalchemy import select, text

from bot.flows.rounds import ANSWER_NAMESPACE
from bot.i18n.typography import typeset
from bot.storage import orm
from bot.storage.store import SqlStore

TWELVE = tuple(f"p{n:02d}" for n in range(12))


@pytest.fixture
async def world(store: SqlStore) -> AsyncIterator[PrivacyWorld]:
    url = store.engine.url.render_as_string(hide_password=False)
    w = await open_world(url, TWELVE)
    yield w
    await w.app.store.close()


async def answer_intake(w: PrivacyWorld) -> list[str]:
    """Everyone answers in turn, anonymously; the texts in the order they were given."""
    await w.cmd("round open intake")
    words = tokens()
    given = []
    for name in TWELVE:
        hope = next(words)
        given.append(hope)
        await w.answer(w.people[name], "trust.intake", {"trust.hope": hope}, "group_anonymous")
    return given


async def physical_order(w: PrivacyWorld) -> list[tuple[str, str, str]]:
    """(id, value, transaction) of each answer in the order the database stores them."""
    async with w.app.store.sessions() as s:
        if w.app.store.engine.dialect.name == "sqlite":
            rows = await s.execute(text("SELECT id, value, '' FROM responses ORDER BY rowid"))
        else:
            rows = await s.execute(
                text("SELECT id, value::text, xmin::text FROM responses ORDER BY ctid")
            )
        return [(i, str(v).strip('"'), x) for i, v, x in rows.all()]


async def test_an_answer_id_is_random_and_leads_to_no_event(world: PrivacyWorld) -> None:
    await answer_intake(world)
    async with world.app.store.sessions() as s:
        ids = set(await s.scalars(select(orm.ResponseRow.id)))
        events = set(await s.scalars(select(orm.ProcessedEventRow.event_id)))
    assert len(ids) == 12
    assert all(uuid.UUID(i).version == 4 for i in ids)
    # What the ids used to be (uuid5 of the event): none of them, for no event at all.
    derivable = {
        str(uuid.uuid5(ANSWER_NAMESPACE, f"memory:{event}:trust.hope")) for event in events
    }
    assert not ids & derivable


async def test_closing_a_round_leaves_nothing_finer_than_the_round(world: PrivacyWorld) -> None:
    given = await answer_intake(world)
    before = await physical_order(world)
    assert [v for _i, v, _x in before] == given  # while open, storage order is answer order
    await world.cmd("round close intake")
    after = await physical_order(world)
    assert sorted(v for _i, v, _x in after) == sorted(given)
    assert not {i for i, _v, _x in before} & {i for i, _v, _x in after}, "ids were renewed"
    # Twelve answers back in their order by chance: about one chance in 479 million.
    assert [v for _i, v, _x in after] != given
    if world.app.store.engine.dialect.name == "postgresql":
        async with world.app.store.sessions() as s:
            links = set(await s.scalars(text("SELECT xmin::text FROM response_authors")))
        answered_in = {x for _i, _v, x in before}
        written_by = {x for _i, _v, x in after}
        # While open, each answer carries its own transaction (the one that also recorded its
        # event, in a savepoint whose id follows it): time order, for whoever reads xmin.
        # After close one transaction, the close's own, wrote them all and their links.
        assert len(answered_in) == 12
        assert len(written_by) == 1 and links == written_by
        assert not written_by & answered_in


async def test_the_author_link_is_rewritten_with_the_answers(world: PrivacyWorld) -> None:
    await answer_intake(world)
    await world.cmd("round close intake")
    async with world.app.store.sessions() as s:
        linked = dict(
            (
                await s.execute(
                    select(orm.ResponseRow.value, orm.ResponseAuthorRow.author).join(
                        orm.ResponseAuthorRow,
                        orm.ResponseAuthorRow.response_id == orm.ResponseRow.id,
                    )
                )
            ).all()
        )
    # Group anonymity keeps the one link the design needs (edits, erasure), intact.
    assert linked == {text: author for text, author in world.said.items()}


async def test_with_full_anonymity_a_closed_round_keeps_no_link_to_anonymous_authors(
    store: SqlStore,
) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    w = await open_world(url, ("ana", "ben", "cleo", "dan"), start="start Équipe anonymat=total")
    try:
        ana, ben = w.people["ana"], w.people["ben"]
        frame = w.chat.seen_by(f"@{ana}")[0]
        assert "anonymat total" in frame and "ne peuvent plus être modifiées ni effacées" in frame
        await w.cmd("round open intake")
        words = tokens()
        # The intake's default is "facilitator, with my name": these three chose the group.
        for name in ("ana", "cleo", "dan"):
            hope = {"trust.hope": next(words)}
            await w.answer(w.people[name], "trust.intake", hope, "group_anonymous")
        await w.answer(ana, "trust.intake", {"trust.worry": next(words)}, "group_anonymous")
        named = next(words)
        await w.answer(ben, "trust.intake", {"trust.hope": named}, "facilitator")
        async with w.app.store.sessions() as s:
            open_links = set(await s.scalars(select(orm.ResponseAuthorRow.author)))
        assert open_links == {ana, ben, w.people["cleo"], w.people["dan"]}  # edits until close
        await w.cmd("round close intake")
        async with w.app.store.sessions() as s:
            links = list(await s.scalars(select(orm.ResponseAuthorRow.author)))
            values = set(await s.scalars(select(orm.ResponseRow.value)))
        assert links == [ben], "only the answer given with a name keeps its author"
        assert set(w.said) <= values
        # ana can no longer find her anonymous answers, and is told so plainly.
        await w.cmd("mydata", user=ana)
        assert "ne sont plus reliées à vous" in w.chat.seen_by(f"@{ana}")[-1]
        replies = await w.cmd("forget", user=ana)
        assert (
            typeset("réponses effacées : 0", "fr") in replies[0] and "Anonymat total" in replies[0]
        )
        async with w.app.store.sessions() as s:
            values = set(await s.scalars(select(orm.ResponseRow.value)))
        assert set(w.texts_of(ana)) <= values
        # ben's named answer is still his to erase.
        replies = await w.cmd("forget", user=ben)
        assert typeset("réponses effacées : 1", "fr") in replies[0]
        async with w.app.store.sessions() as s:
            values = set(await s.scalars(select(orm.ResponseRow.value)))
        assert named not in values
    finally:
        await w.app.store.close()


async def test_the_anonymity_choice_changes_only_before_the_first_round(store: SqlStore) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    w = await open_world(url, ("ana", "ben", "cleo"))
    try:
        ana = w.people["ana"]
        assert (await w.state()).anonymity == "group"
        assert "le lien entre vous et vos réponses est conservé" in w.chat.seen_by(f"@{ana}")[0]
        refused = await w.cmd("demarrer anonymat=total", user=ana)
        assert refused == ["Cette commande est réservée à la facilitation."]
        assert (await w.state()).anonymity == "group"
        seen = len(w.chat.seen_by(f"@{ana}"))
        replies = await w.cmd("demarrer anonymat=total")
        assert "anonymat total" in replies[0] and "3" in replies[0]
        assert (await w.state()).anonymity == "full"
        told = w.chat.seen_by(f"@{ana}")[seen:]
        assert len(told) == 1 and "a changé le réglage de l'anonymat" in told[0]
        assert "plus personne, ni la facilitation ni l'exploitant du bot" in told[0]
        await w.cmd("round open intake")
        replies = await w.cmd("start anonymity=group")
        assert "ne peut plus changer" in replies[0]
        assert (await w.state()).anonymity == "full"
        async with w.app.store.sessions() as s:
            actions = list(await s.scalars(select(orm.AuditRow.target)))
        assert "anonymity=full" in actions
    finally:
        await w.app.store.close()
