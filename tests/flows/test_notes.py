"""The facilitators' private notes in the engine: written by command or form, listed with a
button to delete each, deleted by number; a participant can do none of it, and a note too
long or empty changes nothing."""

from __future__ import annotations

from dataclasses import replace

from engine_helpers import FAC, Session, audits, replies, sends

from bot.core.effects import Reply
from bot.core.events import ChoiceMade, NoteSubmitted
from bot.core.model import UserId
from bot.flows.line import MAX_NOTE


def group() -> Session:
    s = Session()
    s.group_with("ana", "ben", "cleo")
    return s


def test_a_note_by_command_or_form_is_kept_signed_and_audited_without_its_words() -> None:
    s = group()
    out = s.cmd("note add Ben looks tired")
    assert replies(out) == ["notes.added"]
    assert [(a.action, a.target) for a in audits(out)] == [("note.add", "note#1")]
    assert s.state is not None
    s.feed(NoteSubmitted(s.meta(FAC, None), s.state.id, "fnote", "", "Second, from the form"))
    assert [(n.number, n.author, n.text) for n in s.state.notes] == [
        (1, "fac", "Ben looks tired"),
        (2, "fac", "Second, from the form"),
    ]
    assert sends(out) == []  # nothing goes to anyone


def test_the_list_offers_a_form_and_a_delete_button_per_note() -> None:
    s = group()
    s.cmd("note add One")
    s.cmd("note add Two")
    assert s.state is not None
    listed = s.feed(ChoiceMade(s.meta(FAC, None), s.state.id, "notes", ""))
    reply = next(e for e in listed.effects if isinstance(e, Reply))
    assert reply.message.key == "notes.list"
    assert [(b.action, b.value) for b in reply.message.buttons] == [
        ("noteform", ""),
        ("notedel", "1"),
        ("notedel", "2"),
    ]
    deleted = s.feed(ChoiceMade(s.meta(FAC, None), s.state.id, "notedel", "1"))
    assert replies(deleted) == ["notes.deleted"]
    assert [n.text for n in s.state.notes] == ["Two"]
    assert s.cmd("note supprimer 1").refused  # already gone


def test_a_participant_cannot_write_read_or_delete_notes() -> None:
    s = group()
    s.cmd("note add Private")
    before = s.state
    for text in ("note add Mine", "note list", "note delete 1"):
        out = s.cmd(text, user="ana")
        assert out.refused and replies(out) == ["error.facilitator_only"]
    assert s.state is not None
    out = s.feed(NoteSubmitted(s.meta("ana", None), s.state.id, "fnote", "", "Mine"))
    assert out.refused and s.state == before


def test_an_empty_or_too_long_note_changes_nothing() -> None:
    s = group()
    before = s.state
    assert replies(s.cmd("note add   ")) == ["error.note_empty"]
    assert replies(s.cmd("note add " + "x" * (MAX_NOTE + 1))) == ["error.too_long"]
    assert s.state == before


def test_a_facilitator_who_erases_their_data_takes_their_notes_and_previews_along() -> None:
    s = group()
    s.cmd("invite <@cofac>")
    s.consent("cofac")
    assert s.state is not None
    # No command makes a co-facilitator yet: the state is given one directly.
    people = dict(s.state.participants)
    people[UserId("cofac")] = replace(people[UserId("cofac")], role="facilitator")
    s.state = replace(s.state, participants=people)
    s.cmd("note add Mine, from the lead")
    s.cmd("note add Theirs", user="cofac")
    s.cmd("round wording intake 1 en: Their words?", user="cofac")
    assert len(s.state.wording.drafts) == 1
    s.cmd("forget", user="cofac")
    assert [n.text for n in s.state.notes] == ["Mine, from the lead"]
    assert s.state.wording.drafts == ()
