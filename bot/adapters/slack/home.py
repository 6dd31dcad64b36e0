"""App Home tab: my pending prompts, my answers and their visibility; status for facilitators."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.core.effects import UserText
from bot.core.events import EventMeta
from bot.core.model import Intervention, UserId
from bot.core.ports import OutButton
from bot.flows import refusals
from bot.flows.line import line_buttons
from bot.flows.safety import counts
from bot.i18n.render import Reader, action_id, reader_for
from bot.reports.personal import my_data_message

from .render import MAX_VIEW_BLOCKS, button, chunks, escape, mrkdwn, section

_EMPTY = {
    "fr": "Aucun processus en cours pour vous. Un animateur le démarre avec /tst demarrer.",
    "en": "No process involves you yet. A facilitator starts one with /tst start.",
}


def _pending(state: Intervention, user: UserId) -> list[str]:
    answered = {r.round_key for r in state.responses.values() if r.author == user}
    return sorted(
        key
        for key, rnd in state.rounds.items()
        if rnd.status == "open" and user in rnd.recipients and key not in answered
    )


def _status(app: App, state: Intervention, reader: Reader) -> str:
    t = app.renderer.text
    open_rounds = sorted(k for k, r in state.rounds.items() if r.status == "open")
    lines = [
        t(
            reader,
            "status.body",
            title=UserText(state.title),
            status=state.status,
            step=state.step or "-",
            rounds=len(open_rounds),
            participants=sum(1 for p in state.participants.values() if p.reachable),
        )
    ]
    for key in open_rounds:
        rnd = state.rounds[key]
        authors = {r.author for r in state.responses.values() if r.round_key == key}
        lines.append(
            t(reader, "status.round", round=key, answered=len(authors), total=len(rnd.recipients))
        )
        lines.append(app.renderer.message(state, refusals.counts(state, key), reader).plain())
    return "\n".join(lines)


async def home_view(app: App, meta: EventMeta) -> dict[str, Any]:
    user = UserId(meta.user or "")
    async with app.store.unit() as uow:
        state = await uow.find_for_user("slack", meta.workspace, user)
    if state is None:
        locale = meta.locale or app.settings.defaults.locale
        return {"type": "home", "blocks": [section(escape(_EMPTY[locale]))]}
    reader = reader_for(state, user)
    t = app.renderer.text
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": state.title[:150] or " "}}
    ]
    for key in _pending(state, user):
        blocks.append(section(escape(t(reader, "form.title", round=key))))
        answer = OutButton(action_id(state.id, "answer", key), t(reader, "button.answer"))
        blocks.append({"type": "actions", "elements": [button(answer)]})
    member = state.participants.get(user)
    if member is not None and member.active and not member.is_facilitator:
        # The safety levers, always within reach: a private word, a time-out.
        blocks.append({"type": "divider"})
        blocks.append(section(escape(t(reader, "help.safety"))))
        levers = [
            OutButton(action_id(state.id, b.action, b.value), t(reader, b.label_key))
            for b in line_buttons()
        ]
        blocks.append({"type": "actions", "elements": [button(b) for b in levers]})
    if state.is_facilitator(user):
        blocks.append({"type": "divider"})
        blocks += [section(c) for c in chunks(escape(_status(app, state, reader)))]
        c = counts(state)
        if c.any:
            blocks.append(
                section(
                    escape(
                        t(
                            reader,
                            "status.safety",
                            threads=c.threads,
                            waiting=c.waiting,
                            timeouts=c.timeouts_open,
                            flags=c.flags_open,
                        )
                    )
                )
            )
            inbox = OutButton(action_id(state.id, "inbox"), t(reader, "button.inbox"))
            blocks.append({"type": "actions", "elements": [button(inbox)]})
    mine = await my_data_message(app.store, app.renderer, state, user)
    blocks.append({"type": "divider"})
    blocks += [section(c) for c in chunks(mrkdwn(mine.segments))]
    if len(blocks) > MAX_VIEW_BLOCKS:
        blocks = [*blocks[: MAX_VIEW_BLOCKS - 1], section("…")]
    return {"type": "home", "blocks": blocks}
