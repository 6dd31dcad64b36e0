"""The facilitators' review of a closed round before the group reads it: hold an item back,
merge items that say the same thing, redact a detail, add their own restatement (TST §3.1)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from bot.core.commands import Command
from bot.core.effects import Message, Reply
from bot.core.model import Curation, Intervention, PromptSummary, Quote, RoundState, Synthesis
from bot.flows import rounds  # a module, not a name: rounds calls back into this one
from bot.flows.context import Ctx
from bot.flows.line import MAX_NOTE, checked


def fingerprint(prompt_key: str, text: str) -> str:
    """An item's name for the curation: its prompt and original words, never its author."""
    return hashlib.sha256(f"{prompt_key}\0{text}".encode()).hexdigest()[:16]


def _items(synthesis: Synthesis) -> dict[str, tuple[int, int, str]]:
    """Each quote's draft number ("2.1": second prompt, first item) → where it is and its name."""
    found: dict[str, tuple[int, int, str]] = {}
    for p, summary in enumerate(synthesis.prompts):
        for q, quote in enumerate(summary.quotes):
            found[f"{p + 1}.{q + 1}"] = (p, q, fingerprint(summary.prompt_key, quote.text))
    return found


def _merged_into(curation: Curation) -> dict[str, str]:
    return dict(curation.merges)


def _apply(summary: PromptSummary, curation: Curation, *, draft: bool, p: int) -> PromptSummary:
    edits, into = dict(curation.edits), _merged_into(curation)
    names = [fingerprint(summary.prompt_key, q.text) for q in summary.quotes]
    joined = {name: sum(1 for target in into.values() if target == name) for name in names}
    quotes: list[Quote] = []
    for q, (quote, name) in enumerate(zip(summary.quotes, names, strict=True)):
        if name in into and not draft:
            continue  # said by the item it was merged into
        held = name in curation.held
        if held and not draft:
            continue
        text = edits.get(name, quote.text)
        quotes.append(
            replace(
                quote,
                text=text,
                edited=name in edits,
                merged=quote.merged + joined.get(name, 0),
                number=f"{p + 1}.{q + 1}" if draft else "",
                held=held or (draft and name in into),
            )
        )
    return replace(summary, quotes=tuple(quotes))


def curated(synthesis: Synthesis) -> Synthesis:
    """What the group reads: held items out, merged ones once, redactions applied."""
    c = synthesis.curation
    prompts = tuple(_apply(s, c, draft=False, p=i) for i, s in enumerate(synthesis.prompts))
    return replace(synthesis, prompts=prompts)


def draft(synthesis: Synthesis) -> Synthesis:
    """The facilitators' view of what the group would read, every item numbered."""
    c = synthesis.curation
    prompts = tuple(_apply(s, c, draft=True, p=i) for i, s in enumerate(synthesis.prompts))
    return replace(synthesis, audience="draft", prompts=prompts)


def draft_message(synthesis: Synthesis, key: str = "curation.draft") -> Message:
    return Message(key, {"round": synthesis.round_key}, synthesis=draft(synthesis))


def offer(ctx: Ctx, state: Intervention, synthesis: Synthesis | None) -> None:
    """At close: the facilitators get the draft privately; nothing is posted until `publier`."""
    if synthesis is None or synthesis.audience != "group":
        return
    ctx.to_facilitators(state, draft_message(synthesis))


def without(curation: Curation, gone: set[str]) -> Curation:
    """The curation once the items named in `gone` (an erased person's words) have left."""
    return replace(
        curation,
        held=tuple(h for h in curation.held if h not in gone),
        edits=tuple((k, v) for k, v in curation.edits if k not in gone),
        merges=tuple((a, b) for a, b in curation.merges if a not in gone and b not in gone),
    )


def _target(ctx: Ctx, state: Intervention, word: str) -> tuple[RoundState, Synthesis]:
    _spec, rnd = rounds.named_run(ctx, state, word)
    if rnd is None or rnd.status != "closed":
        ctx.refuse("error.curate_before_close", round=rnd.key if rnd else word[:60])
    synthesis = state.syntheses.get(rnd.key)
    if synthesis is None or synthesis.audience != "group":
        ctx.refuse("error.nothing_to_curate", round=rnd.key)
    if rnd.published:
        ctx.refuse("error.already_published", round=rnd.key)
    if synthesis.withdrawn:
        ctx.refuse("error.nothing_to_curate", round=rnd.key)
    return rnd, synthesis


def _item(ctx: Ctx, synthesis: Synthesis, word: str) -> str:
    found = _items(synthesis).get(word.strip("#[]"))
    if found is None:
        ctx.refuse("error.curate_no_item", item=word[:20], round=synthesis.round_key)
    return found[2]


def _store(
    ctx: Ctx,
    state: Intervention,
    rnd: RoundState,
    synthesis: Synthesis,
    curation: Curation,
    kind: str,
) -> Intervention:
    updated = replace(synthesis, curation=curation)
    ctx.add(Reply(draft_message(updated, f"curation.{kind}")))
    ctx.audit_target = f"{rnd.key}:{kind}"  # what kind of change, never the words
    return replace(state, syntheses={**state.syntheses, rnd.key: updated})


def show(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst tour relire <tour>`: the draft again, numbered."""
    _rnd, synthesis = _target(ctx, state, _round_word(ctx, cmd))
    ctx.add(Reply(draft_message(synthesis)))
    return state


def hold(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst tour retenir <tour> <n°>`: held back from the group, or given back if it was."""
    rnd, synthesis = _target(ctx, state, _round_word(ctx, cmd))
    name = _item(ctx, synthesis, _word(ctx, cmd, 1))
    c = synthesis.curation
    held = tuple(h for h in c.held if h != name) if name in c.held else (*c.held, name)
    kind = "held" if name in held else "released"
    return _store(ctx, state, rnd, synthesis, replace(c, held=held), kind)


def merge(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst tour fusionner <tour> <n°> <n°>`: the second item is said by the first."""
    rnd, synthesis = _target(ctx, state, _round_word(ctx, cmd))
    keep_word, fold_word = _word(ctx, cmd, 1), _word(ctx, cmd, 2)
    keep, fold = _item(ctx, synthesis, keep_word), _item(ctx, synthesis, fold_word)
    items = _items(synthesis)
    same_prompt = items[keep_word.strip("#[]")][0] == items[fold_word.strip("#[]")][0]
    into = _merged_into(synthesis.curation)
    if keep == fold or not same_prompt or keep in into or fold in into.values():
        ctx.refuse("error.curate_merge")
    merges = (*synthesis.curation.merges, (fold, keep))
    return _store(ctx, state, rnd, synthesis, replace(synthesis.curation, merges=merges), "merged")


def edit(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst tour modifier <tour> <n°> <texte>`: published in these words, marked as edited."""
    rnd, synthesis = _target(ctx, state, _round_word(ctx, cmd))
    name = _item(ctx, synthesis, _word(ctx, cmd, 1))
    text = checked(ctx, _rest(cmd, 2), MAX_NOTE, required=True)
    edits = (*((k, v) for k, v in synthesis.curation.edits if k != name), (name, text))
    return _store(ctx, state, rnd, synthesis, replace(synthesis.curation, edits=edits), "edited")


def restate(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst tour reformuler <tour> <texte>`: « ce que j'entends », signed with their name."""
    rnd, synthesis = _target(ctx, state, _round_word(ctx, cmd))
    text = checked(ctx, _rest(cmd, 1), MAX_NOTE, required=True)
    assert ctx.actor is not None  # a facilitator's command
    me = state.participants.get(ctx.actor)
    name = me.display_name if me is not None else ""
    curation = replace(synthesis.curation, restatement=text, restated_by=name)
    return _store(ctx, state, rnd, synthesis, curation, "restated")


def _round_word(ctx: Ctx, cmd: Command) -> str:
    if not cmd.words:
        ctx.refuse("error.round_needs_key", rounds=", ".join(ctx.flow.round_keys()))
    return cmd.words[0]


def _word(ctx: Ctx, cmd: Command, index: int) -> str:
    if len(cmd.words) <= index:
        ctx.refuse("error.curate_syntax")
    return cmd.words[index]


def _rest(cmd: Command, skip: int) -> str:
    """The free text after `skip` words, as typed (its spacing kept)."""
    parts = cmd.text.split(None, skip)
    return parts[skip] if len(parts) > skip else ""
