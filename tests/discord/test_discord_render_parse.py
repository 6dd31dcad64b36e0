"""The pure edges: `render` (OutMessage, AnswerForm -> Discord payloads) and `parse` (Discord
payloads -> core events and typed answers), on payloads shaped as the fake sends them."""

from __future__ import annotations

import pytest
from fakes import discord_payloads as P
from fakes.discord_gateway import FakeDiscord

from bot.adapters.discord import complete, parse, render
from bot.core.ports import AnswerForm, FormField, OutButton, OutMessage, Segment, VisibilityOption


def test_relayed_text_keeps_its_words_but_cannot_ping_or_reference_anything() -> None:
    text = "@everyone @here <@12> <@!12> <@&34> <#56> </tst:78> <:smile:90> <a:wave:91>"
    out = render.inert(text)
    for ping in ("@everyone", "@here", "<@", "<#", "</", "<:", "<a:"):
        assert ping not in out, ping
    assert out.replace(render.ZWSP, "") == text


def test_a_long_message_is_split_on_lines_and_its_buttons_ride_on_the_last_part() -> None:
    lines = [f"ligne {n} " + "x" * 90 for n in range(60)]  # about 6000 characters
    buttons = tuple(OutButton(f"tst:i:skip:{n}", f"b{n}") for n in range(7))
    msg = OutMessage((Segment("\n".join(lines), relayed=True),), buttons)
    bodies = render.message_payloads(msg)
    assert len(bodies) == 3 and all(len(b["content"]) <= 2000 for b in bodies)
    assert all(not b["content"].startswith("\n") for b in bodies)
    assert [len(r["components"]) for r in bodies[-1]["components"]] == [5, 2]
    assert all("components" not in b for b in bodies[:-1])
    assert all(b["allowed_mentions"] == render.NO_MENTIONS for b in bodies)
    assert all(b["flags"] == render.SUPPRESS_EMBEDS for b in bodies)  # relayed: no unfurl


def form(fields: int, choices: int = 3) -> AnswerForm:
    visibility = tuple(VisibilityOption(f"v{n}", f"V{n}", f"read by {n}") for n in range(choices))
    return AnswerForm(
        "iid",
        "info.our_part",
        "Notre part",
        tuple(FormField(f"p{n}", "open", f"question {n}") for n in range(fields)),
        visibility,
        "v0",
        "Envoyer",
        "Une question laissée vide est passée.",
        "fr",
        "Fermer",
        "Qui lira ?",
        "Trop long",
    )


@pytest.mark.parametrize("fields", range(1, 13))
def test_every_modal_page_fits_discords_five_components_and_loses_no_field(fields: int) -> None:
    f = form(fields)
    pages = render.pages(f)
    assert sorted(i for page in pages for i in page) == list(range(fields))
    for n in range(len(pages)):
        body = render.modal(f, n, "Qui lira", f" ({n + 1}/{len(pages)})")
        assert 1 <= len(body["components"]) <= render.MAX_MODAL_ITEMS
        assert len(body["title"]) <= 45
        assert parse.parse_modal_id(body["custom_id"]) == ("iid", "info.our_part", n)
    first = render.modal(f, 0, "Qui lira")["components"]
    assert first[0]["type"] == 10 and "read by 0" in first[0]["content"]  # who reads, first
    assert "laissée vide est passée" in first[0]["content"]  # and how to skip, before writing
    assert first[1]["component"]["custom_id"] == parse.VISIBILITY_INPUT


def test_a_single_visibility_is_explained_without_a_choice() -> None:
    first = render.modal(form(2, choices=1), 0, "Qui lira")["components"]
    assert [c["type"] for c in first] == [10, 18, 18]


def test_an_interaction_payload_gives_who_where_and_the_dedupe_key() -> None:
    fake = FakeDiscord()
    ana = fake.add_user("ana")
    fake.dm_channels[ana] = fake.next_id()
    data = {"id": "1", "name": "tst", "type": 1}
    in_guild = parse.meta_from(P.interaction(fake, 7, "t", 2, ana, data, None, False, "en-GB"))
    assert (in_guild.event_id, in_guild.user, in_guild.user_name) == ("i7", str(ana), "Ana")
    assert (in_guild.workspace, in_guild.channel) == (str(fake.guild_id), str(fake.channel_id))
    assert in_guild.locale == "en"
    dm = fake.dm_channels[ana]
    in_dm = parse.meta_from(P.interaction(fake, 8, "t", 3, ana, {}, dm, True))
    assert (in_dm.workspace, in_dm.channel, in_dm.locale) == (str(fake.guild_id), None, "fr")


def test_sub_command_options_read_as_the_text_grammar() -> None:
    options = [
        {
            "name": "round",
            "type": 2,
            "options": [
                {"name": "open", "type": 1, "options": [{"name": "args", "type": 3, "value": "x"}]}
            ],
        }
    ]
    assert parse.command_text(options) == "round open x"
    assert parse.command_text([{"name": "status", "type": 1, "options": []}]) == "status"


def test_submitted_values_are_read_from_labels_and_legacy_rows_and_typed() -> None:
    components = [
        {"type": 18, "id": 1, "component": {"type": 3, "custom_id": "vis", "values": ["v1"]}},
        {"type": 18, "id": 2, "component": {"type": 3, "custom_id": "f0", "values": ["4"]}},
        {"type": 1, "components": [{"type": 4, "custom_id": "f1", "value": "a: 2\nb: 0\nc: 1"}]},
        {"type": 18, "id": 4, "component": {"type": 4, "custom_id": "f2", "value": ""}},
        {"type": 10, "id": 5},
    ]
    raw = parse.modal_values(components)
    fields = (
        FormField("scale", "scale", "s", minimum=1, maximum=5),
        FormField("dots", "dots", "d", options=(("a", "A"), ("b", "B"), ("c", "C")), budget=3),
        FormField("open", "open", "o"),
    )
    f = AnswerForm("i", "r", "t", fields, (), "v0", "ok", "left empty: skipped", "en", "", "", "")
    typed = parse.typed_answers(f, [0, 1, 2], raw)
    assert typed.answers == {"scale": 4, "dots": {"a": 2, "c": 1}}
    assert typed.left_empty == ("open",)  # reported as empty: what it means is the engine's
    assert parse.visibility_of(raw) == "v1"
    unreadable = parse.typed_answers(f, [1], {"f1": "a: two"})
    assert unreadable.invalid == ("dots",)


def test_member_suggestions_stay_within_discords_100_characters() -> None:
    people = {str(10**18 + n): f"Person{n}" for n in range(40)}
    typed = " ".join(f"<@{10**18 + n}>" for n in range(3)) + " @person"
    choices = complete.members(typed, people)
    assert 0 < len(choices) <= 25
    assert all(len(c.value) <= 100 and len(c.name) <= 100 for c in choices)
    assert all(c.value.startswith(typed.rsplit(" ", 1)[0]) for c in choices)
    assert complete.members(" ".join(f"<@{10**18}>" for _ in range(5)) + " @p", people) == []


def test_an_answer_being_edited_starts_from_what_was_given() -> None:
    fields = (
        FormField("word", "open", "w", max_length=5, current="lagune"),
        FormField("level", "scale", "l", options=(("1", "1"), ("4", "4")), current=4),
        FormField("many", "multi", "m", options=(("a", "A"), ("b", "B")), budget=1, current=("b",)),
        FormField(
            "dots", "dots", "d", options=(("x", "X"), ("y", "Y")), budget=3, current={"y": 2}
        ),
        FormField("fresh", "open", "f"),
    )
    inputs = [render.field_component(n, f)["component"] for n, f in enumerate(fields)]
    assert inputs[0]["value"] == "lagun"  # within the input's own limit
    assert [o["default"] for o in inputs[1]["options"]] == [False, True]
    assert [o["default"] for o in inputs[2]["options"]] == [False, True]
    assert inputs[3]["value"].splitlines() == ["x: 0  X", "y: 2  Y"]
    assert "value" not in inputs[4]
