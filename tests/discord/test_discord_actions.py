"""Actions by consent on Discord: the owner declines from the DM button, saying why in its modal."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

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


async def test_the_follow_up_buttons_say_done_or_what_is_in_the_way(started: World) -> None:
    w = started
    ana = w.people["ana"]
    async with w.app.store.unit() as uow:
        state = await uow.find("discord", str(w.fake.guild_id), str(w.fake.channel_id))
    assert state is not None
    # A due date whose follow-up (the day before, 18:00 local) is already due on the wall clock.
    now = datetime.now(ZoneInfo(state.timezone))
    due = now.date() if now.hour < 18 else now.date() + timedelta(days=1)
    await w.slash(w.fac, "board add", "proposal Point hebdomadaire de vingt minutes")
    await w.slash(w.fac, "decide", "1 adopt")
    await w.slash(w.fac, "action add", f"<@{ana}> {due.isoformat()} Réserver la salle -> #1")
    await w.click(ana, next(b for b in w.buttons(ana) if b.endswith(":accept:1")))
    await w.app.dispatcher.drain()
    blocked = [b for b in w.buttons(ana) if b.endswith(":blocked:1")]
    assert blocked, w.buttons(ana)

    click = await w.click(ana, blocked[-1])
    modal = w.fake.acks(click)[0]
    assert modal["type"] == 9, modal
    submit = await w.fake.submit_modal(ana, modal["data"], {"text": "la salle est en travaux"})
    await w.settle(submit)
    assert "la salle est en travaux" in "\n".join(m["content"] for m in w.fake.dms_to(w.fac))
    public = "\n".join(m["content"] for m in w.fake.channel_messages())
    assert "travaux" not in public

    await w.click(ana, next(b for b in w.buttons(ana) if b.endswith(":actdone:1")))
    async with w.app.store.unit() as uow:
        state = await uow.find("discord", str(w.fake.guild_id), str(w.fake.channel_id))
    assert state is not None and [a.status for a in state.actions] == ["done"]
