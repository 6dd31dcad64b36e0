"""The `/tst` grammar: one table, both languages as people type them, and refusals that say
what would have been understood."""

from __future__ import annotations

import pytest

from bot.core.commands import Command, CommandError, CommandSpec, CommandTable, Sub
from bot.core.effects import Localized
from bot.flows.command_table import TABLE


def test_french_and_english_names_reach_the_same_command_whatever_the_accents_or_case() -> None:
    for typed in ("round open intake", "tour ouvrir intake", "TOUR Ouvrir intake"):
        assert TABLE.parse(typed) == Command("round", "open", ("intake",), "intake")
    for typed in ("démarrer Équipe", "demarrer Équipe", "DÉMARRER Équipe", "start Équipe"):
        assert TABLE.parse(typed).name == "start"
    assert TABLE.parse("étape confiance").name == TABLE.parse("ETAPE confiance").name == "step"
    assert TABLE.parse("mes-données").name == TABLE.parse("mesdonnees").name == "mydata"
    assert TABLE.parse("groupes échanger @a @b").sub == "swap"
    assert TABLE.parse("contrat rédiger Un texte").sub == "draft"


def test_every_name_in_the_table_parses_to_its_own_command() -> None:
    for spec in TABLE:
        for word in (spec.name, spec.fr, *spec.also):
            if not spec.subs:
                assert TABLE.parse(f"{word} x").name == spec.name, word
                continue
            for sub in spec.subs:
                for sub_word in (sub.name, sub.fr, *sub.also):
                    parsed = TABLE.parse(f"{word} {sub_word} x")
                    assert (parsed.name, parsed.sub) == (spec.name, sub.name), (word, sub_word)


def test_arguments_keep_their_spacing_and_mentions_are_picked_out() -> None:
    cmd = TABLE.parse("contrat rédiger  Deux  espaces")
    assert cmd.text == "Deux  espaces" and cmd.words == ("Deux", "espaces")
    assert TABLE.parse("inviter <@U1> @ben <@!2|x>").mentions == ("U1", "ben", "2")


def test_nothing_typed_is_the_help_and_a_bare_contract_shows_it() -> None:
    assert TABLE.parse("   ").name == "help"
    assert TABLE.parse("contrat") == Command("contract", "show")


def test_an_unknown_command_is_named_back() -> None:
    with pytest.raises(CommandError) as refused:
        TABLE.parse("dance now")
    assert refused.value.key == "error.unknown_command"
    assert refused.value.params == {"command": "dance"}


def test_an_unknown_sub_command_lists_the_valid_ones_in_each_language() -> None:
    with pytest.raises(CommandError) as refused:
        TABLE.parse("contrat danser")
    assert refused.value.key == "error.unknown_subcommand"
    choices = refused.value.params["choices"]
    assert isinstance(choices, Localized)
    assert dict(choices.texts) == {
        "en": "draft | show | adopt | help",
        "fr": "rédiger | voir | adopter | aide",
    }


def test_who_may_run_a_command_is_read_from_the_table() -> None:
    assert TABLE.needs_facilitator(TABLE.parse("tour ouvrir intake"))
    assert not TABLE.needs_facilitator(TABLE.parse("contrat voir"))
    assert TABLE.needs_facilitator(TABLE.parse("contrat adopter"))
    assert not TABLE.needs_facilitator(TABLE.parse("action fait 2"))
    assert not TABLE.needs_facilitator(TABLE.parse("rejoindre"))


def test_a_table_where_one_word_names_two_commands_is_refused() -> None:
    one = CommandSpec("close", "clore", "facilitator", handler="close")
    other = CommandSpec("report", "rapport", "facilitator", handler="report", also=("clore",))
    with pytest.raises(ValueError, match="clore"):
        CommandTable((one, other))
    subs = (Sub("open", "ouvrir", "a", "facilitator"), Sub("close", "ouvrir", "b", "facilitator"))
    with pytest.raises(ValueError, match="ouvrir"):
        CommandTable((CommandSpec("round", "tour", "facilitator", subs=subs),))


def test_a_command_runs_through_its_handler_or_its_sub_commands_never_both() -> None:
    subs = (Sub("open", "ouvrir", "a", "facilitator"),)
    with pytest.raises(ValueError):
        CommandTable((CommandSpec("round", "tour", "facilitator", handler="x", subs=subs),))
    with pytest.raises(ValueError):
        CommandTable((CommandSpec("round", "tour", "facilitator"),))
