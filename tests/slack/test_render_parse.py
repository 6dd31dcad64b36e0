"""The pure edges: Block Kit rendering within Slack's limits, and typed parsing of the modal."""

from __future__ import annotations

import json

from bot.adapters.slack.parse import parse_action, parse_command, parse_submission
from bot.adapters.slack.render import answer_view, chunks, escape, message_payloads
from bot.core.events import AnswerSubmitted, ChoiceMade
from bot.core.model import Locale
from bot.core.ports import AnswerForm, FormField, OutButton, OutMessage, Segment, VisibilityOption


def form(*fields: FormField, locale: Locale = "en") -> AnswerForm:
    vis = (VisibilityOption("facilitator", "Facilitation", "Only the facilitator reads it."),)
    title = "A title longer than twenty-four"
    hint = "A question left empty is skipped."
    partial = {"en": "Too large", "fr": "Ce formulaire dépasse"}[locale]
    return AnswerForm(
        "I1",
        "r.k",
        title,
        fields,
        vis,
        "facilitator",
        "Send",
        hint,
        locale,
        "Close",
        "Who?",
        partial,
    )


def submit(view: dict[str, object], values: dict[str, dict[str, object]]) -> dict[str, object]:
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "view": {**view, "id": "V1", "hash": "h1", "state": {"values": values}},
    }


def test_escape_neutralises_every_slack_control_sequence() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"


def test_long_text_is_split_into_3000_character_sections_without_breaking_entities() -> None:
    text = escape("<" * 5000)
    parts = chunks(text)
    assert all(len(p) <= 3000 for p in parts) and "".join(parts) == text
    assert all(p.startswith("&lt;") for p in parts)


def test_a_huge_message_continues_in_its_thread_and_buttons_come_last() -> None:
    msg = OutMessage((Segment("x\n" * 90_000, relayed=True),), (OutButton("tst:I:a:b", "Go"),))
    payloads = message_payloads(msg)
    assert len(payloads) > 1 and all(len(p["blocks"]) <= 50 for p in payloads)
    assert payloads[-1]["blocks"][-1]["type"] == "actions"
    assert all(p["unfurl_links"] is False and p["unfurl_media"] is False for p in payloads)


def test_the_modal_has_one_input_per_kind_visibility_explained_and_how_to_skip() -> None:
    view = answer_view(
        form(
            FormField("p.open", "open", "Open", max_length=5000),
            FormField("p.scale", "scale", "Scale", (("1", "1"), ("2", "2")), 1, 2),
            FormField("p.dots", "dots", "Dots", (("1", "#1"), ("2", "#2")), budget=3),
            FormField("p.rank", "rank", "Rank", (("1", "#1"), ("2", "#2")), budget=2),
        )
    )
    ids = [b.get("block_id") for b in view["blocks"]]
    assert "open|p.open|3000" in ids and "scale|p.scale|1-2" in ids
    assert "dots|p.dots|1" in ids and "rank|p.rank|2" in ids
    assert "visibility" in ids
    assert "Only the facilitator reads it." in json.dumps(view)
    assert "A question left empty is skipped." in json.dumps(view)
    assert len(view["title"]["text"]) <= 24


def test_a_form_beyond_100_blocks_says_so_and_stays_valid() -> None:
    many = tuple(FormField(f"p{i}", "open", f"Q{i}") for i in range(150))
    view = answer_view(form(*many, locale="fr"))
    assert len(view["blocks"]) <= 100
    assert "dépasse" in json.dumps(view, ensure_ascii=False)


def test_a_submission_is_typed_per_kind() -> None:
    view = answer_view(form())
    values = {
        "open|p.open|3000": {"v": {"type": "plain_text_input", "value": " text "}},
        "scale|p.scale|1-5": {"v": {"type": "static_select", "selected_option": {"value": "4"}}},
        "multi|p.multi|": {"v": {"selected_options": [{"value": "a"}, {"value": "b"}]}},
        "rank|p.rank|2": {"v": {"selected_option": {"value": "7"}}},
        "rank|p.rank|1": {"v": {"selected_option": {"value": "9"}}},
        "dots|p.dots|7": {"v": {"type": "number_input", "value": "2"}},
        "dots|p.dots|9": {"v": {"type": "number_input", "value": "0"}},
        "visibility": {"v": {"selected_option": {"value": "group_anonymous"}}},
    }
    event, errors = parse_submission(submit(view, values))
    assert not errors and isinstance(event, AnswerSubmitted)
    assert event.answers == {
        "p.open": "text",
        "p.scale": 4,
        "p.multi": ("a", "b"),
        "p.rank": ("9", "7"),
        "p.dots": {"7": 2},
    }
    assert event.visibility == "group_anonymous" and event.meta.event_id == "view:V1:h1"


def test_a_submission_reports_empty_inputs_and_only_what_cannot_be_read() -> None:
    """Judging values (too long, out of range, a skip) is the engine's: the parser types them,
    lists the prompts left empty, and refuses only what is not a value at all."""
    view = answer_view(form())
    values = {
        "open|p|10": {"v": {"value": "  "}},
        "open|q|10": {"v": {"value": "x" * 11}},
        "scale|s|1-5": {"v": {"selected_option": {"value": "9"}}},
        "dots|d|7": {"v": {"value": "0"}},
    }
    event, errors = parse_submission(submit(view, values))
    assert not errors and event is not None
    assert event.answers == {"q": "x" * 11, "s": 9}
    assert event.left_empty == ("p", "d")
    unreadable = {"dots|d|7": {"v": {"value": "two"}}}
    assert [e.key for e in parse_submission(submit(view, unreadable))[1]] == [
        "error.answer_invalid"
    ]


def test_buttons_and_commands_parse_to_core_events() -> None:
    click = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "trigger_id": "t1",
        "actions": [{"action_id": "tst:I1:consent:accept"}],
    }
    assert parse_action(click) == ChoiceMade(
        parse_action(click).meta,
        "I1",
        "consent",
        "accept",  # type: ignore[union-attr, arg-type]
    )
    dm = parse_command({"team_id": "T1", "user_id": "U1", "channel_id": "D1", "text": "join"}, "b")
    assert dm.meta.channel is None and dm.text == "join"


def test_an_edit_starts_from_the_answer_given_and_sending_it_unchanged_keeps_it() -> None:
    answered = form(
        FormField("p.open", "open", "Open", current="Déjà dit <ici>"),
        FormField("p.scale", "scale", "Scale", (("1", "1"), ("2", "2")), 1, 2, current=2),
        FormField(
            "p.multi", "multi", "Multi", (("a", "A"), ("b", "B"), ("c", "C")), current=("a", "c")
        ),
        FormField(
            "p.rank", "rank", "Rank", (("7", "#7"), ("9", "#9")), budget=2, current=("9", "7")
        ),
        FormField("p.dots", "dots", "Dots", (("7", "#7"), ("9", "#9")), budget=3, current={"9": 3}),
    )
    view = answer_view(answered)
    # What Slack puts in view.state when the person presses Send without touching anything.
    values: dict[str, dict[str, object]] = {}
    for block in view["blocks"]:
        element = block.get("element", {})
        if "initial_value" in element:
            values[block["block_id"]] = {"v": {"value": element["initial_value"]}}
        elif "initial_option" in element:
            values[block["block_id"]] = {"v": {"selected_option": element["initial_option"]}}
        elif "initial_options" in element:
            values[block["block_id"]] = {"v": {"selected_options": element["initial_options"]}}
    event, errors = parse_submission(submit(view, values))
    assert not errors and isinstance(event, AnswerSubmitted)
    assert event.answers == {
        "p.open": "Déjà dit <ici>",
        "p.scale": 2,
        "p.multi": ("a", "c"),
        "p.rank": ("9", "7"),
        "p.dots": {"9": 3},
    }
