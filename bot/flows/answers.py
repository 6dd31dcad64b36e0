"""What a submitted form means, decided once for every platform: its one validator, which prompts
it answers or skips, and the one confirmation it gets (or none, when nothing changed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.effects import Message, PromptList
from bot.core.events import AnswerSubmitted
from bot.core.model import AnswerValue, Intervention, Response, RoundState, UserId, Visibility
from bot.core.overlay import lookup
from bot.flows.spec import RoundSpec
from bot.flows.synthesis import option_values, prompt_keys, prompt_of

# What the engine compares to tell a change from a repeat: the value, who reads it, a skip.
Recorded = tuple[AnswerValue | None, Visibility, bool]


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one answer cannot be recorded: a catalog key and its parameters."""

    prompt_key: str
    key: str
    params: Mapping[str, str | int] = field(default_factory=dict)


def is_empty(value: AnswerValue) -> bool:
    """Nothing said: blank text, no option chosen, no dot placed."""
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, tuple):
        return not value
    if isinstance(value, Mapping):
        return all(count == 0 for count in value.values())
    return False


def problems(spec: RoundSpec, rnd: RoundState, answers: Mapping[str, AnswerValue]) -> list[Problem]:
    """Every answer checked against its prompt; [] when all of them can be recorded. Platforms
    show these under their inputs when they can (Slack), the engine refuses with the first."""
    found: list[Problem] = []
    for key, value in answers.items():
        problem = _problem(spec, rnd, key, value)
        if problem is not None:
            found.append(problem)
    return found


def _problem(spec: RoundSpec, rnd: RoundState, key: str, value: AnswerValue) -> Problem | None:
    prompt = prompt_of(spec, rnd, key)
    if prompt is None or key not in prompt_keys(spec, rnd):
        return Problem(key, "error.answer_unknown_prompt", {"prompt": key[:60]})
    if is_empty(value):
        return None  # nothing to check: an empty prompt is a skip
    invalid = Problem(key, "error.answer_invalid", {"prompt": key})
    options = option_values(prompt, rnd)
    kind = prompt.kind
    if kind in ("open", "restate"):
        if not isinstance(value, str):
            return invalid
        if len(value) > prompt.max_length:
            return Problem(
                key, "error.answer_too_long", {"prompt": key, "limit": prompt.max_length}
            )
    elif kind == "scale":
        if isinstance(value, bool) or not isinstance(value, int):
            return invalid
        if not prompt.minimum <= value <= prompt.maximum:
            bounds = {"low": prompt.minimum, "high": prompt.maximum}
            return Problem(key, "error.answer_out_of_range", bounds)
    elif kind in ("choice", "consent"):
        if value not in options:
            return invalid
    elif kind in ("multi", "rank"):
        if not isinstance(value, tuple) or len(set(value)) != len(value):
            return invalid
        if any(v not in options for v in value) or (kind == "rank" and len(value) > prompt.budget):
            return invalid
    elif kind == "dots":
        if not isinstance(value, Mapping) or any(k not in options for k in value):
            return invalid
        counts = list(value.values())
        if any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in counts):
            return invalid
        if sum(counts) > prompt.budget:
            return Problem(key, "error.dots_over_budget", {"budget": prompt.budget})
    return None


def unknown_prompt(spec: RoundSpec, rnd: RoundState, keys: Sequence[str]) -> Problem | None:
    """A prompt named as left empty that this round does not ask."""
    asked = prompt_keys(spec, rnd)
    for key in keys:
        if prompt_of(spec, rnd, key) is None or key not in asked:
            return Problem(key, "error.answer_unknown_prompt", {"prompt": key[:60]})
    return None


def entries_of(ev: AnswerSubmitted) -> list[tuple[str, AnswerValue | None]]:
    """What the form says, prompt by prompt, in its order: a value, or None for a prompt the
    person left empty, which is a skip of that prompt ("nothing to say"). A prompt the form
    did not show is not among them and keeps whatever it had."""
    said = [(k, v) for k, v in ev.answers.items() if not is_empty(v)]
    given = {k for k, _v in said}
    empty = [k for k in (*ev.answers, *ev.left_empty) if k not in given]
    return [*said, *((k, None) for k in dict.fromkeys(empty))]


def round_and_author(r: Response) -> tuple[str, UserId]:
    """How answers are looked up by the engine: one person's answers in one round."""
    return r.round_key, r.author


def authored(state: Intervention, round_key: str, user: UserId | None) -> list[Response]:
    """`user`'s answers in the round, found through an index of the answers map, not by
    reading every answer (bot/core/overlay.py): one answer among 10,000 reads its own."""
    return lookup(state.responses, round_and_author, (round_key, user))


def as_recorded(responses: Mapping[str, Response]) -> dict[str, Recorded]:
    return {k: (r.value, r.visibility, r.skipped) for k, r in responses.items()}


def confirmation(
    spec: RoundSpec,
    rnd: RoundState,
    before: Mapping[str, Response],
    said: Sequence[tuple[str, AnswerValue | None]],
    visibility: Visibility,
) -> Message:
    """One confirmation per change: a skip says what was skipped (and no visibility, there is
    nothing to read); answers say who will read them, and whether they replace earlier ones."""
    skipped = tuple(k for k, v in said if v is None)
    if len(skipped) == len(said):
        if set(prompt_keys(spec, rnd)) <= set(skipped):
            return Message("confirm.skipped_round", {"round": rnd.key})
        return Message(
            "confirm.skipped_prompts", {"round": rnd.key, "prompts": PromptList(skipped, rnd.key)}
        )
    answered_before = any(not r.skipped for r in before.values())
    if not skipped:
        return Message(
            "confirm.updated" if answered_before else "answer.recorded",
            {"round": rnd.key, "visibility": visibility},
        )
    return Message(
        "confirm.updated_partly" if answered_before else "confirm.recorded_partly",
        {"round": rnd.key, "visibility": visibility, "prompts": PromptList(skipped, rnd.key)},
    )
