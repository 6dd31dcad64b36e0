"""Pure rendering: OutMessage -> chat.postMessage payloads, AnswerForm -> modal view JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.core.ports import AnswerForm, FormField, NoteForm, OutButton, OutMessage, Segment

MAX_SECTION = 3000  # characters in one section block's text
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT_INPUT = 3000
MAX_ACTIONS = 25  # elements in one actions block
MAX_OPTION_TEXT = 75
MAX_TITLE = 24  # modal title, submit and close labels
MAX_FALLBACK = 2000
ANSWER_CALLBACK = "tst_answer"
NOTE_CALLBACK = "tst_note"
VISIBILITY_BLOCK = "visibility"


def escape(text: str) -> str:
    """Slack's three control characters: once escaped, no `<!channel>` or `<@U..>` can form."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(segments: Sequence[Segment]) -> str:
    # Trusted catalog text is escaped too: it is plain text, never Slack markup.
    return "".join(f"<#{s.channel}>" if s.channel else escape(s.text) for s in segments)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _safe_cut(text: str, limit: int) -> int:
    """A cut point <= limit that falls on a line break if possible and never inside `&amp;`."""
    cut = text.rfind("\n", 0, limit + 1)
    if cut <= limit // 2:
        cut = limit
        amp = text.rfind("&", max(0, cut - 5), cut)
        if amp != -1 and ";" not in text[amp:cut]:
            cut = amp
    return max(cut, 1)


def chunks(text: str, limit: int = MAX_SECTION) -> list[str]:
    out: list[str] = []
    while len(text) > limit:
        cut = _safe_cut(text, limit)
        out.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text.strip():
        out.append(text)
    return out


def plain(text: str, limit: int = MAX_OPTION_TEXT) -> dict[str, Any]:
    # plain_text is never parsed for mentions, so relayed text in labels is inert as it is.
    return {"type": "plain_text", "text": _truncate(text or " ", limit), "emoji": False}


def section(text: str) -> dict[str, Any]:
    # verbatim: no automatic parsing of mentions, channel names or URLs in this text.
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def button(b: OutButton) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "button",
        "action_id": b.action_id,
        "value": b.action_id,
        "text": plain(b.label),
    }
    if b.style in ("primary", "danger"):
        out["style"] = b.style
    return out


def message_payloads(msg: OutMessage) -> list[dict[str, Any]]:
    """One message, or several when it exceeds 50 blocks (the rest go in its thread)."""
    blocks: list[dict[str, Any]] = [section(c) for c in chunks(mrkdwn(msg.segments))]
    buttons = [button(b) for b in msg.buttons]
    for start in range(0, len(buttons), MAX_ACTIONS):
        blocks.append({"type": "actions", "elements": buttons[start : start + MAX_ACTIONS]})
    if not blocks:
        blocks.append(section(" "))
    fallback = escape(_truncate(msg.plain(), MAX_FALLBACK)) or " "
    payloads = []
    for start in range(0, len(blocks), MAX_MESSAGE_BLOCKS):
        payloads.append(
            {
                "text": fallback,
                "blocks": blocks[start : start + MAX_MESSAGE_BLOCKS],
                "unfurl_links": False,
                "unfurl_media": False,
                "link_names": False,
            }
        )
    return payloads


def fit(replies: Sequence[OutMessage], most: int) -> list[OutMessage]:
    """At most `most` messages (a response_url takes five posts): the last one carries the
    lines and buttons of all the others that did not fit, so none is lost."""
    if len(replies) <= most:
        return list(replies)
    rest = replies[most - 1 :]
    joined = tuple(s for n, r in enumerate(rest) for s in (Segment("\n"),) * bool(n) + r.segments)
    buttons = tuple(b for r in rest for b in r.buttons)
    images = tuple(i for r in rest for i in r.images)
    return [*replies[: most - 1], OutMessage(joined, buttons, images=images)]


def ephemeral(msg: OutMessage) -> dict[str, Any]:
    """A reply through `response_url`, seen only by the person who acted."""
    payload = {k: v for k, v in message_payloads(msg)[0].items() if k != "link_names"}
    return {**payload, "response_type": "ephemeral", "replace_original": False}


def notice_view(text: str) -> dict[str, Any]:
    """A modal holding one line and no input: what a view submission is answered with when
    the bot could not read it (Slack shows it in place of the form)."""
    return {"type": "modal", "title": plain("TST", 24), "blocks": [section(escape(text))]}


# --- the answer modal -------------------------------------------------------------------------
# Block ids carry the field's kind and what parsing needs ("kind|prompt|extra"), so a submission
# is parsed from the payload alone, whatever happened to the process meanwhile.


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label), "value": value[:150]}


def _input(block_id: str, label: str, element: dict[str, Any], hint: str = "") -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain(label, 2000),
        "element": {**element, "action_id": "v"},
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _choice_element(field: FormField, many: bool) -> dict[str, Any]:
    options = [_option(v, label) for v, label in field.options][:100]
    if len(options) <= 10:
        element = {"type": "checkboxes" if many else "radio_buttons", "options": options}
    else:
        element = {"type": "multi_static_select" if many else "static_select", "options": options}
    return _with_current(element, options, field.current)


def _with_current(
    element: dict[str, Any], options: list[dict[str, Any]], current: object
) -> dict[str, Any]:
    """Pre-select what the person answered before: editing starts from their answer. Slack
    rejects an initial option that is not one of the options, so only those are kept."""
    chosen = [str(v) for v in current] if isinstance(current, tuple) else [str(current)]
    picked = [o for o in options if o["value"] in chosen]
    if current is None or not picked:
        return element
    if element["type"] in ("checkboxes", "multi_static_select"):
        return {**element, "initial_options": picked}
    return {**element, "initial_option": picked[0]}


def field_blocks(field: FormField) -> list[dict[str, Any]]:
    key, kind = field.prompt_key, field.kind
    if kind in ("open", "restate"):
        limit = min(field.max_length or MAX_TEXT_INPUT, MAX_TEXT_INPUT)
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "multiline": True,
            "max_length": limit,
        }
        if isinstance(field.current, str) and field.current:
            element["initial_value"] = field.current[:limit]
        return [_input(f"{kind}|{key}|{limit}", field.label, element, field.hint)]
    if kind == "scale":
        element = _choice_element(field, many=False)
        bounds = f"{field.minimum}-{field.maximum}"
        return [_input(f"scale|{key}|{bounds}", field.label, element, field.hint)]
    if kind in ("choice", "consent"):
        return [_input(f"{kind}|{key}|", field.label, _choice_element(field, False), field.hint)]
    if kind == "multi":
        return [_input(f"multi|{key}|", field.label, _choice_element(field, True), field.hint)]
    if kind == "rank":
        # One select per place: Slack does not keep the order of a multi-select.
        places = max(1, min(field.budget or len(field.options), len(field.options), 10))
        options = [_option(v, label) for v, label in field.options][:100]
        ranked = field.current if isinstance(field.current, tuple) else ()
        return [
            _input(
                f"rank|{key}|{place}",
                f"{field.label} — {place}" if place > 1 else field.label,
                _with_current(
                    {"type": "static_select", "options": options},
                    options,
                    ranked[place - 1] if place <= len(ranked) else None,
                ),
                field.hint if place == 1 else "",
            )
            for place in range(1, places + 1)
        ]
    if kind == "dots":
        budget = field.budget or 1
        placed = dict(field.current) if isinstance(field.current, Mapping) else {}
        head = [section(escape(field.label + (f"\n{field.hint}" if field.hint else "")))]
        return head + [
            _input(
                f"dots|{key}|{value}",
                label,
                {
                    "type": "number_input",
                    "is_decimal_allowed": False,
                    "min_value": "0",
                    "max_value": str(budget),
                    **({"initial_value": str(placed[value])} if placed.get(value) else {}),
                },
            )
            for value, label in field.options
        ]
    return [_input(f"open|{key}|{MAX_TEXT_INPUT}", field.label, {"type": "plain_text_input"})]


def _visibility_blocks(form: AnswerForm) -> list[dict[str, Any]]:
    options = [_option(v.value, v.label) for v in form.visibility_options]
    if not options:
        return []
    initial = next((o for o in options if o["value"] == form.default_visibility), options[0])
    # Radio descriptions are capped at 75 characters, so each whole sentence is shown below.
    explained = "\n".join(
        f"*{escape(v.label)}* — {escape(v.explanation)}" for v in form.visibility_options
    )
    return [
        {
            "type": "input",
            "block_id": VISIBILITY_BLOCK,
            "label": plain(form.visibility_label, 2000),
            "element": {
                "type": "radio_buttons",
                "action_id": "v",
                "options": options,
                "initial_option": initial,
            },
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": explained[:3000]}]},
    ]


def answer_view(form: AnswerForm) -> dict[str, Any]:
    """The modal: one input per prompt (fitting its kind), the visibility choice, and how to
    skip (leave a question empty), in the reader's language."""
    tail = _visibility_blocks(form)
    hint = {"type": "context", "elements": [plain(form.skip_hint, 2000)]}
    head = [section(escape(form.title)), hint]
    body: list[dict[str, Any]] = []
    shown = 0
    room = MAX_VIEW_BLOCKS - len(head) - len(tail) - 1  # a possible notice
    for field in form.fields:
        blocks = field_blocks(field)
        if len(body) + len(blocks) > room:
            break
        body += blocks
        shown += 1
    if shown < len(form.fields):
        notice = escape(form.partial_notice)
        head.append({"type": "context", "elements": [{"type": "mrkdwn", "text": notice}]})
    return {
        "type": "modal",
        "callback_id": ANSWER_CALLBACK,
        "private_metadata": json.dumps({"i": form.intervention, "r": form.round_key}),
        "title": plain(form.title, MAX_TITLE),
        "submit": plain(form.submit_label, MAX_TITLE),
        "close": plain(form.close_label, MAX_TITLE),
        "blocks": head + body + tail,
    }


# --- the safety forms -------------------------------------------------------------------------


def _note_input(
    name: str, label: str, element: dict[str, Any], optional: bool = False
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": f"note|{name}|",
        "optional": optional,
        "label": plain(label, 2000),
        "element": {**element, "action_id": "v"},
    }


def _choices(pairs: Sequence[tuple[str, str]], initial: str = "") -> dict[str, Any]:
    options = [_option(v, label) for v, label in pairs][:100]
    element: dict[str, Any] = {
        "type": "radio_buttons" if len(options) <= 10 else "static_select",
        "options": options,
    }
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def note_view(form: NoteForm) -> dict[str, Any]:
    """A safety form as a modal: what happens to what is written first, then the inputs.
    Without a name is the preselected choice: a name is only ever given on purpose."""
    blocks: list[dict[str, Any]] = [
        {"type": "context", "elements": [plain(form.explanation, 2000)]}
    ]
    if form.items:
        blocks.append(_note_input("item", form.item_label, _choices(form.items)))
    if form.reasons:
        blocks.append(_note_input("reason", form.reason_label, _choices(form.reasons)))
    limit = min(form.max_length, MAX_TEXT_INPUT)
    text = {"type": "plain_text_input", "multiline": True, "max_length": limit}
    blocks.append(_note_input("text", form.text_label, text, optional=not form.text_required))
    if form.who:
        blocks.append(_note_input("who", form.who_label, _choices(form.who, form.who[0][0])))
    return {
        "type": "modal",
        "callback_id": NOTE_CALLBACK,
        "private_metadata": json.dumps({"i": form.intervention, "a": form.action, "v": form.value}),
        "title": plain(form.title, MAX_TITLE),
        "submit": plain(form.submit_label, MAX_TITLE),
        "close": plain(form.close_label, MAX_TITLE),
        "blocks": blocks,
    }
