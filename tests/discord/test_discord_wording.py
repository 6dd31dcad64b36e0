"""The facilitator's words on Discord: `/tst round wording` shows a question with buttons whose
modal (checked by the fake against Discord's limits) takes its words, a preview follows with
the button that uses them, and the next round asks in them. Private notes, which have no
sub-command of their own (Discord allows 25), open from a button under the status."""

from __future__ import annotations

from typing import Any

from discord_world import World


def components(replies: list[dict[str, Any]]) -> list[str]:
    return [
        c["custom_id"]
        for r in replies
        for row in r.get("components") or []
        for c in row["components"]
    ]


def said(w: World, iid: int) -> str:
    return "\n".join(r.get("content", "") for r in w.fake.replies(iid))


async def fill(w: World, user: int, custom_id: str, text: str) -> int:
    """Press a button that opens a one-text form, fill it, send it."""
    click = await w.click(user, custom_id, dm=False, channel=w.fake.channel_id)
    modal = w.fake.acks(click)[0]
    assert modal["type"] == 9, modal
    submit = await w.fake.submit_modal(user, modal["data"], {"text": text})
    await w.settle(submit)
    return submit


async def test_words_from_a_modal_are_previewed_then_asked_in_the_next_round(
    started: World,
) -> None:
    w = started
    iid = await w.fake.slash(w.fac, ["round", "wording"], "attentes 1", "fr")
    await w.settle(iid)
    write = [c for c in components(w.fake.replies(iid)) if c.endswith("|1|fr")]
    assert write, components(w.fake.replies(iid))
    submit = await fill(w, w.fac, write[0], "Qu'espérez-vous pour l'équipe ?")
    assert "Qu'espérez-vous pour l'équipe ?" in said(w, submit)
    use = [c for c in components(w.fake.replies(submit)) if c.endswith(":words:yes")]
    assert use, components(w.fake.replies(submit))
    await w.click(w.fac, use[0], dm=False, channel=w.fake.channel_id)
    await w.slash(w.fac, "round open", "intake")
    ana = w.people["ana"]
    asked = [m["content"] for m in w.fake.dms_to(ana) if "Qu'espérez-vous" in m["content"]]
    assert asked and "Qu'espérez-vous pour l'équipe ?" in asked[-1].replace("\u202f", " ")


async def test_notes_open_from_the_status_and_are_written_in_a_form(started: World) -> None:
    w = started
    status = await w.fake.slash(w.fac, ["status"], None, "fr")
    await w.settle(status)
    notes = [c for c in components(w.fake.replies(status)) if c.endswith(":notes:")]
    assert notes, components(w.fake.replies(status))
    listing = await w.click(w.fac, notes[0], dm=False, channel=w.fake.channel_id)
    form = [c for c in components(w.fake.replies(listing)) if ":noteform:" in c]
    assert form, components(w.fake.replies(listing))
    submit = await fill(w, w.fac, form[0], "@everyone Ben semble fatigué, à revoir")
    assert "1" in said(w, submit)
    again = await w.click(w.fac, notes[0], dm=False, channel=w.fake.channel_id)
    assert "Ben semble fatigué" in said(w, again)
    public = "\n".join(m["content"] for m in w.fake.channel_messages())
    assert "Ben semble fatigué" not in public
    ana = w.people["ana"]
    theirs = await w.fake.slash(ana, ["status"], None, "fr")
    await w.settle(theirs)
    assert not [c for c in components(w.fake.replies(theirs)) if ":notes:" in c]
