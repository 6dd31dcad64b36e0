"""The gate in front of bolt: what a signed request the bot cannot read gets, case by case."""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import AsyncIterator

import pytest
from slack_world import ANA, FAC, SlackWorld, make_world

from bot.i18n.typography import typeset
from bot.storage.store import SqlStore

FORM = "application/x-www-form-urlencoded"


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_payload_that_is_not_json_gets_400_and_one_warning(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    secret_text = "mon inquiétude à moi"
    body = "payload=" + urllib.parse.quote('{"type": "block_actions", "x": "' + secret_text)
    reply = await world.slack.post(body, FORM)
    await world.settle()
    assert reply.status == 400
    assert warnings(caplog) == ["slack: refused a malformed request: /payload is not JSON (400)"]
    assert not any(r.exc_info for r in caplog.records)
    assert secret_text not in caplog.text


async def test_a_command_that_cannot_be_read_is_answered_in_one_line(world: SlackWorld) -> None:
    body = world.slack.command_body("demarrer \x00", FAC)
    reply = await world.slack.post(urllib.parse.urlencode(body), FORM)
    assert reply.status == 200
    assert reply.json() == {
        "response_type": "ephemeral",
        "text": typeset(
            "Cette demande n'a pas pu être lue ; rien n'a changé. "
            "/tst aide donne la liste des commandes.",
            "fr",
        ),
    }
    await world.settle()
    assert not world.fake.messages  # nothing started


async def test_a_command_mentioning_payload_is_read_as_typed(world: SlackWorld) -> None:
    """Bolt alone reads a form whose text contains "payload" as empty (404); the gate hands
    it the decoded form."""
    await world.cmd("start Le payload du projet")
    async with world.app.store.unit() as uow:
        state = await uow.find("slack", "T1", "C1")
    assert state is not None and state.title == "Le payload du projet"


async def test_a_button_the_bot_did_not_render_is_told_so(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    await world.start_with_people()
    before = len(world.fake.responses)
    reply = await world.slack.click("some_other_app_button", ANA)
    await world.settle()
    assert reply.status == 200
    (told,) = world.fake.responses[before:]
    assert told["response_type"] == "ephemeral"
    assert told["text"].startswith("Cette action n'est pas, ou plus, possible.")
    assert len([w for w in warnings(caplog) if "did not render" in w]) == 1


async def test_a_home_tab_button_for_a_closed_round_answers_in_the_dm(world: SlackWorld) -> None:
    """A Home tab button carries no response_url: the answer goes to the person's DM."""
    await world.start_with_people()
    await world.cmd("round open trust.barometer")
    await world.cmd("round close trust.barometer")
    payload = world.slack.click_payload(world.button(ANA, "answer", "trust.barometer"), ANA)
    del payload["response_url"]
    payload["container"] = {"type": "view", "view_id": "VHOME"}
    before = len(world.fake.messages_in(world.fake.dm_of(ANA)))
    reply = await world.slack.post("payload=" + urllib.parse.quote(json.dumps(payload)), FORM)
    await world.settle()
    assert reply.status == 200
    told = world.fake.messages_in(world.fake.dm_of(ANA))[before:]
    assert [m["text"] for m in told] == [
        typeset("Le tour « Baromètre de confiance » n'accepte plus de réponses.", "fr")
    ]


async def test_a_view_the_bot_did_not_open_is_answered_in_place(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.cmd("round open trust.barometer")
    await world.click(ANA, "answer", "trust.barometer")
    payload = world.slack.submit_payload(world.fake.views[-1], ANA, {"barometer.level": 3})
    for callback, metadata in (("someone_elses", None), (None, '{"i": "x"')):
        view = dict(payload["view"])
        view["callback_id"] = callback or view["callback_id"]
        view["private_metadata"] = metadata or view["private_metadata"]
        body = "payload=" + urllib.parse.quote(json.dumps({**payload, "view": view}))
        reply = await world.slack.post(body, FORM)
        assert reply.status == 200
        answer = reply.json()
        assert answer["response_action"] == "update" and answer["view"]["type"] == "modal"
        assert "n'a pas pu être lue" in str(answer) or "n'est pas, ou plus" in str(answer)
    await world.settle()
    assert await world.stored("trust.barometer") == []


async def test_an_event_the_bot_does_not_use_is_acknowledged(world: SlackWorld) -> None:
    reply = await world.slack.event({"type": "reaction_added", "user": ANA, "reaction": "x"})
    assert reply.status == 200  # not 404: Slack would send it again and again


@pytest.fixture
async def socket_world(store: SqlStore) -> AsyncIterator[SlackWorld]:
    async for w in make_world(store, mode="socket"):
        yield w


async def test_in_socket_mode_an_unreadable_envelope_is_acknowledged_and_dropped(
    socket_world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    w = socket_world
    ack = await w.fake.send_envelope("interactive", {"type": "block_actions", "user": 5})
    assert "payload" not in ack or not ack["payload"]
    ack = await w.fake.send_envelope("slash_commands", w.slack.command_body("aide\x00", FAC))
    assert "n'a pas pu être lue" in ack["payload"]["text"]
    await w.settle()
    assert not any(r.exc_info for r in caplog.records)
    assert len(warnings(caplog)) == 2
    await w.cmd("start Équipe")  # and the bot works on
    assert w.fake.messages_in("C1")


async def test_slacks_own_checks_are_answered(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    """The ssl_check Slack sends to a command URL, and its notice that events are held back."""
    assert (await world.slack.post("ssl_check=1&token=legacy", FORM)).status == 200
    limited = {
        "token": "legacy",
        "type": "app_rate_limited",
        "team_id": "T1",
        "minute_rate_limited": 1518467820,
        "api_app_id": "A1",
    }
    assert (await world.slack.post(json.dumps(limited), "application/json")).status == 200
    assert warnings(caplog) == ["slack: Slack held back events for a minute (app_rate_limited)"]
