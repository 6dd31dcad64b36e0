"""What the command table promises people: `/tst help` and `/tst help <command>` in their
language, the same names the parser takes, authority checked from the table, and rounds and
steps named as people type them."""

from __future__ import annotations

import pytest
from engine_helpers import Session, replies

from bot.core.effects import Reply
from bot.core.model import Locale
from bot.flows.command_table import TABLE
from bot.flows.engine import Outcome
from bot.i18n.catalog import Catalog

CATALOG = Catalog.load()
LOCALES: tuple[Locale, ...] = ("en", "fr")
PEOPLE = ("ana", "ben", "cleo")


def shown(outcome: Outcome, locale: Locale) -> list[str]:
    """The replies as the person reads them."""
    return [
        CATALOG.text(locale, e.message.key, **e.message.params)
        for e in outcome.effects
        if isinstance(e, Reply)
    ]


def started() -> Session:
    s = Session()
    s.group_with(*PEOPLE)
    return s


def name_in(locale: Locale, english: str, french: str) -> str:
    return french if locale == "fr" else english


@pytest.mark.parametrize("locale", LOCALES)
def test_the_help_lists_every_command_by_the_names_the_reader_types(locale: Locale) -> None:
    everyone, facilitator, *_extras = shown(Session().cmd("help"), locale)
    for spec in TABLE:
        for who, text in (("everyone", everyone), ("facilitator", facilitator)):
            subs = [s for s in spec.subs if s.who == who]
            if who not in spec.whos():
                continue
            head = name_in(locale, spec.name, spec.fr)
            words = [name_in(locale, s.name, s.fr) for s in subs]
            line = f"/tst {head} {'|'.join(words)}".strip() + " — "
            assert line in text, (locale, who, line)
            summary = CATALOG.template(locale, f"command.{spec.name}.summary")
            assert f"{line}{summary}" in text


def test_help_for_one_command_gives_usage_examples_and_who_in_french() -> None:
    s = started()
    (text, *_extras) = shown(s.cmd("aide tour", user="ana"), "fr")
    assert text.startswith("/tst tour ouvrir <tour> [précisions]")
    assert "Exemples :\n/tst tour ouvrir attentes" in text
    # Most of `tour` is the facilitator's; « possible » is said by whoever passed a round.
    assert text.endswith(
        "Qui peut l'utiliser : la facilitation pour /tst tour ouvrir|fermer|relancer|relire|"
        "retenir|fusionner|modifier|reformuler|texte|question|envoi ; "
        "tout le monde pour /tst tour possible."
    )


def test_help_for_a_command_shared_by_both_roles_says_who_may_run_what() -> None:
    (text, *_extras) = shown(Session().cmd("help contrat"), "en")
    assert text.startswith("/tst contract [show] — show the current contract")
    assert text.endswith(
        "Who may use it: the facilitator for /tst contract draft|adopt|help; "
        "everyone for /tst contract show."
    )
    (french, *_extras) = shown(Session().cmd("aide contract"), "fr")
    assert french.endswith(
        "la facilitation pour /tst contrat rédiger|adopter|aide ; "
        "tout le monde pour /tst contrat voir."
    )


def test_help_about_something_that_is_no_command_says_so() -> None:
    (text, *_extras) = shown(Session().cmd("aide danser"), "fr")
    assert text == "Aucune commande ne s'appelle « danser ». /tst aide les liste toutes."


@pytest.mark.parametrize("locale", LOCALES)
def test_every_command_has_its_usage_and_examples_in_the_readers_language(
    locale: Locale,
) -> None:
    for spec in TABLE:
        usage = CATALOG.template(locale, f"command.{spec.name}.usage")
        head = f"/tst {name_in(locale, spec.name, spec.fr)}"
        assert usage.startswith(head), (locale, spec.name)
        # Each sub-command appears as typed after the command (`open|close|remind` names 3).
        typed = [line.removeprefix(head).split()[:1] for line in usage.splitlines()]
        words = {w for first in typed for w in "|".join(first).strip("[]").split("|")}
        for sub in spec.subs:
            assert name_in(locale, sub.name, sub.fr) in words, (locale, sub.name)
        examples = CATALOG.template(locale, f"command.{spec.name}.examples").splitlines()
        assert examples, (locale, spec.name)
        for example in examples:
            assert TABLE.parse(example.removeprefix("/tst ")).name == spec.name, example


def test_a_participant_is_refused_every_facilitator_entry_of_the_table() -> None:
    s = started()
    assert s.state is not None
    entries = [
        (spec.fr, sub.fr if sub else "")
        for spec in TABLE
        for sub in (spec.subs or (None,))
        if (sub.who if sub else spec.who) == "facilitator"
    ]
    assert len(entries) > 20
    for command, sub in entries:
        before = s.state
        out = s.cmd(f"{command} {sub} x".replace("  ", " "), user="ana")
        assert replies(out) == ["error.facilitator_only"], (command, sub)
        assert s.state == before


def test_rounds_open_by_their_french_names() -> None:
    s = started()
    s.cmd("étape Confiance")
    out = s.cmd("tour ouvrir attentes")
    assert replies(out) == ["round.opened_reply"]
    assert s.state is not None and "trust.intake" in s.state.rounds
    s.cmd("tour ouvrir confiance.baromètre")
    assert "trust.barometer" in s.state.rounds


def test_consent_names_the_current_steps_consent_round() -> None:
    s = started()
    s.cmd("étape contrat")
    s.cmd("contrat rédiger Nous nous voyons le lundi.")
    out = s.cmd("tour ouvrir consentement")
    assert replies(out) == ["round.opened_reply"]
    assert s.state is not None and "contract.consent" in s.state.rounds


def test_an_ambiguous_round_name_lists_the_candidates_in_the_readers_language() -> None:
    s = Session()
    s.group_with(*PEOPLE)  # no step opened yet: "consentement" could be either round
    out = s.cmd("tour ouvrir consentement")
    (french,) = shown(out, "fr")
    assert french == (
        "Tour inconnu ou ambigu : « consentement ». "
        "Tours possibles : contrat.consentement, solutions.consentement."
    )
    (english,) = shown(out, "en")
    assert english.endswith("Rounds: contract.consent, solutions.consent.")


def test_an_unknown_step_lists_the_steps_in_the_readers_language() -> None:
    out = started().cmd("étape danser")
    (french,) = shown(out, "fr")
    assert french.startswith("Étape non reconnue. Étapes possibles : confiance, contrat, ")
    assert french.endswith("solutions, suivante.")
    (english,) = shown(out, "en")
    assert english.endswith("collective_intelligence, solutions, next.")
