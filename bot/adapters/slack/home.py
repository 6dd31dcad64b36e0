"""App Home tab: what waits for me, where the intervention stands, what I said and who reads it."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.core.effects import Button
from bot.core.events import EventMeta
from bot.core.model import Intervention, UserId
from bot.core.ports import OutButton, OutMessage
from bot.flows.queries import allowed_actions, standing, standing_messages, waiting_for
from bot.i18n.render import Reader, action_id, reader_for
from bot.reports.personal import my_data_message

from .render import MAX_ACTIONS, MAX_VIEW_BLOCKS, button, chunks, escape, mrkdwn, section


async def home_view(app: App, meta: EventMeta) -> dict[str, Any]:
    """The same things, in the same words, as the DM answer, "Get my prompts" and `/tst
    status` give on every platform (`bot/flows/queries`): nothing here decides them."""
    user = UserId(meta.user or "")
    async with app.store.unit() as uow:
        state = await uow.find_for_user("slack", meta.workspace, user)
        facilitator = state is not None and state.is_facilitator(user)
        undelivered = await uow.undelivered(state.id) if state is not None and facilitator else {}
    if state is None:
        policy = app.runner.policy
        reader = Reader(meta.locale or policy.locale, policy.timezone, policy.address_form)
        empty = app.renderer.text(reader, "home.empty")
        return {"type": "home", "blocks": [section(escape(empty))]}
    reader = reader_for(state, user, meta.locale)
    t = app.renderer.text
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": state.title[:150] or " "}}
    ]
    waiting = [app.renderer.message(state, m, reader) for m in waiting_for(state, user)]
    for out in waiting:
        blocks += _message_blocks(out)
    offered = {b.action_id for out in waiting for b in out.buttons}
    blocks.append({"type": "divider"})
    for message in standing_messages(standing(state, user, undelivered)):
        out = app.renderer.message(state, message, reader)
        blocks += _message_blocks(out)
        offered |= {b.action_id for b in out.buttons}
    rest = [b for b in allowed_actions(state, user) if _id(state, b) not in offered]
    # An open round already answered: its form opens again, to change the answers.
    for b in (b for b in rest if b.action == "answer"):
        blocks.append(section(escape(t(reader, "form.title", round=b.value))))
        answer = OutButton(_id(state, b), t(reader, b.label_key), b.style)
        blocks.append({"type": "actions", "elements": [button(answer)]})
    levers = [b for b in rest if b.action != "answer"]
    if levers:
        # The safety levers, always within reach: a private word, a time-out.
        blocks.append({"type": "divider"})
        blocks.append(section(escape(t(reader, "help.safety"))))
        shown = [OutButton(_id(state, b), t(reader, b.label_key), b.style) for b in levers]
        blocks.append({"type": "actions", "elements": [button(b) for b in shown]})
    mine = await my_data_message(app.store, app.renderer, state, user)
    blocks.append({"type": "divider"})
    blocks += [section(c) for c in chunks(mrkdwn(mine.segments))]
    if len(blocks) > MAX_VIEW_BLOCKS:
        blocks = [*blocks[: MAX_VIEW_BLOCKS - 1], section("…")]
    return {"type": "home", "blocks": blocks}


def _id(state: Intervention, b: Button) -> str:
    return action_id(state.id, b.action, b.value)


def _message_blocks(out: OutMessage) -> list[dict[str, Any]]:
    blocks = [section(c) for c in chunks(mrkdwn(out.segments))]
    elements = [button(b) for b in out.buttons]
    for start in range(0, len(elements), MAX_ACTIONS):
        blocks.append({"type": "actions", "elements": elements[start : start + MAX_ACTIONS]})
    return blocks
