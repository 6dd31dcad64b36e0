"""Syntheses of a closed round: who sees what, with nothing shown below k contributors."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

from bot.core.model import (
    GROUP_VISIBLE,
    Intervention,
    PromptSummary,
    Quote,
    Response,
    RoundState,
    Synthesis,
    Visibility,
)
from bot.flows.spec import CONSENT_OPTIONS, Open, Prompt, RoundSpec, Scale


def prompt_keys(spec: RoundSpec, rnd: RoundState) -> tuple[str, ...]:
    """The round's concrete prompt keys: per-item prompts become one key per item."""
    keys: list[str] = []
    for p in spec.prompts:
        if p.per_item:
            keys.extend(f"{p.key}#{item}" for item in rnd.items)
        else:
            keys.append(p.key)
    return (*keys, *(q.key for q in rnd.words.questions))


def prompt_of(spec: RoundSpec, rnd: RoundState, key: str) -> Prompt | None:
    """A prompt of the round: a built-in one, or a question the facilitators added to it."""
    own = next((q for q in rnd.words.questions if q.key == key), None)
    if own is None:
        return spec.prompt(key)
    return Scale(own.key) if own.kind == "scale" else Open(own.key)


def option_values(prompt: Prompt, rnd: RoundState) -> tuple[str, ...]:
    """The values a choice-like prompt accepts: fixed options or the round's items."""
    if prompt.kind == "consent":
        return CONSENT_OPTIONS
    if prompt.options_from is not None:
        return tuple(str(i) for i in rnd.items)
    if prompt.kind == "scale":
        return tuple(str(v) for v in range(prompt.minimum, prompt.maximum + 1))
    return prompt.options


def _shuffle_key(text: str) -> str:
    # Anonymous quotes are ordered by a hash of their text: never by time, never by author.
    return hashlib.sha256(text.encode()).hexdigest()


def synthesize(
    state: Intervention,
    spec: RoundSpec,
    rnd: RoundState,
    answers: Sequence[Response],
    audience: str,
    subgroup: int | None = None,
) -> Synthesis:
    """Build one audience's view of a closed round.

    `group` (and a sub-group) sees answers shared with the group; the facilitator also sees
    answers addressed to them, named. Aggregates and anonymous quotes need k contributors.
    """
    seen: frozenset[Visibility] = (
        GROUP_VISIBLE | {"facilitator"} if audience == "facilitator" else GROUP_VISIBLE
    )
    scope = [r for r in answers if subgroup is None or r.subgroup == subgroup]
    recipients = (
        len(rnd.recipients)
        if subgroup is None
        else len(next((g.members for g in state.subgroups if g.index == subgroup), ()))
    )
    answered = len({r.author for r in scope})
    summaries = tuple(
        _summarize(state, spec, rnd, key, [r for r in scope if r.prompt_key == key], seen)
        for key in prompt_keys(spec, rnd)
    )
    return Synthesis(rnd.key, audience, recipients, answered, summaries, subgroup)


def _summarize(
    state: Intervention,
    spec: RoundSpec,
    rnd: RoundState,
    key: str,
    answers: Sequence[Response],
    seen: frozenset[Visibility],
) -> PromptSummary:
    prompt = prompt_of(spec, rnd, key)
    assert prompt is not None
    k = state.k_anonymity_min
    skipped = sum(1 for r in answers if r.skipped)
    if prompt.kind == "consent":
        # A position is a count, never a text: every objection counts for the group, or it
        # would read "objection: 0" while one is outstanding. Its reason stays where it was sent.
        seen = frozenset(seen | {"facilitator", "private"})
    given = [r for r in answers if not r.skipped and r.value is not None and r.visibility in seen]
    contributors = len({r.author for r in given})
    withheld = contributors < k
    if prompt.kind in ("open", "restate"):
        quotes = _quotes(state, given, k)
        # Named quotes (attributed, or for the facilitator) stay visible even below k.
        return PromptSummary(
            key, prompt.kind, contributors, skipped, withheld and not quotes, quotes=quotes
        )
    if withheld:
        return PromptSummary(key, prompt.kind, contributors, skipped, True)
    counts, mean = _aggregate(prompt, rnd, given)
    confidential = sum(
        1 for r in given if r.value == "object" and r.visibility in ("facilitator", "private")
    )
    return PromptSummary(
        key,
        prompt.kind,
        contributors,
        skipped,
        False,
        counts=counts,
        mean=mean,
        confidential_objections=confidential,
    )


def _quotes(state: Intervention, given: Sequence[Response], k: int) -> tuple[Quote, ...]:
    named = sorted(
        (
            Quote(str(r.value), _name(state, r))
            for r in given
            if r.visibility in ("facilitator", "group_attributed")
        ),
        key=lambda q: (q.author_name or "", q.text),
    )
    anonymous = [r for r in given if r.visibility == "group_anonymous"]
    if len({r.author for r in anonymous}) < k:
        anonymous = []
    unnamed = sorted((Quote(str(r.value)) for r in anonymous), key=lambda q: _shuffle_key(q.text))
    return (*named, *unnamed)


def _name(state: Intervention, r: Response) -> str:
    p = state.participants.get(r.author)
    return p.display_name if p is not None else "?"


def _aggregate(
    prompt: Prompt, rnd: RoundState, given: Iterable[Response]
) -> tuple[tuple[tuple[str, int], ...], float | None]:
    values = option_values(prompt, rnd)
    tally: dict[str, int] = dict.fromkeys(values, 0)
    total = 0
    n = 0
    for r in given:
        v = r.value
        if prompt.kind == "scale" and isinstance(v, int):
            tally[str(v)] = tally.get(str(v), 0) + 1
            total += v
            n += 1
        elif prompt.kind in ("choice", "consent") and isinstance(v, str):
            tally[v] = tally.get(v, 0) + 1
        elif prompt.kind == "multi" and isinstance(v, tuple):
            for choice in v:
                tally[choice] = tally.get(choice, 0) + 1
        elif prompt.kind == "dots" and isinstance(v, Mapping):
            for item, dots in v.items():
                tally[item] = tally.get(item, 0) + int(dots)
        elif prompt.kind == "rank" and isinstance(v, tuple):
            # Borda count: first place earns as many points as there are places.
            for place, item in enumerate(v):
                tally[item] = tally.get(item, 0) + (prompt.budget - place)
    mean = round(total / n, 2) if n else None
    return tuple(tally.items()), mean
