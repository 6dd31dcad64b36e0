"""A person's home (Slack's App Home tab) as core values: what waits, where things stand."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.edge import Home, Offer
from bot.core.effects import Button
from bot.core.events import EventMeta
from bot.core.model import Intervention, UserId
from bot.core.ports import OutButton
from bot.flows.queries import allowed_actions, standing, standing_messages, waiting_for
from bot.i18n.render import Reader, action_id, reader_for
from bot.reports.personal import my_data_message

if TYPE_CHECKING:
    from bot.app import App


async def home_of(app: App, meta: EventMeta) -> Home | str:
    """The same things, in the same words, as the DM answer, "Get my prompts" and `/tst
    status` give on every platform (`bot/flows/queries`); the one line `home.empty` for
    someone in no intervention."""
    user = UserId(meta.user or "")
    async with app.store.unit() as uow:
        state = await uow.find_for_user(meta.platform, meta.workspace, user)
        facilitator = state is not None and state.is_facilitator(user)
        undelivered = await uow.undelivered(state.id) if state is not None and facilitator else {}
    if state is None:
        policy = app.runner.policy
        reader = Reader(meta.locale or policy.locale, policy.timezone, policy.address_form)
        return app.renderer.text(reader, "home.empty")
    reader = reader_for(state, user, meta.locale)
    t = app.renderer.text
    waiting = tuple(app.renderer.message(state, m, reader) for m in waiting_for(state, user))
    where = standing_messages(standing(state, user, undelivered))
    stands = tuple(app.renderer.message(state, m, reader) for m in where)
    offered = {b.action_id for out in (*waiting, *stands) for b in out.buttons}
    rest = [b for b in allowed_actions(state, user) if _id(state, b) not in offered]

    def shown(b: Button) -> OutButton:
        return OutButton(_id(state, b), t(reader, b.label_key), b.style)

    reopen = tuple(
        Offer(t(reader, "form.title", round=b.value), (shown(b),))
        for b in rest
        if b.action == "answer"
    )
    levers = tuple(shown(b) for b in rest if b.action != "answer")
    mine = await my_data_message(app.store, app.renderer, state, user)
    return Home(
        state.title,
        waiting,
        stands,
        reopen,
        Offer(t(reader, "help.safety"), levers) if levers else None,
        mine,
    )


def _id(state: Intervention, b: Button) -> str:
    return action_id(state.id, b.action, b.value)
