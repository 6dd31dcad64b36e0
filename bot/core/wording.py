"""The facilitator's own words: prompts reworded, questions of their own, private notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

# What a person wrote per language: (("fr", "…"), ("en", "…")); a language left out keeps
# the bot's own words.
Texts = tuple[tuple[str, str], ...]
OwnKind = Literal["open", "scale"]


def text_in(texts: Texts, locale: str) -> str | None:
    return next((t for lang, t in texts if lang == locale), None)


@dataclass(frozen=True, slots=True)
class Words:
    """A built-in prompt's question as the facilitator rewrote it for one round."""

    round: str  # the round's base key (every later run of a check-in uses them too)
    prompt: str  # the prompt's key in that round
    texts: Texts


@dataclass(frozen=True, slots=True)
class OwnQuestion:
    """A question the facilitator added to a round: asked, answered and synthesized like the
    built-in ones (same visibility, same *k* threshold)."""

    round: str
    key: str  # "own<n>", unique in its round
    kind: OwnKind
    texts: Texts


@dataclass(frozen=True, slots=True)
class WordsDraft:
    """A change a facilitator has previewed and not confirmed yet (one per facilitator):
    new words for a prompt (`texts` empty: back to the bot's words) or a question to add."""

    actor: str
    words: Words | None = None
    question: OwnQuestion | None = None


@dataclass(frozen=True, slots=True)
class Wording:
    """Everything the facilitators wrote for the next rounds. A round copies what concerns it
    when it opens (`RoundWords`), so a round already open keeps the words it was asked in."""

    words: tuple[Words, ...] = ()
    questions: tuple[OwnQuestion, ...] = ()
    drafts: tuple[WordsDraft, ...] = ()


@dataclass(frozen=True, slots=True)
class RoundWords:
    """The words a round was opened with."""

    words: tuple[Words, ...] = ()
    questions: tuple[OwnQuestion, ...] = ()

    def text(self, prompt: str, locale: str) -> str | None:
        """The facilitator's words for a prompt of this round in `locale`, if any: a reworded
        prompt in that language, or an own question (its first language when not in that one)."""
        for w in self.words:
            if w.prompt == prompt:
                return text_in(w.texts, locale)
        for q in self.questions:
            if q.key == prompt:
                return text_in(q.texts, locale) or (q.texts[0][1] if q.texts else None)
        return None


@dataclass(frozen=True, slots=True)
class Note:
    """A facilitator's private note: facilitators only, never in the group's report."""

    number: int
    author: str  # the facilitator's name as shown
    at: datetime
    text: str
    by: str = ""  # who wrote it: their notes go with them when they erase their data


@dataclass(frozen=True, slots=True)
class Template:
    """What a new intervention may start from (`/tst start … --from <name>`): another's words,
    own questions and settings, kept per workspace. Never an answer, a note or a person."""

    name: str
    wording: Wording
    k_anonymity_min: int
    anonymity: str
    address_form: str
