"""Steps and rounds named as people type them, in French or English, and listed back in the
reader's language."""

from __future__ import annotations

from bot.core.vocabulary import matching_rounds, round_names, step_kind, step_names
from bot.flows.tst import tst_flow

KEYS = tst_flow().round_keys()


def test_a_round_is_found_by_its_full_name_in_either_language_or_a_mix() -> None:
    for typed in (
        "contract.consent",
        "contrat.consentement",
        "Contrat.Consentement",
        "contrat.consent",
        "contract.consentement",
    ):
        assert matching_rounds(typed, KEYS) == ["contract.consent"], typed
    assert matching_rounds("confiance.baromètre", KEYS) == ["trust.barometer"]
    assert matching_rounds("informations.notre-part", KEYS) == ["information.our_part"]
    assert matching_rounds("intelligence-collective.inversion", KEYS) == [
        "collective_intelligence.reversal"
    ]


def test_a_last_word_may_name_several_rounds_and_a_step_name_its_rounds() -> None:
    assert matching_rounds("consentement", KEYS) == ["contract.consent", "solutions.consent"]
    assert matching_rounds("BAROMETRE", KEYS) == ["trust.barometer", "subgroups.barometer"]
    assert matching_rounds("attentes", KEYS) == ["trust.intake"]
    assert matching_rounds("confiance", KEYS) == ["trust.intake", "trust.barometer"]
    assert matching_rounds("contrat", KEYS) == ["contract.needs", "contract.consent"]
    assert matching_rounds("nothing", KEYS) == []
    assert matching_rounds("confiance.nothing", KEYS) == []


def test_every_round_of_the_flow_has_a_french_name_that_leads_back_to_it() -> None:
    french = dict(round_names(KEYS).texts)["fr"].split(", ")
    assert len(french) == len(KEYS)
    for name, key in zip(french, KEYS, strict=True):
        assert name != key, "each round has a French name of its own"
        assert matching_rounds(name, KEYS) == [key], name


def test_steps_in_both_languages() -> None:
    assert step_kind("Confiance") == step_kind("trust") == "trust"
    assert step_kind("sous-groupes") == step_kind("sous_groupes") == "subgroups"
    assert step_kind("intelligence-collective") == "collective_intelligence"
    assert step_kind("Suivante") == "next"
    assert step_kind("dance") is None
    names = dict(step_names().texts)
    assert names["fr"].startswith("confiance, contrat, sous-groupes")
    assert names["en"].startswith("trust, contract, subgroups")
    assert all(step_kind(n) is not None for n in names["fr"].split(", "))
