"""Pure functions from OutMessage and AnswerForm to Discord message and modal payload dicts."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from bot.adapters.discord.parse import VISIBILITY_INPUT, field_id, modal_id, note_modal_id
from bot.core.ports import AnswerForm, FormField, NoteForm, OutButton, OutMessage

MAX_CONTENT = 2000
MAX_MODAL_ITEMS = 5  # Discord's cap on a modal's top-level components
MAX_OPTIONS = 25
EPHEMERAL = 1 << 6
SUPPRESS_EMBEDS = 1 << 2
NO_MENTIONS: dict[str, Any] = {"parse": [], "users": [], "roles": [], "replied_user": False}
STYLES = {"primary": 1, "danger": 4, "": 2}
ZWSP = "\u200b"
# Text that Discord turns into a ping or a channel/role/user/emoji reference.
PINGS = re.compile(r"@(everyone|here)|<(@[!&]?|#|/|a?:)")


def inert(text: str) -> str:
    """Participant text shown as written but unable to ping: a zero-width space breaks each
    `@everyone`, `@here` and `<@…>`; allowed_mentions none is the second lock."""
    return PINGS.sub(lambda m: m.group(0)[0] + ZWSP + m.group(0)[1:], text)


def content_of(msg: OutMessage) -> str:
    return "".join(
        f"<#{s.channel}>" if s.channel else inert(s.text) if s.relayed else s.text
        for s in msg.segments
    )


def has_relayed(msg: OutMessage) -> bool:
    return any(s.relayed for s in msg.segments)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chunks(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Split long text on line breaks (then anywhere) into Discord-sized messages."""
    out: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        out.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    out.append(rest)
    return out


def button(b: OutButton) -> dict[str, Any]:
    return {
        "type": 2,
        "style": STYLES.get(b.style, 2),
        "label": b.label[:80],
        "custom_id": b.action_id,
    }


def action_rows(buttons: tuple[OutButton, ...]) -> list[dict[str, Any]]:
    """Five buttons per row, five rows at most."""
    rows = [buttons[i : i + 5] for i in range(0, min(len(buttons), 25), 5)]
    return [{"type": 1, "components": [button(b) for b in row]} for row in rows]


def message_payloads(msg: OutMessage) -> list[dict[str, Any]]:
    """One or more message bodies (long text split); buttons ride on the last one. Every body
    carries allowed_mentions none, and bodies with relayed text do not unfurl links."""
    texts = chunks(content_of(msg))
    flags = SUPPRESS_EMBEDS if has_relayed(msg) else 0
    bodies: list[dict[str, Any]] = [
        {"content": t, "allowed_mentions": NO_MENTIONS, "flags": flags} for t in texts
    ]
    if msg.buttons:
        bodies[-1]["components"] = action_rows(msg.buttons)
    if msg.files:
        bodies[-1]["attachments"] = [
            {"id": i, "filename": f.name, "description": shorten(f.title, 1024)}
            for i, f in enumerate(msg.files)
        ]
    return bodies


def nonce(channel: str, body: dict[str, Any], part: int = 0) -> str:
    """A stable nonce for the same body to the same channel, so a retried send (after a timeout
    that hid Discord's acceptance) returns the first message instead of posting twice."""
    digest = hashlib.sha256(f"{channel}:{part}:{json.dumps(body, sort_keys=True)}".encode())
    return digest.hexdigest()[:25]


def overwrite(target: str, kind: int, allow: int = 0, deny: int = 0) -> dict[str, Any]:
    """A permission overwrite for a role (`kind` 0; the guild id is @everyone) or a member (1)."""
    return {"id": str(target), "type": kind, "allow": str(allow), "deny": str(deny)}


def channel_name(name: str) -> str:
    """A text channel name as Discord shows it: lower case, words joined by hyphens."""
    slug = re.sub(r"[^\w]+", "-", name.lower()).strip("-")
    return slug[:100] or "tst"


def ephemeral(text: str, buttons: tuple[OutButton, ...] = ()) -> dict[str, Any]:
    body: dict[str, Any] = {
        "content": shorten(text, MAX_CONTENT),
        "flags": EPHEMERAL,
        "allowed_mentions": NO_MENTIONS,
    }
    if buttons:
        body["components"] = action_rows(buttons)
    return body


# -- modals ----------------------------------------------------------------------------------


def visibility_slots(form: AnswerForm) -> int:
    """The explanation (a text display) and, when there is a choice, its select."""
    return 1 if len(form.visibility_options) <= 1 else 2


def pages(form: AnswerForm) -> list[list[int]]:
    """Field indexes per modal page. The first page starts with who will read the answer, so
    the choice is made (and explained) before anything is written."""
    first = MAX_MODAL_ITEMS - visibility_slots(form)
    indexes = list(range(len(form.fields)))
    out = [indexes[:first]]
    rest = indexes[first:]
    out += [rest[i : i + MAX_MODAL_ITEMS] for i in range(0, len(rest), MAX_MODAL_ITEMS)]
    return out


def modal(
    form: AnswerForm, page: int, visibility_label: str, title_suffix: str = ""
) -> dict[str, Any]:
    """The modal body for one page (type 9 callback data)."""
    components: list[dict[str, Any]] = []
    if page == 0:
        components += visibility_components(form, visibility_label)
    components += [field_component(i, form.fields[i]) for i in pages(form)[page]]
    return {
        "custom_id": modal_id(form.intervention, form.round_key, page),
        "title": shorten(form.title + title_suffix, 45),
        "components": components,
    }


def visibility_components(form: AnswerForm, label: str) -> list[dict[str, Any]]:
    """Who reads the answers, and how to skip from the form (leave a question empty)."""
    lines = "\n".join(
        [*(f"{o.label} — {o.explanation}" for o in form.visibility_options), form.skip_hint]
    )
    out: list[dict[str, Any]] = [{"type": 10, "content": shorten(lines, 4000)}]
    if len(form.visibility_options) > 1:
        options = [
            {
                "label": shorten(o.label, 100),
                "value": o.value,
                "description": shorten(o.explanation, 100),
                "default": o.value == form.default_visibility,
            }
            for o in form.visibility_options
        ]
        select = {
            "type": 3,
            "custom_id": VISIBILITY_INPUT,
            "options": options,
            "min_values": 1,
            "max_values": 1,
            "required": True,
        }
        out.append({"type": 18, "label": shorten(label, 45), "component": select})
    return out


def field_component(index: int, f: FormField) -> dict[str, Any]:
    """A Label (type 18) around the input; long prompt texts continue in its description.
    The person's answer so far is pre-filled, so editing starts from it and sending the form
    unchanged keeps it."""
    label = shorten(f.label, 45)
    description = f.label if len(f.label) > 45 else f.hint
    inner: dict[str, Any]
    if f.kind in ("open", "restate", "dots") or not f.options:
        limit = max(1, min(f.max_length, 4000))
        inner = {
            "type": 4,
            "custom_id": field_id(index),
            "style": 2,
            "required": False,
            "max_length": limit,
        }
        if f.kind == "dots":
            placed = dict(f.current) if isinstance(f.current, Mapping) else {}
            inner["value"] = "\n".join(
                shorten(f"{value}: {placed.get(value, 0)}  {text}", 100)
                for value, text in f.options[:MAX_OPTIONS]
            )[:limit]
        elif isinstance(f.current, str) and f.current:
            inner["value"] = f.current[:limit]
    else:
        many = f.kind in ("multi", "rank")
        options = f.options[:MAX_OPTIONS]
        most = min(len(options), f.budget or len(options)) if many else 1
        current = f.current if isinstance(f.current, tuple) else (f.current,)
        chosen = [str(c) for c in current if c is not None][:most]
        inner = {
            "type": 3,
            "custom_id": field_id(index),
            "options": [
                {"label": shorten(t, 100), "value": v, "default": v in chosen} for v, t in options
            ],
            "min_values": 0,
            "max_values": most,
            "required": False,
        }
    out: dict[str, Any] = {"type": 18, "label": label, "component": inner}
    if description:
        out["description"] = shorten(description, 100)
    return out


# -- the safety forms ----------------------------------------------------------------------------


def _select(
    custom_id: str, label: str, pairs: tuple[tuple[str, str], ...], default: str = ""
) -> dict[str, Any]:
    options = [
        {"label": shorten(text, 100), "value": value, "default": value == default}
        for value, text in pairs[:MAX_OPTIONS]
    ]
    select = {
        "type": 3,
        "custom_id": custom_id,
        "options": options,
        "min_values": 1,
        "max_values": 1,
        "required": True,
    }
    return {"type": 18, "label": shorten(label, 45), "component": select}


def note_modal(form: NoteForm) -> dict[str, Any]:
    """A safety form as a modal (five components at most): what happens to what is written,
    which board item, the reason, the text, with or without one's name (without preselected:
    a name is only ever given on purpose)."""
    components: list[dict[str, Any]] = [{"type": 10, "content": shorten(form.explanation, 4000)}]
    if form.items:
        components.append(_select("item", form.item_label, form.items))
    if form.reasons:
        components.append(_select("reason", form.reason_label, form.reasons))
    text = {
        "type": 4,
        "custom_id": "text",
        "style": 2,
        "required": form.text_required,
        "max_length": max(1, min(form.max_length, 4000)),
    }
    components.append({"type": 18, "label": shorten(form.text_label, 45), "component": text})
    if form.who:
        components.append(_select("who", form.who_label, form.who, form.who[0][0]))
    return {
        "custom_id": note_modal_id(form.intervention, form.action, form.value),
        "title": shorten(form.title, 45),
        "components": components[:MAX_MODAL_ITEMS],
    }
