"""What reaches the bot's HTTP endpoint: only signed, fresh requests, each processed once."""

from __future__ import annotations

import json
import time
import urllib.parse

import pytest
from slack_world import ANA, BEN, FAC, PEOPLE, SlackWorld

from bot.i18n.typography import typeset


async def interventions(world: SlackWorld) -> int:
    async with world.app.store.unit() as uow:
        return 0 if await uow.find("slack", "T1", "C1") is None else 1


async def test_a_forged_signature_is_refused_with_401_and_changes_nothing(
    world: SlackWorld,
) -> None:
    body = urllib.parse.urlencode(world.slack.command_body("start Équipe", FAC))
    reply = await world.slack.post(body, "application/x-www-form-urlencoded", forged=True)
    await world.settle()
    assert reply.status == 401
    assert await interventions(world) == 0
    assert not world.fake.messages and not world.fake.responses


async def test_a_stale_signature_is_refused_with_401_and_changes_nothing(
    world: SlackWorld,
) -> None:
    body = urllib.parse.urlencode(world.slack.command_body("start Équipe", FAC))
    ten_minutes_ago = int(time.time()) - 600
    reply = await world.slack.post(
        body, "application/x-www-form-urlencoded", timestamp=ten_minutes_ago
    )
    await world.settle()
    assert reply.status == 401
    assert await interventions(world) == 0


async def test_a_retried_request_has_exactly_one_effect(world: SlackWorld) -> None:
    await world.start_with_people()
    body = urllib.parse.urlencode(world.slack.command_body("round open trust.intake", FAC))
    for retry in (None, 1, 2):
        reply = await world.slack.post(body, "application/x-www-form-urlencoded", retry_num=retry)
        assert reply.status == 200
    await world.settle()
    for p in PEOPLE:
        prompts = [b for b in world.buttons(p) if ":answer:trust.intake" in b]
        assert len(prompts) == 1


async def test_a_retried_home_event_publishes_the_home_tab_once(world: SlackWorld) -> None:
    await world.start_with_people()
    event = {"type": "app_home_opened", "user": ANA, "tab": "home", "channel": "DUANA"}
    for retry in (None, 1):
        reply = await world.slack.event(event, event_id="Ev-home-1", retry_num=retry)
        assert reply.status == 200
    await world.settle()
    assert len(world.fake.called("views.publish")) == 1
    assert "Équipe" in str(world.fake.homes[ANA])


async def test_the_facilitator_home_shows_counts_and_a_pending_answer_button(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    await world.cmd("round open trust.barometer")
    await world.slack.event({"type": "app_home_opened", "user": FAC, "tab": "home"})
    await world.slack.event({"type": "app_home_opened", "user": ANA, "tab": "home"})
    await world.settle()
    assert "0" in json.dumps(world.fake.homes[FAC], ensure_ascii=False) and "3" in str(
        world.fake.homes[FAC]
    )
    assert ":answer:trust.barometer" in str(world.fake.homes[ANA])


async def test_the_facilitator_home_counts_who_passed_and_a_participant_home_does_not(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    await world.cmd("round open trust.barometer")
    await world.click(ANA, "skip", "trust.barometer")
    await world.slack.event({"type": "app_home_opened", "user": FAC, "tab": "home"})
    await world.slack.event({"type": "app_home_opened", "user": BEN, "tab": "home"})
    await world.settle()
    assert typeset("« je passe » 1", "fr") in json.dumps(world.fake.homes[FAC], ensure_ascii=False)
    assert typeset("je passe » 1", "fr") not in json.dumps(
        world.fake.homes[BEN], ensure_ascii=False
    )


async def test_a_participant_cannot_run_a_facilitator_command(world: SlackWorld) -> None:
    await world.start_with_people()
    replies = await world.cmd("round open trust.intake", user=ANA)
    assert replies == ["Cette commande est réservée à la facilitation."]
    for p in PEOPLE:
        assert not [b for b in world.buttons(p) if ":answer:" in b]


async def test_an_expired_trigger_tells_the_person_instead_of_failing_silently(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    await world.cmd("round open trust.barometer")
    world.fake.error_next("views.open", "expired_trigger_id")
    before = len(world.fake.responses)
    await world.slack.click(world.button(ANA, "answer", "trust.barometer"), ANA)
    await world.settle()
    assert not world.fake.views
    assert len(world.fake.responses) == before + 1


async def test_answer_on_a_closed_round_says_it_is_closed(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.cmd("round open trust.barometer")
    await world.cmd("round close trust.barometer")
    before = len(world.fake.responses)
    await world.slack.click(world.button(ANA, "answer", "trust.barometer"), ANA)
    await world.settle()
    assert not world.fake.views
    assert "trust.barometer" not in world.fake.responses[before]["text"]
    assert world.fake.responses[before]["response_type"] == "ephemeral"


async def test_a_view_is_submitted_only_as_opened_with_its_own_inputs(world: SlackWorld) -> None:
    """Slack submits the inputs of a view it opened, nothing else: a test naming a field the
    view does not have fails instead of passing on an empty form."""
    await world.start_with_people()
    await world.cmd("round open trust.barometer")
    await world.click(ANA, "answer", "trust.barometer")
    view = world.fake.views[-1]
    with pytest.raises(ValueError, match="no input"):
        await world.slack.submit(view, ANA, {"trust.barometer": 4})
    with pytest.raises(ValueError, match="never opened"):
        await world.slack.submit({**view, "id": "V-unknown"}, ANA, {})
    assert await world.stored("trust.barometer") == []
