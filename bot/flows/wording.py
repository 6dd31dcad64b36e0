"""The facilitators' own words: a prompt reworded or a question added to a round, previewed
as participants will read it, used only once confirmed; the next rounds ask in them."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.commands import Command, fold
from bot.core.effects import Audit, Button, Lines, Params, Phrase, UserText
from bot.core.model import LOCALES, Intervention, UserId
from bot.core.wording import OwnKind, OwnQuestion, Texts, Words, WordsDraft, text_in
from bot.flows.context import Ctx
from bot.flows.rounds import latest, resolve_round
from bot.flows.spec import RoundSpec

MAX_WORDS = 500  # a question, not a page: it also labels the answer field on each platform
# "fr: … en: …" marks each language's words; a text without a mark is in the group's.
MARK = re.compile(r"(?:^|(?<=\s))(fr|en)\s*:", re.IGNORECASE)
RESET = frozenset({"default", "defaut", "reset", "origine"})
REMOVE = frozenset({"remove", "retirer", "supprimer", "enlever"})
SCALE = frozenset({"scale", "echelle"})


def numbered(state: Intervention, spec: RoundSpec) -> tuple[tuple[str, OwnQuestion | None], ...]:
    """The round's questions in the order participants see them, numbered from 1: the built-in
    prompts, then the facilitators' own ones."""
    own = tuple((q.key, q) for q in state.wording.questions if q.round == spec.key)
    return (*((p.key, None) for p in spec.prompts), *own)


def words_command(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst tour texte <tour> [<n> [fr: … en: … | défaut]]`: the round's questions with their
    numbers, one question and its form buttons, or a preview of new words for it."""
    if not cmd.words:
        ctx.refuse("wording.usage")
    spec = _usable(ctx, state, cmd.words[0])
    prompts = numbered(state, spec)
    if len(cmd.words) == 1:
        _listing(ctx, state, spec)
        return state
    number = _number(ctx, cmd.words[1], len(prompts))
    key, own = prompts[number - 1]
    rest = cmd.text.split(None, 2)[2] if len(cmd.words) > 2 else ""
    ctx.audit_target = f"prompt:{spec.key}#{number}"
    if not rest:
        _one(ctx, state, spec, number, key, own)
        return state
    if fold(rest.strip()) in RESET:
        if own is not None:
            ctx.refuse("wording.own_has_no_default", number=number)
        texts: Texts = ()
    else:
        texts = texts_of(ctx, state, rest)
    if own is not None:
        return preview(ctx, state, WordsDraft(_actor(ctx), question=replace(own, texts=texts)))
    return preview(ctx, state, WordsDraft(_actor(ctx), words=Words(spec.key, key, texts)))


def question_command(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst tour question <tour> [échelle] fr: … en: …` adds a question (previewed first);
    `/tst tour question <tour> retirer <n>` takes one of the facilitators' own away."""
    if len(cmd.words) < 2:
        ctx.refuse("wording.question_usage")
    spec = _usable(ctx, state, cmd.words[0])
    second = fold(cmd.words[1])
    if second in REMOVE:
        return _remove(ctx, state, spec, cmd.words[2] if len(cmd.words) > 2 else "")
    kind: OwnKind = "scale" if second in SCALE else "open"
    skip = 2 if kind == "scale" else 1
    rest = cmd.text.split(None, skip)[skip] if len(cmd.words) > skip else ""
    question = OwnQuestion(spec.key, _next_key(state, spec), kind, texts_of(ctx, state, rest))
    ctx.audit_target = spec.key
    return preview(ctx, state, WordsDraft(_actor(ctx), question=question))


def written(ctx: Ctx, state: Intervention, value: str, text: str) -> Intervention:
    """One language's words from the form (`value` = "<round>|<n or new>|<language>"): they
    join what the facilitator already wrote for that question, and the whole is previewed."""
    if not state.is_facilitator(ctx.actor):
        ctx.refuse("error.facilitator_only")
    round_word, _, tail = value.partition("|")
    which, _, locale = tail.partition("|")
    spec = _usable(ctx, state, round_word)
    if locale not in LOCALES:
        ctx.refuse("error.unknown_action")
    words = _checked(ctx, text)
    ctx.add(Audit(_actor(ctx), "round.wording", f"prompt:{spec.key}#{which}"))
    if which == "new":
        question = OwnQuestion(spec.key, _next_key(state, spec), "open", ((locale, words),))
        return preview(ctx, state, WordsDraft(_actor(ctx), question=question))
    prompts = numbered(state, spec)
    key, own = prompts[_number(ctx, which, len(prompts)) - 1]
    mine = _draft(state, _actor(ctx))
    if own is not None:
        before = mine.question if mine and mine.question and mine.question.key == key else own
        merged = replace(before, texts=_with(before.texts, locale, words))
        return preview(ctx, state, WordsDraft(_actor(ctx), question=merged))
    current = next((w for w in state.wording.words if (w.round, w.prompt) == (spec.key, key)), None)
    if mine is not None and mine.words is not None and mine.words.prompt == key:
        current = mine.words
    texts = _with(current.texts if current else (), locale, words)
    return preview(ctx, state, WordsDraft(_actor(ctx), words=Words(spec.key, key, texts)))


def preview(ctx: Ctx, state: Intervention, draft: WordsDraft) -> Intervention:
    """Show the words as participants will read them, in each language, with the buttons that
    use them or drop them. The draft waits, one per facilitator, until one is pressed."""
    target = draft.words or draft.question
    assert target is not None
    round_key, key = _key_of(draft)
    spec = ctx.flow.round(round_key)
    assert spec is not None
    number = _number_of(_applied(state, draft), spec, key)
    lines: list[tuple[str, Params]] = []
    for locale in LOCALES:
        own = text_in(target.texts, locale)
        if own is not None:
            lines.append((f"wording.preview_{locale}", {"text": UserText(own)}))
        elif draft.words is not None:
            lines.append((f"wording.preview_default_{locale}", {}))
        else:
            lines.append((f"wording.preview_fallback_{locale}", {}))
    if draft.question is not None and draft.question.kind == "scale":
        lines.append(("form.scale_hint", {"low": 1, "high": 5}))
    key = "wording.preview_question" if draft.words is None else "wording.preview"
    buttons = (
        Button("words", "button.words.use", "yes", "primary"),
        Button("words", "button.words.drop", "no"),
    )
    ctx.reply(key, buttons, round=spec.key, number=number, shown=Lines(tuple(lines)))
    _say_when(ctx, state, spec)
    drafts = tuple(d for d in state.wording.drafts if d.actor != draft.actor)
    return replace(state, wording=replace(state.wording, drafts=(*drafts, draft)))


def confirm(ctx: Ctx, state: Intervention, value: str) -> Intervention:
    """The facilitator's answer to a preview: "yes" puts the words in use for the next rounds,
    "no" drops them. Audited as the kind of change, never its words."""
    if not state.is_facilitator(ctx.actor):
        ctx.refuse("error.facilitator_only")
    draft = _draft(state, _actor(ctx))
    if draft is None:
        ctx.refuse("wording.no_draft")
    others = tuple(d for d in state.wording.drafts if d is not draft)
    state = replace(state, wording=replace(state.wording, drafts=others))
    if value != "yes":
        ctx.reply("wording.dropped")
        return state
    after = _applied(state, draft)
    round_key, key = _key_of(draft)
    spec = ctx.flow.round(round_key)
    assert spec is not None
    number = _number_of(after, spec, key)
    if draft.words is not None:
        kind, said = (
            ("wording.reworded", "wording.reworded_reply")
            if draft.words.texts
            else ("wording.reset", "wording.reset_reply")
        )
    elif any(q.key == key and q.round == spec.key for q in state.wording.questions):
        kind, said = "wording.reworded", "wording.reworded_reply"
    else:
        kind, said = "wording.question_added", "wording.question_added_reply"
    ctx.add(Audit(_actor(ctx), kind, f"prompt:{spec.key}#{number}"))
    ctx.reply(said, round=spec.key, number=number)
    _say_when(ctx, state, spec)
    return after


def texts_of(ctx: Ctx, state: Intervention, text: str) -> Texts:
    """`fr: … en: …` as one text per language; a text without a mark is in the group's
    language. Refused when empty or too long: nothing is kept then."""
    parts = MARK.split(text)
    found: dict[str, str] = {}
    if parts[0].strip():
        found[state.locale] = parts[0]
    for mark, words in zip(parts[1::2], parts[2::2], strict=True):
        found[mark.lower()] = words
    return tuple((lang, _checked(ctx, found[lang])) for lang in LOCALES if lang in found)


def _checked(ctx: Ctx, text: str) -> str:
    text = " ".join(text.split())  # one line, as a question is shown
    if not text:
        ctx.refuse("wording.empty")
    if len(text) > MAX_WORDS:
        ctx.refuse("error.too_long", limit=MAX_WORDS)
    return text


def _with(texts: Texts, locale: str, words: str) -> Texts:
    found = {**dict(texts), locale: words}
    return tuple((lang, found[lang]) for lang in LOCALES if lang in found)


def _applied(state: Intervention, draft: WordsDraft) -> Intervention:
    w = state.wording
    if draft.words is not None:
        new = draft.words
        kept = tuple(x for x in w.words if (x.round, x.prompt) != (new.round, new.prompt))
        return replace(state, wording=replace(w, words=(*kept, new) if new.texts else kept))
    assert draft.question is not None
    q = draft.question
    if any((x.round, x.key) == (q.round, q.key) for x in w.questions):
        questions = tuple(q if (x.round, x.key) == (q.round, q.key) else x for x in w.questions)
    else:
        questions = (*w.questions, q)
    return replace(state, wording=replace(w, questions=questions))


def _key_of(draft: WordsDraft) -> tuple[str, str]:
    """The round and the question a draft is about."""
    if draft.words is not None:
        return draft.words.round, draft.words.prompt
    assert draft.question is not None
    return draft.question.round, draft.question.key


def _number_of(state: Intervention, spec: RoundSpec, key: str) -> int:
    return next(i for i, (k, _) in enumerate(numbered(state, spec), 1) if k == key)


def _actor(ctx: Ctx) -> UserId:
    assert ctx.actor is not None  # commands, buttons and forms always have one
    return ctx.actor


def _draft(state: Intervention, actor: str) -> WordsDraft | None:
    return next((d for d in state.wording.drafts if d.actor == actor), None)


def _remove(ctx: Ctx, state: Intervention, spec: RoundSpec, word: str) -> Intervention:
    prompts = numbered(state, spec)
    number = _number(ctx, word, len(prompts))
    _key, own = prompts[number - 1]
    if own is None:
        ctx.refuse("wording.builtin_stays", number=number)
    questions = tuple(q for q in state.wording.questions if q is not own)
    ctx.audit_target = f"prompt:{spec.key}#{number}"
    ctx.reply("wording.question_removed_reply", round=spec.key, number=number)
    _say_when(ctx, state, spec)
    return replace(state, wording=replace(state.wording, questions=questions))


def _next_key(state: Intervention, spec: RoundSpec) -> str:
    used = [int(q.key[3:]) for q in state.wording.questions if q.round == spec.key]
    return f"own{max(used, default=0) + 1}"


def _usable(ctx: Ctx, state: Intervention, word: str) -> RoundSpec:
    """A round whose next run can still take new words: one that already ran and never
    runs again would keep them for nothing."""
    spec = resolve_round(ctx, state, word)
    ran = latest(state, spec.key)
    if ran is not None and not spec.repeatable:
        ctx.refuse("wording.round_ran", round=ran.key)
    return spec


def _number(ctx: Ctx, word: str, count: int) -> int:
    if not word.isdigit() or not 1 <= int(word) <= count:
        ctx.refuse("wording.no_such_question", number=UserText(word[:12]), count=count)
    return int(word)


def _say_when(ctx: Ctx, state: Intervention, spec: RoundSpec) -> None:
    """A run open now keeps the words it was asked in: say so."""
    ran = latest(state, spec.key)
    if ran is not None and ran.status == "open":
        ctx.reply("wording.open_keeps", round=ran.key)


def _shown(state: Intervention, spec: RoundSpec, key: str, own: OwnQuestion | None) -> Params:
    """A question as it will next be asked: the facilitators' words, else the bot's."""
    if own is not None:
        texts = own.texts
    else:
        found = (w for w in state.wording.words if (w.round, w.prompt) == (spec.key, key))
        texts = next((w.texts for w in found), ())
    lang = texts[0][0] if texts else state.locale
    text: UserText | Phrase = (
        UserText(text_in(texts, lang) or "") if texts else Phrase(f"prompt.{key}")
    )
    mark = "wording.mark_own" if own else ("wording.mark_reworded" if texts else "wording.mark_bot")
    return {"text": text, "mark": Phrase(mark)}


def _listing(ctx: Ctx, state: Intervention, spec: RoundSpec) -> None:
    lines = tuple(
        ("wording.line", {"number": i, **_shown(state, spec, key, own)})
        for i, (key, own) in enumerate(numbered(state, spec), 1)
    )
    form = Button("wordsform", "button.words.question_form", f"{spec.key}|new|{state.locale}")
    ctx.reply("wording.listing", (form,), round=spec.key, lines=Lines(lines))


def _one(
    ctx: Ctx, state: Intervention, spec: RoundSpec, number: int, key: str, own: OwnQuestion | None
) -> None:
    buttons = tuple(
        Button("wordsform", f"button.words.write_{lang}", f"{spec.key}|{number}|{lang}")
        for lang in LOCALES
    )
    reset = () if own else (Button("words_reset", "button.words.reset", f"{spec.key}|{number}"),)
    params = {"number": number, **_shown(state, spec, key, own)}
    ctx.reply("wording.one", (*buttons, *reset), round=spec.key, **params)
