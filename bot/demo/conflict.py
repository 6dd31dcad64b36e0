"""The demo's conflict space (TST step 4): two parties, blind positions, a restatement that
needs one "not quite" before "yes, that's it", the other one confirmed at once, then the
needs; the facilitator reads where the space stands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.core.model import UserId

if TYPE_CHECKING:
    from bot.demo.run import Demo

TEXT: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "subject": "les astreintes du week-end",
        "a": "Support",
        "b": "Développement",
        "position_a": (
            "Nous portons seuls les nuits et les week-ends, et on nous dit « débrouillez-vous »."
        ),
        "position_b": (
            "On nous appelle à 3 h pour des tickets que le support pourrait fermer ; nous "
            "craignons l'épuisement."
        ),
        "restate_a1": "Pour vous, le développement ne veut pas aider le support la nuit.",
        "not_quite": "Nous voulons aider ; ce sont l'heure des appels et leur nombre qui épuisent.",
        "restate_a2": (
            "Vous voulez aider, mais être réveillés la nuit pour des tickets simples vous "
            "épuise, et vous craignez de ne plus tenir."
        ),
        "restate_b": (
            "Vous êtes seuls la nuit et le week-end, et vous vous sentez laissés sans soutien."
        ),
        "needs_a": (
            "Difficile à entendre : « tickets simples ». Nous avons besoin d'une liste claire"
            " de ce qui justifie un appel."
        ),
        "needs_b": (
            "Difficile à entendre : « débrouillez-vous ». Nous avons besoin d'un roulement "
            "que nous choisissons ensemble."
        ),
    },
    "en": {
        "subject": "weekend on-call duty",
        "a": "Support",
        "b": "Development",
        "position_a": (
            "We carry nights and weekends alone, and we are told “sort it out yourselves”."
        ),
        "position_b": "We are called at 3 am for tickets support could close; we fear burning out.",
        "restate_a1": "For you, development does not want to help support at night.",
        "not_quite": "We do want to help; the hour of the calls, and how many, wear us out.",
        "restate_a2": (
            "You want to help, but being woken at night for simple tickets wears you out, and"
            " you fear you will not last."
        ),
        "restate_b": "You are alone at night and at weekends, and you feel left without support.",
        "needs_a": "Hard to hear: “simple tickets”. We need a clear list of what justifies a call.",
        "needs_b": "Hard to hear: “sort it out yourselves”. We need a rota we choose together.",
    },
}


async def conflict_space(demo: Demo, support: tuple[UserId, ...], dev: tuple[UserId, ...]) -> None:
    text = TEXT[demo.locale]
    mention = " ".join
    await demo.cmd(
        f"groups conflict {text['subject']} | {text['a']} {mention(f'<@{u}>' for u in support)}"
        f" | {text['b']} {mention(f'<@{u}>' for u in dev)}"
    )
    await demo.note(support[0], "cposition", "1", text["position_a"])
    await demo.note(dev[0], "cposition", "1", text["position_b"])
    # Loop 1: support restates development; the first try is "not quite".
    await demo.note(support[0], "crestate", "1.1", text["restate_a1"])
    await demo.note(dev[0], "notquite", "1.1", text["not_quite"])
    await demo.note(support[-1], "crestate", "1.1", text["restate_a2"])
    await demo.choose(dev[0], "restok", "1.1")
    await demo.cmd("groups spaces")
    # Loop 2: development restates support, recognised at once.
    await demo.note(dev[-1], "crestate", "1.2", text["restate_b"])
    await demo.choose(support[0], "restok", "1.2")
    await demo.note(support[0], "cposition", "1", text["needs_a"])
    await demo.note(dev[0], "cposition", "1", text["needs_b"])
    await demo.cmd("groups spaces")
