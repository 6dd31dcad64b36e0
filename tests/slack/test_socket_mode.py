"""The same intervention over Socket Mode: apps.connections.open, envelopes, acks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_world import ANA, BEN, CLEO, PEOPLE, SlackWorld, make_world

from bot.storage.store import SqlStore


@pytest.fixture
async def socket_world(store: SqlStore) -> AsyncIterator[SlackWorld]:
    async for w in make_world(store, mode="socket"):
        yield w


async def test_a_round_runs_over_socket_mode(socket_world: SlackWorld) -> None:
    w = socket_world
    await w.start_with_people()
    assert w.fake.called("apps.connections.open")
    await w.cmd("round open trust.barometer")
    for p, score in ((ANA, 3), (BEN, 4), (CLEO, 4)):
        await w.answer(p, "trust.barometer", {"barometer.level": score})
    assert await w.stored("trust.barometer") == [
        ("barometer.level", 3),
        ("barometer.level", 4),
        ("barometer.level", 4),
        ("barometer.word", None),  # left empty: a skip of that prompt
        ("barometer.word", None),
        ("barometer.word", None),
    ]
    await w.cmd("round close trust.barometer")
    await w.cmd("publish trust.barometer")
    published = w.channel_texts()[-1].replace("\u00a0", " ").replace("\u202f", " ")
    assert "3 sur 3" in published and "Moyenne : 3,67" in published
    for p in PEOPLE:
        assert w.button(p, "answer", "trust.barometer")


async def test_a_redelivered_envelope_is_processed_once(socket_world: SlackWorld) -> None:
    w = socket_world
    await w.start_with_people()
    body = w.slack.command_body("round open trust.intake", "UFAC")
    await w.fake.send_envelope("slash_commands", body)
    await w.fake.send_envelope("slash_commands", body, retry_attempt=1)
    await w.settle()
    assert len([b for b in w.buttons(ANA) if ":answer:trust.intake" in b]) == 1
