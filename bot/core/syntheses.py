"""What a closed round says, per audience: its syntheses, their quotes and the curation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quote:
    """A relayed answer in a synthesis: the text and, only when attributed, the author's name."""

    text: str
    author_name: str | None = None
    edited: bool = False  # the facilitator changed its words (a detail that could identify)
    merged: int = 1  # how many answers saying the same thing it stands for
    # In the facilitators' draft only: the item's number and whether it is held back.
    number: str = ""
    held: bool = False


@dataclass(frozen=True, slots=True)
class Curation:
    """What the facilitators did to a round's group synthesis before publishing it. Items are
    named by a fingerprint of their original words (bot/flows/curation.py), never by who
    wrote them, so an erasure can find and drop what came from the erased answers."""

    held: tuple[str, ...] = ()
    edits: tuple[tuple[str, str], ...] = ()  # (item, the words published instead)
    merges: tuple[tuple[str, str], ...] = ()  # (item folded in, item it joins)
    restatement: str = ""  # « ce que j'entends », in the facilitator's own words
    restated_by: str = ""


@dataclass(frozen=True, slots=True)
class PromptSummary:
    """What a synthesis says about one prompt."""

    prompt_key: str
    kind: str
    contributors: int
    skipped: int
    withheld: bool  # fewer than k contributors: nothing but the count is shown
    quotes: tuple[Quote, ...] = ()
    counts: tuple[tuple[str, int], ...] = ()
    mean: float | None = None
    # Consent: objections counted above that their authors shared with the facilitators only.
    confidential_objections: int = 0


@dataclass(frozen=True, slots=True)
class Synthesis:
    """The result of a closed round for one audience ("group", "facilitator" or a sub-group)."""

    round_key: str
    audience: str
    recipients: int
    answered: int
    prompts: tuple[PromptSummary, ...]
    subgroup: int | None = None
    # The facilitator took it down after a flag: only its counts remain, no words.
    withdrawn: bool = False
    curation: Curation = Curation()
