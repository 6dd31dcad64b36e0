"""Discord says what waits for a person and where the intervention stands in the words every
platform uses (bot/flows/queries.py): the "Get my prompts" button, the DM answer, /tst status."""

from __future__ import annotations

from discord_world import World

from bot.direct import answer_direct
from bot.i18n.typography import typeset

ROUND = "trust.barometer"


def shown(w: World, iid: int) -> list[str]:
    return [
        c["custom_id"]
        for r in w.fake.replies(iid)
        for row in r.get("components", [])
        for c in row["components"]
    ]


async def closed_dm_button(w: World) -> str:
    notice = await w.fake.wait_for(
        lambda: [
            c["custom_id"]
            for m in w.fake.channel_messages()
            for row in m.get("components", [])
            for c in row["components"]
            if c["custom_id"].endswith(":myprompts:")
        ]
    )
    return str(notice[0])


async def test_get_my_prompts_offers_what_the_dm_answer_offers_and_no_round_already_skipped(
    world: World,
) -> None:
    # The button used to offer every open round again, answered or skipped.
    w = world
    cleo = w.people["cleo"]
    w.fake.closed_dms.add(cleo)
    await w.slash(w.fac, "start", "Équipe")
    await w.slash(w.fac, "invite", " ".join(f"<@{u}>" for u in w.people.values()))
    button = await closed_dm_button(w)
    got = await w.click(cleo, button, dm=False)
    await w.click(cleo, next(b for b in shown(w, got) if b.endswith(":consent:accept")), dm=False)
    await w.slash(w.fac, "step", "trust")
    await w.slash(w.fac, "round open", ROUND)
    got = await w.click(cleo, button, dm=False)
    direct = await answer_direct(w.app, "discord", None, str(cleo), "m1")
    assert shown(w, got) == [b.action_id for m in direct[1:] for b in m.buttons]
    assert f":answer:{ROUND}" in " ".join(shown(w, got))
    await w.click(cleo, next(b for b in shown(w, got) if b.endswith(f":skip:{ROUND}")), dm=False)
    again = await w.click(cleo, button, dm=False)
    assert shown(w, again) == []
    (nothing,) = [r.get("content", "") for r in w.fake.replies(again)]
    assert nothing == "Rien n'attend de réponse pour l'instant."


async def test_status_gives_a_participant_the_group_and_the_facilitator_each_rounds_progress(
    started: World,
) -> None:
    w = started
    await w.slash(w.fac, "round open", ROUND)
    await w.answer(w.people["ana"], ROUND, {"f0": ["4"], "f1": "calme"})
    mine = await w.slash(w.people["ben"], "status")
    theirs = await w.slash(w.fac, "status")
    assert len(mine) == 1 and theirs[0] == mine[0]
    assert typeset(f"Tours ouverts : {ROUND}\n", "fr") in mine[0]
    assert theirs[1:] == [
        typeset("Baromètre de confiance : réponses 1 sur 3", "fr"),
        typeset(
            "Baromètre de confiance : « je passe » 0 ; en attente après « pas maintenant » 0", "fr"
        ),
    ]
