"""Calls to Slack go through one HTTP session (connections reused), closed with the service."""

from __future__ import annotations

from slack_world import ANA, SlackWorld


async def test_every_call_to_slack_shares_one_session_until_the_service_stops(
    world: SlackWorld,
) -> None:
    await world.start_with_people()  # users.info, conversations.open, chat.postMessage...
    port = world.service.port
    session = port.client.session
    assert session is not None and not session.closed
    await world.slack.event({"type": "app_home_opened", "user": ANA, "tab": "home"})
    await world.settle()  # views.publish, through a client of bolt's and the same session
    assert world.fake.called("views.publish")
    assert port.client.session is session
    await world.service.stop()
    assert session.closed
