"""Templates: an intervention's words, own questions and settings saved by name for its
workspace, and a new intervention started from one (`/tst start <title> --from <name>`)."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.commands import Command, fold
from bot.core.effects import DeleteTemplate, SaveTemplate, UserText
from bot.core.model import Anonymity, Intervention
from bot.core.wording import Template, Wording
from bot.flows.context import Ctx

MAX_NAME = 40
# `--from`, `--depuis` or `--modèle`: what follows is the template's name.
FROM = re.compile(r"(?:^|\s)--(?:from|depuis|mod[eè]le)(?:\s+|=)(.*)$", re.IGNORECASE)


def split_from(text: str) -> tuple[str, str | None]:
    """The title typed with `start`, and the template named after `--from`, if any."""
    m = FROM.search(text)
    if m is None:
        return text, None
    return text[: m.start()], m.group(1).strip()


def save(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst modele enregistrer <nom>`: the words, own questions and settings, never an
    answer, a note or a person; a template of that name in the workspace is replaced."""
    name = _name(ctx, cmd.text)
    w = state.wording
    kept = Template(
        name,
        Wording(w.words, w.questions),
        state.k_anonymity_min,
        state.anonymity,
        state.address_form,
    )
    ctx.add(SaveTemplate(kept))
    replaced = fold(name) in ctx.facts.templates
    ctx.reply(
        "templates.replaced" if replaced else "templates.saved",
        name=UserText(name),
        words=len(w.words),
        questions=len(w.questions),
    )
    ctx.audit_target = "template"
    return state


def listing(ctx: Ctx, state: Intervention, _cmd: Command) -> Intervention:
    names = sorted(t.name for t in ctx.facts.templates.values())
    if not names:
        ctx.reply("templates.none")
    else:
        ctx.reply("templates.list", names=UserText(", ".join(names)))
    return state


def remove(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst modele supprimer <nom>`: the workspace's template of that name goes; the
    interventions started from it keep their words."""
    found = _found(ctx, _name(ctx, cmd.text))
    ctx.add(DeleteTemplate(fold(found.name)))
    ctx.reply("templates.deleted", name=UserText(found.name))
    ctx.audit_target = "template"
    return state


def started_from(ctx: Ctx, created: Intervention, name: str, chosen: bool) -> Intervention:
    """A new intervention with a template's words and settings; an anonymity typed with
    `start` (`chosen`) wins over the template's."""
    found = _found(ctx, name)
    kept: Anonymity = "full" if found.anonymity == "full" else "group"
    return replace(
        created,
        wording=found.wording,
        k_anonymity_min=found.k_anonymity_min,
        anonymity=created.anonymity if chosen else kept,
        address_form="tu" if found.address_form == "tu" else "vous",
    )


def _found(ctx: Ctx, name: str) -> Template:
    """The workspace's template of that name (folded); refused with the names there are."""
    found = ctx.facts.templates.get(fold(name))
    if found is None:
        names = ", ".join(sorted(t.name for t in ctx.facts.templates.values())) or "-"
        ctx.refuse("templates.unknown", name=UserText(name[:MAX_NAME]), names=UserText(names))
    return found


def _name(ctx: Ctx, text: str) -> str:
    name = " ".join(text.split())
    if not name:
        ctx.refuse("templates.name_needed")
    if len(name) > MAX_NAME:
        ctx.refuse("error.too_long", limit=MAX_NAME)
    return name
