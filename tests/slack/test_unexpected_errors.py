"""Errors are seen: an input that fails after Slack's ack is logged at ERROR with its request
id, and the person hears, in their language, that something went wrong and nothing was lost."""

from __future__ import annotations

import re

import pytest
from injected_faults import ENGLISH, FRENCH, errors, fail_next_input
from slack_world import ANA, SlackWorld


async def test_a_command_that_fails_is_told_in_french_and_logged_with_its_request_id(
    world: SlackWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await world.cmd("démarrer Équipe")
    fail_next_input(world.app.runner, monkeypatch)
    told = await world.cmd("statut")
    assert len(told) == 1 and told[0].startswith(FRENCH)
    assert world.fake.responses[-1]["response_type"] == "ephemeral"
    (logged,) = errors(caplog)
    assert logged.exc_info is not None and "injected fault" in str(logged.exc_info[1])
    assert re.search(r"\(request [0-9a-f]{12}\)$", logged.getMessage())
    # Nothing was lost: the intervention is there, as it was, for the same command again.
    (status, *_rest) = await world.cmd("statut")
    assert "Équipe" in status


async def test_each_input_logs_under_a_request_id_of_its_own(
    world: SlackWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await world.cmd("démarrer Équipe")
    for _ in range(3):
        fail_next_input(world.app.runner, monkeypatch)
        await world.cmd("statut")
    ids = {re.findall(r"request ([0-9a-f]{12})", r.getMessage())[0] for r in errors(caplog)}
    assert len(ids) == 3


async def test_an_english_speaker_is_told_in_english(
    world: SlackWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.fake.add_user("UEVE", "Eve", locale="en-US")
    await world.cmd("start Team", user="UEVE")
    fail_next_input(world.app.runner, monkeypatch)
    told = await world.cmd("status", user="UEVE")
    assert len(told) == 1 and told[0].startswith(ENGLISH)


async def test_an_answer_form_that_fails_is_told_in_the_persons_messages(
    world: SlackWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await world.start_with_people()
    await world.cmd("tour ouvrir trust.barometer")
    before = len(world.fake.messages_in(world.fake.dm_of(ANA)))
    await world.click(ANA, "answer", "trust.barometer")
    fail_next_input(world.app.runner, monkeypatch)
    await world.slack.submit(world.fake.views[-1], ANA, {})
    await world.settle()
    said = [m.get("text", "") for m in world.fake.messages_in(world.fake.dm_of(ANA))[before:]]
    assert any(FRENCH in text for text in said), said
    assert len(errors(caplog)) == 1
    assert await world.stored("trust.barometer") == []  # nothing half-written either
