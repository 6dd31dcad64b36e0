"""A web form, translated into the event the same action in chat would be (no rule here)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

from bot.core.events import ChoiceMade, CommandIssued, Event, EventMeta
from bot.core.model import Intervention, InterventionId, UserId
from bot.flows.line import MAX_NOTE
from bot.web.tokens import Pass

NONCE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# Buttons of the dashboard and the command each one types.
ROUND_COMMANDS = {"close": "round close", "remind": "round remind", "publish": "publish"}
COMMANDS = {"step_next": "step next", "pause": "pause", "resume": "resume"}
# The review of a closed round's draft (bot/flows/curation.py): the command and which of
# the form's fields follow the round key, in order.
CURATION: dict[str, tuple[str, tuple[str, ...]]] = {
    "hold": ("round hold", ("item",)),
    "merge": ("round merge", ("item", "other")),
    "edit": ("round edit", ("item", "text")),
    "restate": ("round restate", ("text",)),
}
# A private note typed on the page: `/tst note add`, its words checked by the engine.
NOTE = "note"
ITEM = re.compile(r"^\d{1,3}\.\d{1,3}$")
MAX_TEXT = 2000
# The facilitator's buttons under a safety request, as in the inbox.
CHOICES = frozenset({"handled", "withdraw", "pausenow"})


def _meta(state: Intervention, session: Pass, nonce: str) -> EventMeta:
    # The form's own nonce is the event id: a form sent twice (a reload, a double click)
    # is one event. `locale` stays unset: a web page says nothing of the chat app's language.
    unique = nonce if NONCE.match(nonce) else secrets.token_urlsafe(16)
    return EventMeta(
        platform=state.platform,
        event_id=f"web:{unique}",
        workspace=state.workspace,
        user=UserId(session.user),
        channel=state.channel,
    )


def event_for(state: Intervention, session: Pass, form: Mapping[str, str]) -> Event | None:
    """The event of one dashboard form; None for anything the page does not offer."""
    action, value = form.get("action", ""), form.get("value", "")
    meta = _meta(state, session, form.get("nonce", ""))
    iid = InterventionId(state.id)
    if action in CURATION:
        words = _curation_words(form, CURATION[action][1])
        if value not in state.rounds or words is None:
            return None
        return CommandIssued(meta, f"{CURATION[action][0]} {value} {words}", iid)
    if action in ROUND_COMMANDS:
        if value not in state.rounds:  # a round key, never free text typed into a command
            return None
        return CommandIssued(meta, f"{ROUND_COMMANDS[action]} {value}", iid)
    if action in COMMANDS:
        return CommandIssued(meta, COMMANDS[action], iid)
    if action == NOTE:
        text = form.get("text", "").strip()
        if not text or len(text) > MAX_NOTE:
            return None
        return CommandIssued(meta, f"note add {text}", iid)
    if action in CHOICES and value.isdigit():
        return ChoiceMade(meta, iid, action, value)
    return None


def _curation_words(form: Mapping[str, str], fields: tuple[str, ...]) -> str | None:
    """The fields as the command takes them: item numbers checked, text as written (the
    engine checks its length and keeps it as a person's words)."""
    words: list[str] = []
    for name in fields:
        raw = form.get(name, "").strip()
        if name == "text":
            if not raw or len(raw) > MAX_TEXT:
                return None
        elif not ITEM.match(raw):
            return None
        words.append(raw)
    return " ".join(words)


def forget(state: Intervention, session: Pass, nonce: str) -> CommandIssued:
    """The erase button: `/tst forget`, in the intervention the page named."""
    return CommandIssued(_meta(state, session, nonce), "forget", InterventionId(state.id))
