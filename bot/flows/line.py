"""The private line (TST §3.3): a participant writes to the facilitators, with or without
their name; a facilitator answers through the bot without learning who wrote. Nothing said
on the line is kept: it is relayed, then gone. Also the help the contract names, which the
line's confirmations show; the bot itself never advises or diagnoses."""

from __future__ import annotations

from dataclasses import replace

from bot.core.commands import Command, fold
from bot.core.effects import Button, Message, ParamValue, UserText, UserTexts
from bot.core.model import Intervention, LineThread, Participant, UserId
from bot.flows import seal
from bot.flows.context import Ctx

MAX_NOTE = 3000  # the smallest text input of the platforms (Slack modals)
MAX_WORD = 500  # the optional word of a time-out or a flag
MAX_HELP = 1500
ANONYMOUS_WORDS = frozenset({"anonyme", "anonymous", "anon", "sans-nom", "sansnom"})
NAMED_WORDS = frozenset({"nom", "name", "named", "signe", "signed", "avec-nom"})


def help_text(state: Intervention | None) -> UserTexts | None:
    if state is None or not any(state.help.values()):
        return None
    return UserTexts(tuple((lang, text) for lang, text in sorted(state.help.items()) if text))


def help_reply(ctx: Ctx, state: Intervention) -> None:
    """Whom to contact, as the contract says: shown as written, the bot adds nothing."""
    contacts = help_text(state)
    if contacts is not None:
        ctx.reply("help.contacts", contacts=contacts)


def line_buttons() -> tuple[Button, ...]:
    """What every prompt and the help offer a participant: the line and a time-out."""
    return (Button("talk", "button.talk"), Button("timeout", "button.timeout"))


def help_extras(ctx: Ctx, state: Intervention | None) -> None:
    """`/tst aide`: the configured help, and the two levers for a participant."""
    if state is None:
        return
    help_reply(ctx, state)
    member = state.participants.get(ctx.actor) if ctx.actor is not None else None
    if member is not None and member.active and not member.is_facilitator:
        ctx.reply("help.safety", line_buttons())


def set_help(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst contrat aide fr <texte>`: whom to contact and which external help, per language
    (an empty text removes it)."""
    lang = fold(cmd.words[0]) if cmd.words else ""
    if lang not in ("fr", "en"):
        ctx.refuse("error.help_syntax")
    text = cmd.text.partition(" ")[2].strip()
    if len(text) > MAX_HELP:
        ctx.refuse("error.too_long", limit=MAX_HELP)
    kept = {k: v for k, v in state.help.items() if k != lang}
    if text:
        kept[lang] = text
        ctx.reply("contract.help_saved", locale=lang, text=UserText(text))
    else:
        ctx.reply("contract.help_removed", locale=lang)
    ctx.audit_target = f"help:{lang}"
    return replace(state, help=kept)


def member_of(ctx: Ctx, state: Intervention) -> Participant:
    member = state.participants.get(ctx.actor) if ctx.actor is not None else None
    if member is None or not member.active:
        ctx.refuse("error.not_a_participant")
    return member


def sender(member: Participant, named: bool) -> ParamValue:
    # Translated when anonymous ("without a name"); the person's own name when they chose it.
    return UserText(member.display_name) if named else "anonymous"


def word_of(text: str) -> ParamValue:
    return UserText(text) if text else "none"


def choice_of(words: tuple[str, ...]) -> tuple[bool | None, int]:
    """A leading "nom"/"anonyme" word: (named, words it took); None when not said."""
    if words and fold(words[0]) in NAMED_WORDS:
        return True, 1
    if words and fold(words[0]) in ANONYMOUS_WORDS:
        return False, 1
    return None, 0


def split(value: str) -> tuple[int, str]:
    number, _, rest = value.partition(".")
    return (int(number), rest) if number.isdigit() else (0, "")


def checked(ctx: Ctx, text: str, limit: int, *, required: bool) -> str:
    text = text.strip()
    if required and not text:
        ctx.refuse("error.note_empty")
    if len(text) > limit:
        ctx.refuse("error.too_long", limit=limit)
    return text


def talk(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst parler [nom|anonyme] <texte>`: without a name unless the person says "nom";
    with no text, the form (which asks) is offered instead."""
    named, used = choice_of(cmd.words)
    text = " ".join(cmd.text.split(None, used)[used:]) if used else cmd.text
    if not text.strip():
        member_of(ctx, state)
        ctx.reply("line.how", (Button("talk", "button.talk"),))
        return state
    return write(ctx, state, text, bool(named), "")


def write(ctx: Ctx, state: Intervention, text: str, named: bool, thread: str) -> Intervention:
    """A message on the private line: to every facilitator, with a way to answer that does
    not say who wrote (bot/flows/seal.py); a new thread, or the writer's own one continued."""
    member = member_of(ctx, state)
    if member.is_facilitator:
        ctx.refuse("error.line_for_participants")
    text = checked(ctx, text, MAX_NOTE, required=True)
    if not seal.fits(member.user):
        ctx.refuse("error.line_unavailable")
    if thread:
        number, cap = split(thread)
        found = state.line(number)
        if found is None or not seal.holds(member.user, found.pad, cap):
            ctx.refuse("error.line_thread_closed")
        current = replace(found, waiting=True, received=found.received + 1)
    else:
        number = max((t.number for t in state.lines), default=0) + 1
        current = LineThread(number, seal.new_pad(ctx.facts.entropy), True, 1, 0)
    token = seal.seal(member.user, current.pad)
    alert = Message(
        "line.incoming",
        {"thread": number, "sender": sender(member, named), "text": UserText(text)},
        buttons=(Button("lreply", "button.line_reply", f"{number}.{token}", "primary"),),
    )
    for facilitator in state.facilitators():
        ctx.relay(facilitator, alert)
    ctx.reply("line.sent_named" if named else "line.sent")
    help_reply(ctx, state)
    lines = tuple(t for t in state.lines if t.number != number)
    return replace(state, lines=tuple(sorted((*lines, current), key=lambda t: t.number)))


def answer(ctx: Ctx, state: Intervention, value: str, text: str) -> Intervention:
    """A facilitator answers a thread through the bot: the writer reads it in private, and
    the other facilitators see that it was answered (their inbox is shared)."""
    if not state.is_facilitator(ctx.actor):
        ctx.refuse("error.facilitator_only")
    assert ctx.actor is not None
    number, token = split(value)
    thread = state.line(number)
    if thread is None:
        ctx.refuse("error.line_thread_closed")
    writer = seal.unseal(token, thread.pad)
    if writer is None:
        ctx.refuse("error.line_thread_closed")
    member = state.participants.get(UserId(writer))
    if member is None or not member.active:
        ctx.refuse("error.line_writer_gone")
    text = checked(ctx, text, MAX_NOTE, required=True)
    cap = seal.capability(member.user, thread.pad)
    ctx.relay(
        member.user,
        Message(
            "line.reply",
            {"thread": number, "text": UserText(text)},
            buttons=(Button("lwrite", "button.line_answer", f"{number}.{cap}", "primary"),),
        ),
    )
    me = state.participants[ctx.actor]
    for other in state.facilitators():
        if other != ctx.actor:
            ctx.relay(
                other,
                Message(
                    "line.answered_by",
                    {"thread": number, "name": UserText(me.display_name), "text": UserText(text)},
                ),
            )
    ctx.reply("line.reply_sent", thread=number)
    updated = replace(thread, waiting=False, answered=thread.answered + 1)
    return replace(state, lines=tuple(updated if t.number == number else t for t in state.lines))


def close_lines(state: Intervention) -> Intervention:
    """The intervention ends: every thread's pad goes, and with it any way back to a writer."""
    return replace(state, lines=tuple(replace(t, pad="", waiting=False) for t in state.lines))
