"""A conflict space over Discord: `/tst groups conflict`, positions and restatements through
modals, "yes, that's it" and "not quite" as buttons in each party's DM, nothing in the channel."""

from __future__ import annotations

from discord_world import World


async def write(w: World, user: int, action: str, value: str, text: str) -> None:
    button = [b for b in w.buttons(user) if b.endswith(f":{action}:{value}")]
    assert button, (action, value, w.buttons(user))
    click = await w.click(user, button[-1])
    modal = w.fake.acks(click)[0]
    assert modal["type"] == 9, modal  # the button opens a modal
    submit = await w.fake.submit_modal(user, modal["data"], {"text": text})
    await w.settle(submit)


def dms(w: World, user: int) -> str:
    return "\n".join(m["content"] for m in w.fake.dms_to(user))


async def test_a_restatement_loop_needs_one_not_quite_before_yes_thats_it(started: World) -> None:
    w = started
    ana, ben = w.people["ana"], w.people["ben"]
    await w.slash(w.fac, "groups conflict", f"les astreintes | Support <@{ana}> | Dév <@{ben}>")
    await write(w, ana, "cposition", "1", "Nous portons les nuits seuls.")
    assert "Nous portons les nuits seuls." not in dms(w, ben)  # blind until both have written
    await write(w, ben, "cposition", "1", "On nous réveille pour des tickets simples.")
    assert "Nous portons les nuits seuls." in dms(w, ben)

    await write(w, ana, "crestate", "1.1", "Vous êtes réveillés pour des tickets.")
    await write(w, ben, "notquite", "1.1", "Ce n'est pas le ticket, c'est l'heure.")
    assert "Ce n'est pas le ticket, c'est l'heure." in dms(w, ana)
    await write(w, ana, "crestate", "1.1", "Être réveillé à 3 h, voilà ce qui pèse.")
    await w.click(ben, next(b for b in w.buttons(ben) if b.endswith(":restok:1.1")))

    async with w.app.store.unit() as uow:
        state = await uow.find("discord", str(w.fake.guild_id), str(w.fake.channel_id))
    assert state is not None
    loop = state.conflicts[0].loop(1)
    assert loop is not None and (loop.ended, loop.rounds) == ("confirmed", 2)
    assert "oui, c'est ça" in dms(w, w.fac)
    public = "\n".join(m["content"] for m in w.fake.channel_messages())
    for said in ("nuits", "tickets", "l'heure", "3 h"):
        assert said not in public
