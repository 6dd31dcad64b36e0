"""The app removed from a workspace (app_uninstalled, tokens_revoked): its interventions close,
nothing more is sent there nor retried, the answers stay until the retention purge, and the
removal is logged once, without anyone's name."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from slack_world import ANA, BEN, SlackWorld
from sqlalchemy import select

from bot.i18n.typography import typeset
from bot.storage import orm

REMOVED = "slack: the app was removed from workspace T1"


async def outbox(world: SlackWorld) -> list[tuple[str, str, int, str | None]]:
    """(kind, status, attempts, last error) of every row but the daily purge's."""
    row = orm.OutboxRow
    async with world.app.store.unit() as uow:
        found = await uow.session.execute(
            select(row.kind, row.status, row.attempts, row.last_error)
            .where(row.intervention_id != "")
            .order_by(row.id)
        )
        return [(k, s, a, e) for k, s, a, e in found.all()]


async def intervention(world: SlackWorld) -> orm.InterventionRow:
    async with world.app.store.unit() as uow:
        found = await uow.session.scalar(select(orm.InterventionRow))
        assert found is not None
        uow.session.expunge(found)
        return found


def removal_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if REMOVED in r.getMessage()]


async def test_uninstalling_closes_stops_and_keeps_the_answers_for_retention(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await world.start_with_people()
    await world.cmd("round open trust.barometer")
    await world.answer(ANA, "trust.barometer", {"barometer.level": 4, "barometer.word": "lagune"})
    # Prompts queued and not yet delivered when the admin removes the app.
    await world.slack.slash("round open trust.intake", "UFAC")
    assert world.service.edge is not None
    await world.service.edge.settle()
    waiting = [r for r in await outbox(world) if r[1] == "pending"]
    assert waiting
    sent = len(world.fake.calls)

    world.fake.uninstall("T1")
    reply = await world.slack.event({"type": "app_uninstalled"})
    assert reply.status == 200
    await world.settle()

    closed = await intervention(world)
    assert closed.status == "closed" and closed.closed_at == world.clock.now()
    assert [r for r in await outbox(world) if r[1] == "pending"] == []
    assert len([r for r in await outbox(world) if r[3] == "app_removed"]) == len(waiting)
    assert len(world.fake.calls) == sent, "nothing more was sent to the workspace"
    async with world.app.store.unit() as uow:
        audit = await uow.session.scalars(select(orm.AuditRow.action))
        assert "app_removed" in list(audit)
    assert ("barometer.word", "lagune") in await world.stored("trust.barometer")
    ((level, line),) = removal_lines(caplog)
    assert level == logging.WARNING
    assert "(app_uninstalled): 1 intervention(s) closed" in line
    assert f"{len(waiting)} pending delivery(ies) stopped" in line
    assert "30 days" in line and "UANA" not in line and "lagune" not in caplog.text

    # Slack's second notice changes nothing and is not a second warning.
    revoked = {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}
    assert (await world.slack.event(revoked)).status == 200
    await world.settle()
    assert [level for level, _ in removal_lines(caplog)] == [logging.WARNING, logging.INFO]

    # The answers go with the retention purge, like those of any closed intervention.
    later = world.clock.now() + timedelta(days=31)
    assert await world.app.retention.purge(later) == 1
    assert await world.stored("trust.barometer") == []


async def test_a_delivery_refused_for_a_revoked_token_is_not_retried(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.slack.slash("round open trust.intake", "UFAC")
    assert world.service.edge is not None
    await world.service.edge.settle()
    world.fake.uninstall("T1")  # and the notice is late: the dispatcher meets the revoked token
    await world.app.dispatcher.drain()
    rows = await outbox(world)
    assert rows and all(status != "pending" for _k, status, _a, _e in rows)
    failed = [(attempts, error) for _kind, status, attempts, error in rows if status == "dead"]
    assert failed and all(f == (1, "access_revoked") for f in failed)


async def test_revoked_user_tokens_leave_the_bot_working(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await world.start_with_people()
    reply = await world.slack.event({"type": "tokens_revoked", "tokens": {"oauth": ["UFAC"]}})
    assert reply.status == 200
    await world.settle()
    assert (await intervention(world)).status != "closed"
    assert removal_lines(caplog) == []
    await world.cmd("round open trust.barometer")
    assert world.button(BEN, "answer", "trust.barometer")


async def test_a_message_written_to_the_bot_is_answered_with_where_answers_go(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    await world.start_with_people()
    dm = world.fake.dm_of(ANA)
    before = len(world.fake.messages_in(dm))
    said = {
        "type": "message",
        "channel": dm,
        "user": ANA,
        "text": "ma réponse",
        "channel_type": "im",
    }
    for _retry in range(2):  # Slack may send it twice: one reply
        assert (await world.slack.event(said, event_id="Ev-dm-1")).status == 200
    own = {**said, "user": "UBOT", "bot_id": "BUBOT"}  # the bot's own message: no reply
    assert (await world.slack.event(own)).status == 200
    await world.settle()
    replies = world.fake.messages_in(dm)[before:]
    # Nothing waits for Ana (tests/slack/test_slack_direct.py: what waits comes back).
    assert [m["text"] for m in replies] == [
        typeset(
            "Je suis tst, le bot qui accompagne votre animateur ou animatrice dans la démarche "
            "TST. Rien n'attend de réponse de votre part pour l'instant. Ce qui est écrit ici "
            "n'est ni lu, ni enregistré, ni transmis ; /tst aide donne la liste des commandes.",
            "fr",
        )
    ]
    assert "ma réponse" not in caplog.text
