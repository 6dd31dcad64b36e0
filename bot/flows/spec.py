"""The vocabulary steps are written in: prompts of each kind, rounds, steps, the flow."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.core.model import Intervention, Response, RoundState, StepKind, Visibility

PromptKind = Literal["open", "scale", "choice", "multi", "consent", "dots", "rank", "restate"]
ItemSource = Literal["obstacles", "proposals", "shortlist", "contract"]
Space = Literal["dm", "subgroup"]
Reveal = Literal["on_close", "never"]

CONSENT_OPTIONS = ("agree", "agree_with_reservations", "object", "not_yet")
MAX_TEXT = 3000  # the smallest text limit of the platforms we serve (Slack modal inputs)


@dataclass(frozen=True, slots=True)
class Prompt:
    """One question. Its text lives in the catalogs under `prompt.<key>`."""

    key: str
    kind: PromptKind
    options: tuple[str, ...] = ()  # catalog keys `option.<value>`
    options_from: ItemSource | None = None  # options are board items known only at run time
    per_item: bool = False  # one copy of the prompt per item of the round (`key#item`)
    minimum: int = 1
    maximum: int = 5
    budget: int = 0  # dots to spend (dots) or places to rank (rank)
    source_round: str | None = None  # restate: whose published synthesis to restate
    max_length: int = MAX_TEXT


def Open(key: str, *, max_length: int = MAX_TEXT) -> Prompt:
    return Prompt(key, "open", max_length=max_length)


def Scale(key: str, minimum: int = 1, maximum: int = 5) -> Prompt:
    return Prompt(key, "scale", minimum=minimum, maximum=maximum)


def Choice(key: str, *options: str, source: ItemSource | None = None) -> Prompt:
    return Prompt(key, "choice", options=options, options_from=source)


def Multi(key: str, *options: str) -> Prompt:
    return Prompt(key, "multi", options=options)


def Consent(key: str, *, per_item: bool = False) -> Prompt:
    return Prompt(key, "consent", options=CONSENT_OPTIONS, per_item=per_item)


def Dots(key: str, source: ItemSource, budget: int) -> Prompt:
    return Prompt(key, "dots", options_from=source, budget=budget)


def Rank(key: str, source: ItemSource, places: int) -> Prompt:
    return Prompt(key, "rank", options_from=source, budget=places)


def Restate(key: str, source_round: str) -> Prompt:
    return Prompt(key, "restate", source_round=source_round)


# A hook runs when a round closes: it may turn answers into board items, a shortlist...
CloseHook = Callable[[Intervention, RoundState, Sequence[Response], datetime], Intervention]
# An open hook decides which items a round is about (the contract version, the shortlist...).
ItemsHook = Callable[[Intervention], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class RoundSpec:
    """A round: prompts sent together, a response window, a reveal, a synthesis."""

    key: str
    prompts: tuple[Prompt, ...]
    default_visibility: Visibility = "group_anonymous"
    allowed: tuple[Visibility, ...] = ("private", "facilitator", "group_anonymous")
    space: Space = "dm"
    reveal: Reveal = "on_close"
    items: ItemsHook | None = None
    on_close: CloseHook | None = None
    needs_items: bool = False  # refuse to open while `items` finds nothing to ask about
    # A check-in that may run again and again (`/tst schedule every`): each run is an
    # occurrence with a key of its own (`trust.barometer@2`), answered and synthesized apart.
    repeatable: bool = False

    def prompt(self, key: str) -> Prompt | None:
        base = key.split("#", 1)[0]
        return next((p for p in self.prompts if p.key == base), None)


@dataclass(frozen=True, slots=True)
class StepSpec:
    kind: StepKind
    rounds: tuple[RoundSpec, ...]


@dataclass(frozen=True, slots=True)
class Flow:
    """A whole process: its steps in their usual order (facilitators may go back and forth)."""

    steps: tuple[StepSpec, ...]

    def step(self, kind: str) -> StepSpec | None:
        return next((s for s in self.steps if s.kind == kind), None)

    def round(self, key: str) -> RoundSpec | None:
        key = base_key(key)
        for step in self.steps:
            for spec in step.rounds:
                if spec.key == key:
                    return spec
        return None

    def step_of_round(self, key: str) -> StepSpec | None:
        key = base_key(key)
        return next((s for s in self.steps if any(r.key == key for r in s.rounds)), None)

    def round_keys(self) -> tuple[str, ...]:
        return tuple(r.key for s in self.steps for r in s.rounds)

    def prompts(self) -> Mapping[str, Prompt]:
        return {p.key: p for s in self.steps for r in s.rounds for p in r.prompts}


def base_key(round_key: str) -> str:
    """The round a key names: `trust.barometer@3` is the third run of `trust.barometer`."""
    return round_key.partition("@")[0]


def occurrence_key(base: str, number: int) -> str:
    return base if number <= 1 else f"{base}@{number}"


def occurrence_number(round_key: str) -> int:
    suffix = round_key.partition("@")[2]
    return int(suffix) if suffix.isdigit() else 1
