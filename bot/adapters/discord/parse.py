"""Pure functions from Discord interaction payloads to the core's events and typed answers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.events import CONTROL, EventMeta
from bot.core.model import AnswerValue, Locale, UserId
from bot.core.ports import AnswerForm, FormField

PLATFORM = "discord"
MODAL_PREFIX = "tstm"
NOTE_PREFIX = "tstn"  # the safety forms: tstn:<intervention>:<action>:<value>
VISIBILITY_INPUT = "vis"
DOTS_LINE = re.compile(r"^\s*#?([\w\-]+)\s*[:=]\s*(\d+)")
SUB_COMMAND, SUB_GROUP = 1, 2


def locale_of(raw: str | None) -> Locale | None:
    """Discord locales are `fr`, `en-US`, `en-GB`...; anything else reads the default."""
    if not raw:
        return None
    if raw.startswith("fr"):
        return "fr"
    if raw.startswith("en"):
        return "en"
    return None


def meta_from(payload: Mapping[str, Any]) -> EventMeta:
    """Who, where, and the interaction id (the dedupe key) of an INTERACTION_CREATE."""
    member = payload.get("member")
    user = member["user"] if member else payload.get("user") or {}
    guild = payload.get("guild_id")
    owners = payload.get("authorizing_integration_owners") or {}
    return EventMeta(
        platform=PLATFORM,
        event_id=f"i{payload['id']}",
        # A DM has no guild: the installing guild (owner "0") still names the workspace.
        workspace=str(guild or owners.get("0") or ""),
        user=UserId(str(user.get("id", ""))) if user else None,
        user_name=str(user.get("global_name") or user.get("username") or ""),
        channel=str(payload["channel_id"]) if guild and payload.get("channel_id") else None,
        locale=locale_of(payload.get("locale")),
    )


def command_text(options: Sequence[Mapping[str, Any]]) -> str:
    """`/tst round open args:intake` -> "round open intake", the core's text grammar."""
    words: list[str] = []
    current = list(options)
    while current:
        first = current[0]
        if first.get("type") in (SUB_COMMAND, SUB_GROUP):
            words.append(str(first["name"]))
            current = list(first.get("options") or [])
            continue
        words += [str(o["value"]) for o in current if o.get("value") not in (None, "")]
        break
    return " ".join(words)


def modal_id(intervention: str, round_key: str, page: int) -> str:
    return f"{MODAL_PREFIX}:{intervention}:{round_key}:{page}"


def parse_modal_id(raw: str) -> tuple[str, str, int] | None:
    parts = raw.split(":")
    if len(parts) != 4 or parts[0] != MODAL_PREFIX or not parts[3].isdigit():
        return None
    return parts[1], parts[2], int(parts[3])


def note_modal_id(intervention: str, action: str, value: str) -> str:
    built = f"{NOTE_PREFIX}:{intervention}:{action}:{value}"
    if len(built) > 100:  # Discord's cap on a custom_id
        raise ValueError(f"note form id too long: {built}")
    return built


def parse_note_modal_id(raw: str) -> tuple[str, str, str] | None:
    """(intervention, action, value); the value may itself hold colons (a flagged item)."""
    parts = raw.split(":", 3)
    if len(parts) != 4 or parts[0] != NOTE_PREFIX:
        return None
    return parts[1], parts[2], parts[3]


def field_id(index: int) -> str:
    return f"f{index}"


def modal_values(components: Sequence[Mapping[str, Any]]) -> dict[str, str | list[str]]:
    """Input values by custom_id, from Label (type 18) or legacy action-row (type 1) shapes."""
    out: dict[str, str | list[str]] = {}
    for top in components:
        inner: list[Mapping[str, Any]] = []
        if top.get("type") == 18 and top.get("component"):
            inner = [top["component"]]
        elif top.get("type") == 1:
            inner = list(top.get("components") or [])
        for c in inner:
            if "values" in c:
                out[c["custom_id"]] = [str(v) for v in c["values"]]
            elif "value" in c:
                out[c["custom_id"]] = str(c["value"] or "")
    return out


@dataclass(frozen=True, slots=True)
class Typed:
    """Typed answers of some fields, the prompts whose input came back empty, and `invalid`
    fields whose text could not be read."""

    answers: dict[str, AnswerValue]
    left_empty: tuple[str, ...]
    invalid: tuple[str, ...] = ()


def typed_answers(
    form: AnswerForm, indexes: Sequence[int], raw: Mapping[str, str | list[str]]
) -> Typed:
    """Values typed per field kind; an empty input is reported as such (what it means, a
    skip, is the engine's to say, as for every platform)."""
    answers: dict[str, AnswerValue] = {}
    left_empty: list[str] = []
    invalid: list[str] = []
    for i in indexes:
        f = form.fields[i]
        value = raw.get(field_id(i))
        try:
            typed = _typed(f, value)
        except ValueError:
            invalid.append(f.prompt_key)
            continue
        if typed is None:
            left_empty.append(f.prompt_key)
        else:
            answers[f.prompt_key] = typed
    return Typed(answers, tuple(left_empty), tuple(invalid))


def _typed(f: FormField, value: str | list[str] | None) -> AnswerValue | None:
    if value is None or value == "" or value == []:
        return None
    values = [value] if isinstance(value, str) else value
    if any(CONTROL.search(v) for v in values):
        raise ValueError("control characters")  # never typed in Discord; PostgreSQL refuses NUL
    if f.kind in ("multi", "rank"):
        return tuple(values)
    first = values[0].strip()
    if f.kind == "scale":
        return int(first)
    if f.kind == "dots":
        dots = {}
        for line in first.splitlines():
            m = DOTS_LINE.match(line)
            if m is None:
                if line.strip():
                    raise ValueError(line)
                continue
            if int(m.group(2)) > 0:
                dots[m.group(1)] = int(m.group(2))
        return dots or None
    return first or None


def visibility_of(raw: Mapping[str, str | list[str]]) -> str | None:
    value = raw.get(VISIBILITY_INPUT)
    if isinstance(value, list):
        return value[0] if value else None
    return value or None
