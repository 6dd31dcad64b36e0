"""Pure parsing: Slack payloads (slash command, block action, view submission) -> core events."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.events import (
    CHOICES,
    AnswerSubmitted,
    ChoiceMade,
    CommandIssued,
    EventMeta,
    NoteSubmitted,
)
from bot.core.model import VISIBILITIES, AnswerValue, InterventionId, UserId, Visibility
from bot.i18n.note_forms import FORM_OF, note_submitted
from bot.i18n.render import parse_action_id

from .render import ANSWER_CALLBACK, NOTE_CALLBACK, VISIBILITY_BLOCK
from .shapes import Unreadable

PLATFORM = "slack"
# Intervention ids the bot writes into action ids and modal metadata.
INTERVENTION_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


@dataclass(frozen=True, slots=True)
class OpenAnswer:
    """The "Answer" button: the adapter opens the round's modal with this trigger."""

    meta: EventMeta
    intervention: str
    round_key: str
    trigger_id: str


@dataclass(frozen=True, slots=True)
class OpenNote:
    """A button that opens a safety form (private line, an answer to it, a flag)."""

    meta: EventMeta
    intervention: str
    button: str
    value: str
    trigger_id: str


@dataclass(frozen=True, slots=True)
class HomeOpened:
    meta: EventMeta


@dataclass(frozen=True, slots=True)
class FieldError:
    """A submission problem shown under one input of the modal: a catalog key and params."""

    block_id: str
    key: str
    params: Mapping[str, str | int] = field(default_factory=dict)


def body_hash(raw: str | bytes) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    return hashlib.sha256(data).hexdigest()[:40]


def _meta(
    event_id: str, team: str, user: str, name: str = "", channel: str | None = None
) -> EventMeta:
    return EventMeta(PLATFORM, event_id, team, UserId(user) if user else None, name, channel)


def parse_command(body: Mapping[str, Any], raw_body: str | bytes) -> CommandIssued:
    """`/tst <text>`. The signed body includes a fresh trigger_id, so its hash identifies one
    invocation and a retried delivery of the same bytes is recognised. Socket Mode has no
    raw body: the payload itself (with its trigger_id) is hashed instead."""
    raw_body = raw_body or json.dumps(dict(body), sort_keys=True)
    channel = str(body.get("channel_id") or "")
    in_dm = channel.startswith("D") or body.get("channel_name") == "directmessage"
    meta = _meta(
        f"cmd:{body_hash(raw_body)}",
        str(body.get("team_id") or ""),
        str(body.get("user_id") or ""),
        str(body.get("user_name") or ""),
        None if in_dm or not channel else channel,
    )
    return CommandIssued(meta, str(body.get("text") or "").strip())


def _team(body: Mapping[str, Any]) -> str:
    team = body.get("team")
    found = team.get("id") if isinstance(team, Mapping) else team
    return str(found or body.get("team_id") or "")


def _user(body: Mapping[str, Any]) -> tuple[str, str]:
    user = body.get("user")
    if not isinstance(user, Mapping):
        return str(user or ""), ""
    return str(user.get("id") or ""), str(user.get("name") or user.get("username") or "")


def parse_action(body: Mapping[str, Any]) -> ChoiceMade | OpenAnswer | OpenNote | None:
    """A button press on one of our messages; None for anything we did not render."""
    actions = body.get("actions") or []
    if not actions:
        return None
    parsed = parse_action_id(str(actions[0].get("action_id") or ""))
    if parsed is None or not INTERVENTION_ID.fullmatch(parsed[0]):
        return None
    iid, action, value = parsed
    user, name = _user(body)
    trigger = str(body.get("trigger_id") or "")
    # Interactions are not retried by Slack, but a double click gives a second trigger_id:
    # the engine itself ignores a second identical choice.
    meta = _meta(f"act:{trigger or actions[0].get('action_ts', '')}", _team(body), user, name)
    if action == "answer":
        return OpenAnswer(meta, iid, value, trigger)
    if action in FORM_OF:
        return OpenNote(meta, iid, action, value, trigger)
    if action in CHOICES:
        return ChoiceMade(meta, InterventionId(iid), action, value)
    return None


def parse_home_opened(body: Mapping[str, Any]) -> HomeOpened | None:
    event = body.get("event") or {}
    if event.get("type") != "app_home_opened" or event.get("tab", "home") != "home":
        return None
    team = str(body.get("team_id") or "")
    return HomeOpened(_meta(f"evt:{body.get('event_id', '')}", team, str(event.get("user", ""))))


@dataclass(frozen=True, slots=True)
class Written:
    """Someone wrote to the bot in its DM (what they wrote is not kept: it is never read)."""

    team: str
    user: str
    event_id: str


def parse_direct(body: Mapping[str, Any]) -> Written | None:
    """A `message.im` event written by a person. None for anything else: the bot's own
    messages (a bot_id, or the user the app acts as), edits and deletions (a subtype),
    messages in channels or group DMs."""
    event = body.get("event") or {}
    if event.get("type") != "message" or event.get("channel_type") != "im":
        return None
    if event.get("subtype") or event.get("bot_id"):
        return None
    user = str(event.get("user") or "")
    bots = {str(a.get("user_id")) for a in body.get("authorizations") or [] if a.get("is_bot")}
    if not user or user in bots:
        return None
    return Written(str(body.get("team_id") or ""), user, str(body.get("event_id") or ""))


def _selected(state: Mapping[str, Any]) -> str | None:
    option = state.get("selected_option")
    return str(option["value"]) if option else None


def _selected_many(state: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(o["value"]) for o in state.get("selected_options") or [])


def _visibility(value: str | None) -> Visibility | None:
    for known in VISIBILITIES:
        if value == known:
            return known
    return None


def parse_submission(body: Mapping[str, Any]) -> tuple[AnswerSubmitted | None, list[FieldError]]:
    """The answer modal, typed per kind: open/restate str, scale int, choice/consent str,
    multi/rank tuple, dots {option: count}; prompts shown and left empty are listed as such.
    What the values mean (valid, a skip, a repeat) is the engine's to say: only what cannot
    be read at all comes back here, as an error under its input; a form whose metadata the
    bot did not write raises Unreadable."""
    view = body.get("view") or {}
    if view.get("callback_id") != ANSWER_CALLBACK:
        return None, []
    iid, round_key = _target(view.get("private_metadata"))
    values: Mapping[str, Mapping[str, Any]] = (view.get("state") or {}).get("values") or {}
    answers: dict[str, AnswerValue] = {}
    errors: list[FieldError] = []
    ranks: dict[str, dict[int, str]] = {}
    dots: dict[str, dict[str, int]] = {}
    order: list[str] = []
    for block_id, actions in values.items():
        if block_id == VISIBILITY_BLOCK:
            continue
        kind, _, rest = block_id.partition("|")
        key, _, extra = rest.partition("|")
        state = actions.get("v") or {}
        if key not in order:
            order.append(key)
        if kind in ("open", "restate"):
            text = str(state.get("value") or "").strip()
            if text:
                answers[key] = text
        elif kind == "scale":
            chosen = _selected(state)
            if chosen is not None:
                if chosen.lstrip("-").isdigit():
                    answers[key] = int(chosen)
                else:
                    errors.append(FieldError(block_id, "error.answer_invalid"))
        elif kind in ("choice", "consent"):
            chosen = _selected(state)
            if chosen is not None:
                answers[key] = chosen
        elif kind == "multi":
            many = _selected_many(state)
            if many:
                answers[key] = many
        elif kind == "rank":
            chosen = _selected(state)
            if chosen is not None and extra.isdigit():
                ranks.setdefault(key, {})[int(extra)] = chosen
        elif kind == "dots":
            raw = state.get("value")
            if raw not in (None, ""):
                if not str(raw).isdigit():
                    errors.append(FieldError(block_id, "error.answer_invalid"))
                elif int(str(raw)) > 0:
                    dots.setdefault(key, {})[extra] = int(str(raw))
    for key, places in ranks.items():
        answers[key] = tuple(places[p] for p in sorted(places))
    for key, spread in dots.items():
        answers[key] = spread
    if errors:
        return None, errors
    user, name = _user(body)
    meta = _meta(f"view:{view.get('id', '')}:{view.get('hash', '')}", _team(body), user, name)
    visibility = _selected(values.get(VISIBILITY_BLOCK, {}).get("v") or {})
    return (
        AnswerSubmitted(
            meta,
            InterventionId(iid),
            round_key,
            answers,
            _visibility(visibility),
            tuple(k for k in order if k not in answers),
        ),
        [],
    )


def _target(metadata: Any) -> tuple[str, str]:
    """The intervention and round an answer form was opened for (its private_metadata)."""
    try:
        target = json.loads(metadata) if isinstance(metadata, str) else None
    except ValueError:
        target = None
    iid = target.get("i") if isinstance(target, dict) else None
    round_key = target.get("r") if isinstance(target, dict) else None
    if not isinstance(iid, str) or not INTERVENTION_ID.fullmatch(iid):
        raise Unreadable("/view/private_metadata was not written by this bot")
    if not isinstance(round_key, str) or not 0 < len(round_key) <= 100:
        raise Unreadable("/view/private_metadata names no round")
    return iid, round_key


def parse_note(body: Mapping[str, Any]) -> NoteSubmitted | None:
    """A safety form sent back: its text, the name choice, a flag's reason and item."""
    view = body.get("view") or {}
    if view.get("callback_id") != NOTE_CALLBACK:
        return None
    try:
        sent = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        raise Unreadable("/view/private_metadata was not written by this bot") from None
    if not isinstance(sent, dict):
        raise Unreadable("/view/private_metadata was not written by this bot")
    values: Mapping[str, Mapping[str, Any]] = (view.get("state") or {}).get("values") or {}

    def field(name: str) -> Mapping[str, Any]:
        return values.get(f"note|{name}|", {}).get("v") or {}

    user, name = _user(body)
    meta = _meta(f"view:{view.get('id', '')}:{view.get('hash', '')}", _team(body), user, name)
    return note_submitted(
        meta,
        str(sent.get("i", "")),
        str(sent.get("a", "")),
        str(sent.get("v", "")),
        str(field("text").get("value") or ""),
        _selected(field("who")) or "",
        _selected(field("reason")) or "",
        _selected(field("item")) or "",
    )


def input_blocks(body: Mapping[str, Any]) -> dict[str, str]:
    """The first input of each prompt in a submitted modal: where a problem with it shows."""
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    firsts: dict[str, str] = {}
    for block_id in values:
        if block_id != VISIBILITY_BLOCK:
            firsts.setdefault(block_id.partition("|")[2].partition("|")[0], block_id)
    return firsts
