"""`/tst aide` on Slack: the list of commands, then one command's usage, examples and who may
use it, in the person's language, from the same table that parses the command."""

from __future__ import annotations

import html

from slack_world import SlackWorld

from bot.i18n.typography import typeset


async def shown(world: SlackWorld, text: str, user: str = "UFAC") -> list[str]:
    """What the person reads (Slack shows `&lt;` as `<`)."""
    return [html.unescape(t) for t in await world.cmd(text, user=user)]


async def test_help_lists_the_commands_in_french_then_explains_one(world: SlackWorld) -> None:
    everyone, facilitator, *_extras = await shown(world, "aide")
    assert "/tst rejoindre — rejoindre la démarche" in everyone
    assert "/tst aide <commande> — son usage complet" in everyone
    assert "/tst tour ouvrir|fermer|relancer|relire|retenir|" in facilitator
    (round_help, *_extras) = await shown(world, "aide tour")
    assert round_help.startswith("/tst tour ouvrir <tour> [précisions]")
    assert typeset("Exemples :\n/tst tour ouvrir attentes", "fr") in round_help
    # Most of `tour` is the facilitator's; « possible » is said by whoever passed a round.
    assert round_help.endswith(
        typeset(
            "Qui peut l'utiliser : la facilitation pour /tst tour ouvrir|fermer|relancer|relire|"
            "retenir|fusionner|modifier|reformuler|texte|question|envoi ; "
            "tout le monde pour /tst tour possible.",
            "fr",
        )
    )


async def test_an_english_reader_gets_the_english_help(world: SlackWorld) -> None:
    world.fake.add_user("UEVE", "Eve", locale="en-US")
    (text, *_extras) = await shown(world, "help tour", user="UEVE")
    assert text.startswith("/tst round open <round> [details]")
    assert text.endswith(
        "Who may use it: the facilitator for /tst round open|close|remind|draft|hold|merge|"
        "edit|restate|wording|question|delivery; everyone for /tst round possible."
    )
