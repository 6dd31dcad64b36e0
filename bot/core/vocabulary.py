"""The words people type for steps, rounds, board items and decisions, in French and English,
accents, case and hyphens aside; and the same names listed back in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.core.commands import fold
from bot.core.effects import Localized
from bot.core.model import STEP_KINDS

# Each step's French name as shown first, then other words people use for it.
STEP_WORDS: Mapping[str, tuple[str, ...]] = {
    "trust": ("confiance",),
    "contract": ("contrat",),
    "subgroups": ("sous-groupes", "sousgroupes", "groupes"),
    "conflict": ("conflit", "conflits"),
    "information": ("informations", "info"),
    "collective_intelligence": (
        "intelligence-collective",
        "intelligence",
        "collective-intelligence",
        "ci",
    ),
    "solutions": ("solutions", "solution"),
    "next": ("suivante", "suivant"),
}

# The last part of a round key (`trust.intake` -> `intake`): its French name, then others.
ROUND_WORDS: Mapping[str, tuple[str, ...]] = {
    "intake": ("attentes", "accueil"),
    "barometer": ("baromètre",),
    "needs": ("besoins",),
    "consent": ("consentement",),
    "exchange": ("échange",),
    "discovery": ("découverte", "decouvertes"),
    "positions": ("positions",),
    "restatement": ("reformulation", "reformuler"),
    "recognition": ("reconnaissance",),
    "items": ("éléments", "blocages"),
    "our_part": ("notre-part", "notrepart"),
    "situation": ("situation", "mise-en-situation"),
    "reversal": ("inversion",),
    "proposals": ("propositions",),
    "shortlist": ("priorités",),
    "checkin": ("point", "suivi"),
    "retrospective": ("bilan", "rétrospective"),
}

BOARD_KINDS: Mapping[str, str] = {
    "obstacle": "obstacle",
    "obstacles": "obstacle",
    "cause": "cause",
    "causes": "cause",
    "information": "information",
    "info": "information",
    "proposal": "proposal",
    "proposition": "proposal",
}

DECISIONS: Mapping[str, str] = {
    "adopt": "adopted",
    "adopter": "adopted",
    "adopted": "adopted",
    "adoptee": "adopted",
    "rework": "rework",
    "retravailler": "rework",
    "park": "parked",
    "ecarter": "parked",
}


def norm(word: str) -> str:
    """One spelling for matching: folded, with `-` and `_` alike."""
    return fold(word.strip()).replace("-", "_")


def _lookup(words: Mapping[str, tuple[str, ...]]) -> Mapping[str, str]:
    return {norm(w): key for key, others in words.items() for w in (key, *others)}


_STEPS = _lookup(STEP_WORDS)
_ROUNDS = _lookup(ROUND_WORDS)


def step_kind(word: str) -> str | None:
    """The step (or `next`) a word names, in either language."""
    return _STEPS.get(norm(word))


def step_names() -> Localized:
    """The steps as people may type them, in each language."""
    kinds = (*STEP_KINDS, "next")
    return Localized((("en", ", ".join(kinds)), ("fr", ", ".join(STEP_WORDS[k][0] for k in kinds))))


def matching_rounds(word: str, keys: Sequence[str]) -> list[str]:
    """The round keys a typed word may mean: a whole key (`contrat.consentement`), its last
    part (`consentement`) or a step's name (`confiance`: that step's rounds), in either
    language. Several keys come back when the word alone does not choose."""
    typed = norm(word)
    step_part, dot, round_part = typed.rpartition(".")
    if dot:
        step = _STEPS.get(step_part, step_part)
        short = _ROUNDS.get(round_part, round_part)
        return [k for k in keys if norm(k) == f"{step}.{short}"]
    short = _ROUNDS.get(typed, typed)
    found = [k for k in keys if norm(k).split(".", 1)[-1] == short]
    if found:
        return found
    named_step = _STEPS.get(typed)
    return [k for k in keys if named_step is not None and k.startswith(named_step + ".")]


def round_names(keys: Iterable[str]) -> Localized:
    """Round keys listed in each language (`contract.consent`, `contrat.consentement`)."""
    keys = tuple(keys)
    return Localized((("en", ", ".join(keys)), ("fr", ", ".join(_french(k) for k in keys))))


def _french(key: str) -> str:
    step, _, short = key.partition(".")
    step_fr = STEP_WORDS.get(step, (step,))[0]
    return f"{step_fr}.{ROUND_WORDS.get(short, (short,))[0]}"
