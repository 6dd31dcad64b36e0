"""A message typed to the bot in a DM: answered with what waits for the person, or what it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.model import Locale, UserId
from bot.core.ports import OutMessage, Segment
from bot.flows.queries import waiting_for
from bot.i18n.render import Reader, reader_for

if TYPE_CHECKING:
    from bot.app import App


async def answer_direct(
    app: App,
    platform: str,
    workspace: str | None,
    user: str,
    message_id: str,
    platform_locale: Locale | None = None,
) -> tuple[OutMessage, ...]:
    """What the bot answers a person who wrote to it: the prompts still waiting for them in
    each of their interventions (with the buttons that open them), else a short line on what
    the bot is and `/tst help`. The text they wrote is never read, kept nor logged; nothing is
    answered twice when the platform delivers the same message again (`message_id`)."""
    person = UserId(user)
    async with app.store.unit() as uow:
        if not await uow.first_time(platform, f"dm:{message_id}", app.runner.clock.now()):
            return ()
        states = [await uow.load(iid) for iid in await uow.running_for(platform, workspace, user)]
    waiting: list[OutMessage] = []
    reader: Reader | None = None
    for state in states:
        if state is None:
            continue
        read = reader_for(state, person, platform_locale)
        messages = waiting_for(state, person)
        waiting += [app.renderer.message(state, m, read) for m in messages]
        reader = reader or read
    policy = app.runner.policy
    reader = reader or Reader(
        platform_locale or policy.locale, policy.timezone, policy.address_form
    )
    if not waiting:
        return (_line(app, reader, "direct.about"),)
    return (_line(app, reader, "direct.waiting", count=len(waiting)), *waiting)


def _line(app: App, reader: Reader, key: str, **params: int) -> OutMessage:
    return OutMessage((Segment(app.renderer.text(reader, key, **params)),))
