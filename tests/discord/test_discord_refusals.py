"""Refusals heard on Discord: after « je passe », a button on the ephemeral reply opens a
one-line form whose line reaches the facilitator without a name."""

from __future__ import annotations

from discord_world import World


def followup_buttons(w: World) -> list[str]:
    return [
        c["custom_id"]
        for i in w.fake.interactions.values()
        for f in i.followups
        for row in f.get("components") or []
        for c in row["components"]
    ]


async def test_after_passing_a_one_line_form_reaches_the_facilitator_without_a_name(
    started: World,
) -> None:
    w = started
    ana = w.people["ana"]
    await w.slash(w.fac, "round open", "intake")
    skip = next(b for b in w.buttons(ana) if b.endswith(":skip:trust.intake"))
    await w.click(ana, skip)
    possible = [b for b in followup_buttons(w) if b.endswith(":possible:trust.intake")]
    assert possible, followup_buttons(w)
    click = await w.click(ana, possible[-1])
    modal = w.fake.acks(click)[0]
    assert modal["type"] == 9, modal
    before = len(w.fake.dms_to(w.fac))
    submit = await w.fake.submit_modal(ana, modal["data"], {"text": "savoir qui lira"})
    await w.settle(submit)
    [told] = w.fake.dms_to(w.fac)[before:]
    assert "savoir qui lira" in told["content"]
    assert str(ana) not in str(told) and "ana" not in told["content"].split("savoir")[0]
    public = "\n".join(m["content"] for m in w.fake.channel_messages())
    assert "savoir qui lira" not in public
