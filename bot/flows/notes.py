"""The facilitators' private notes on an intervention: theirs to read, never the group's."""

from __future__ import annotations

from dataclasses import replace

from bot.core.commands import Command
from bot.core.effects import Button, Lines, Params, UserText, When
from bot.core.model import Intervention
from bot.core.wording import Note
from bot.flows.context import Ctx
from bot.flows.line import MAX_NOTE, checked

# The buttons under the list (Discord has no `/tst note`: 25 sub-commands at most) stay
# within one message's 25: the add button, then one delete button for each recent note.
MAX_DELETE_BUTTONS = 10


def add(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst note ajouter <texte>`: kept with the intervention, signed with the facilitator's
    name, shown to facilitators only; the retention purge removes it with the answers."""
    text = checked(ctx, cmd.text, MAX_NOTE, required=True)
    number = max((n.number for n in state.notes), default=0) + 1
    note = Note(number, ctx.speaker(state).text, ctx.now, text, ctx.actor or "")
    ctx.audit_target = f"note#{number}"
    ctx.reply("notes.added", number=number)
    return replace(state, notes=(*state.notes, note))


def listing(ctx: Ctx, state: Intervention, _cmd: Command) -> Intervention:
    """`/tst note voir`: every note, oldest first, with a button to write one in a form and
    one to delete each of the latest."""
    buttons = (
        Button("noteform", "button.notes.add"),
        *(
            Button("notedel", "button.notes.delete", str(n.number))
            for n in state.notes[-MAX_DELETE_BUTTONS:]
        ),
    )
    if not state.notes:
        ctx.reply("notes.none", buttons[:1])
        return state
    lines: tuple[tuple[str, Params], ...] = tuple(
        (
            "notes.line",
            {
                "number": n.number,
                "author": UserText(n.author),
                "at": When(n.at),
                "text": UserText(n.text),
            },
        )
        for n in state.notes
    )
    ctx.reply("notes.list", buttons, count=len(state.notes), lines=Lines(lines))
    return state


def delete(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst note supprimer <n>`: gone from the intervention and from every later report."""
    word = cmd.words[0].lstrip("#") if cmd.words else ""
    found = next((n for n in state.notes if str(n.number) == word), None)
    if found is None:
        ctx.refuse("notes.no_such_note", number=UserText(word[:12]))
    ctx.audit_target = f"note#{found.number}"
    ctx.reply("notes.deleted", number=found.number)
    return replace(state, notes=tuple(n for n in state.notes if n is not found))
