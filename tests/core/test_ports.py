"""What the core hands a platform: a keyed message is the same message with its delivery key."""

from __future__ import annotations

from dataclasses import fields, replace

from bot.core.ports import Attachment, OutButton, OutMessage, Segment


def test_a_keyed_message_keeps_every_field_and_takes_the_key() -> None:
    every = OutMessage(
        (Segment("Bonjour"),),
        (OutButton("tst:i1:yes", "Oui"),),
        None,
        (Attachment("r.md", b"#", "Rapport"),),
        "",
    )
    keyed = every.keyed("dlv-7")
    assert keyed == replace(every, idempotency_key="dlv-7")
    # A field added to OutMessage must be carried by `keyed` too: this list is the reminder.
    assert [f.name for f in fields(OutMessage)] == [
        "segments",
        "buttons",
        "form",
        "files",
        "idempotency_key",
    ]
