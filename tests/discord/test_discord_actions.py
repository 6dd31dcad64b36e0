"""Actions by consent on Discord: the owner declines from the DM button, saying why in its modal."""

from __future__ import annotations

from discord_world import World


async def test_an_owner_declines_an_action_and_the_reason_reaches_the_facilitator_only(
    started: World,
) -> None:
    w = started
    ana = w.people["ana"]
    await w.slash(w.fac, "board add", "proposal Point hebdomadaire de vingt minutes")
    await w.slash(w.fac, "decide", "1 adopt")
    await w.slash(w.fac, "action add", f"<@{ana}> 2030-06-01 Réserver la salle -> #1")
    decline = [b for b in w.buttons(ana) if b.endswith(":decline:1")]
    assert decline, w.buttons(ana)
    click = await w.click(ana, decline[-1])
    modal = w.fake.acks(click)[0]
    assert modal["type"] == 9, modal  # the decline button opens a modal
    submit = await w.fake.submit_modal(ana, modal["data"], {"text": "je suis absente en juin"})
    await w.settle(submit)

    to_fac = "\n".join(m["content"] for m in w.fake.dms_to(w.fac))
    assert "Réserver la salle" in to_fac and "je suis absente en juin" in to_fac
    public = "\n".join(m["content"] for m in w.fake.channel_messages())
    assert "Réserver la salle" not in public and "absente" not in public
    async with w.app.store.unit() as uow:
        state = await uow.find("discord", str(w.fake.guild_id), str(w.fake.channel_id))
    assert state is not None and [a.status for a in state.actions] == ["declined"]
