"""Every `/tst` command, declared once: its names in both languages, who may run it and what
runs it. The parser, the engine, `/tst help`, Discord's command tree and the README table all
read this table; a command's help texts are `command.<name>.*` in the catalogs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core.commands import Command, CommandSpec, CommandTable, Sub, Who
from bot.core.effects import Audit, Lines, Localized, Params, Phrase, UserText
from bot.core.model import Intervention, UserId
from bot.flows import (
    actions,
    apart,
    asks,
    board,
    checkins,
    curation,
    groups,
    intervention,
    line,
    membership,
    notes,
    parties,
    pause,
    pull,
    refusals,
    reportback,
    rounds,
    safety,
    schedule,
    steps,
    templates,
    wording,
)
from bot.flows.context import Ctx

Handler = Callable[[Ctx, Intervention, Command], Intervention]


@dataclass(frozen=True, slots=True)
class Anywhere:
    """A handler that also runs where no intervention is (or where it has closed)."""

    run: Callable[[Ctx, Intervention | None, Command], Intervention | None]


Runs = Handler | Anywhere


def _plain(fn: Callable[[Ctx, Intervention], Intervention]) -> Handler:
    """A handler that needs no arguments."""
    return lambda ctx, state, _cmd: fn(ctx, state)


def _start(ctx: Ctx, state: Intervention | None, cmd: Command) -> Intervention:
    started = membership.start(ctx, state, cmd)
    ctx.add(Audit(ctx.actor or UserId(""), "start", ctx.audit_target))
    return started


def _answer(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`answer`: the waiting prompts again; `answer dm [off]`: direct messages on or off."""
    return pull.dm_command(ctx, state, cmd) if cmd.words else rounds.send_pending(ctx, state)


def _help(ctx: Ctx, state: Intervention | None, cmd: Command) -> Intervention | None:
    """The list of commands (two messages: each fits in one chat message on every
    platform), or one command's usage, examples and who may use it."""
    if not cmd.words:
        ctx.reply("help.everyone", commands=_overview("everyone"))
        ctx.reply("help.facilitator", commands=_overview("facilitator"))
    elif (spec := TABLE.find(cmd.words[0])) is not None:
        ctx.reply(
            "help.command",
            usage=Phrase(f"{spec.help_key}.usage"),
            examples=Phrase(f"{spec.help_key}.examples"),
            who=_who(spec),
        )
    else:
        ctx.reply("help.topic", topic=UserText(cmd.words[0][:40]))
    line.help_extras(ctx, state)
    return state


def shown_names(spec: CommandSpec[Runs], who: Who | None = None) -> Localized:
    """`round open|close|remind` in English, `tour ouvrir|fermer|relancer` in French: the
    sub-commands `who` may run (all when None)."""
    subs = [s for s in spec.subs if who is None or s.who == who]

    def named(head: str, words: list[str]) -> str:
        return f"{head} {'|'.join(words)}" if words else head

    return Localized(
        (
            ("en", named(spec.name, [s.name for s in subs])),
            ("fr", named(spec.fr, [s.fr for s in subs])),
        )
    )


def _overview(who: Who) -> Lines:
    lines: list[tuple[str, Params]] = []
    for spec in TABLE:
        if who in spec.whos():
            summary = Phrase(f"{spec.help_key}.summary")
            lines.append(("help.line", {"command": shown_names(spec, who), "summary": summary}))
    return Lines(tuple(lines))


def _who(spec: CommandSpec[Runs]) -> Lines:
    whos = spec.whos()
    if len(whos) == 1:
        return Lines(((f"help.who.{next(iter(whos))}", {}),))
    params: Params = {w: shown_names(spec, w) for w in ("everyone", "facilitator")}
    return Lines((("help.who.mixed", params),))


def _cmd(
    name: str,
    fr: str,
    who: Who,
    runs: Runs,
    *also: str,
    when_closed: bool = False,
    slash: bool = True,
) -> CommandSpec[Runs]:
    return CommandSpec(name, fr, who, handler=runs, also=also, when_closed=when_closed, slash=slash)


def _group(
    name: str, fr: str, subs: tuple[Sub[Runs], ...], *also: str, default_sub: str = ""
) -> CommandSpec[Runs]:
    who: Who = "facilitator" if all(s.who == "facilitator" for s in subs) else "everyone"
    return CommandSpec(name, fr, who, subs=subs, also=also, default_sub=default_sub)


def _sub(name: str, fr: str, who: Who, runs: Runs, *also: str) -> Sub[Runs]:
    return Sub(name, fr, runs, who, also)


EVERYONE: Who = "everyone"
FACILITATOR: Who = "facilitator"
_round_cmd = intervention.on_round

TABLE: CommandTable[Runs] = CommandTable(
    (
        _cmd("start", "démarrer", EVERYONE, Anywhere(_start), "commencer"),
        _cmd("join", "rejoindre", EVERYONE, _plain(membership.join)),
        _cmd("leave", "quitter", EVERYONE, _plain(membership.leave)),
        _cmd("invite", "inviter", FACILITATOR, membership.invite),
        _cmd("status", "statut", EVERYONE, asks.status, "état", when_closed=True),
        _cmd("step", "étape", FACILITATOR, steps.open_step),
        _group(
            "round",
            "tour",
            (
                _sub("open", "ouvrir", FACILITATOR, intervention.open_round),
                _sub("close", "fermer", FACILITATOR, _round_cmd(rounds.close_round), "clore"),
                _sub("remind", "relancer", FACILITATOR, _round_cmd(rounds.remind), "rappel"),
                # The facilitators' review of a closed round's synthesis before `publish`.
                _sub("draft", "relire", FACILITATOR, curation.show, "brouillon"),
                _sub("hold", "retenir", FACILITATOR, curation.hold),
                _sub("merge", "fusionner", FACILITATOR, curation.merge),
                _sub("edit", "modifier", FACILITATOR, curation.edit, "caviarder"),
                _sub("restate", "reformuler", FACILITATOR, curation.restate),
                # Said by whoever passed the round, to the facilitators only.
                _sub("possible", "possible", EVERYONE, refusals.condition),
                # The facilitators' own words for the next rounds (bot/flows/wording.py).
                _sub("wording", "texte", FACILITATOR, wording.words_command, "libellé", "mots"),
                _sub("question", "question", FACILITATOR, wording.question_command),
                # A DM each, or one channel announcement and a "My prompts" button (pull.py).
                _sub("delivery", "envoi", FACILITATOR, pull.set_delivery, "diffusion"),
            ),
        ),
        _cmd("publish", "publier", FACILITATOR, _round_cmd(rounds.publish)),
        _group(
            "groups",
            "groupes",
            (
                _sub("propose", "proposer", FACILITATOR, groups.propose),
                _sub("approve", "valider", FACILITATOR, _plain(groups.approve), "approuver"),
                _sub("swap", "échanger", FACILITATOR, groups.swap, "permuter"),
                _sub("move", "déplacer", FACILITATOR, groups.move),
                _sub("close", "fermer", FACILITATOR, _plain(groups.close_groups), "clore"),
                _sub("apart", "séparer", FACILITATOR, apart.apart, "éloigner"),
                _sub("hierarchy", "hiérarchie", FACILITATOR, apart.hierarchy),
                # Conflict spaces (TST step 4): one per issue, with named parties.
                _sub("conflict", "conflit", FACILITATOR, parties.open_space),
                _sub("moveon", "suite", FACILITATOR, parties.move_on, "avancer"),
                _sub("spaces", "espaces", EVERYONE, parties.view, "espace", "space"),
                # Written by a sub-group's member; sent once the sub-group agreed.
                _sub("report", "restitution", EVERYONE, reportback.write, "restituer"),
            ),
            "group",
            "groupe",
        ),
        _group(
            "contract",
            "contrat",
            (
                _sub("draft", "rédiger", FACILITATOR, board.contract_draft, "brouillon"),
                _sub("show", "voir", EVERYONE, _plain(board.contract_show), "afficher"),
                _sub("adopt", "adopter", FACILITATOR, board.contract_adopt),
                _sub("help", "aide", FACILITATOR, line.set_help, "contacts", "soutien"),
            ),
            default_sub="show",
        ),
        _group(
            "board",
            "tableau",
            (
                _sub("add", "ajouter", FACILITATOR, board.board_add),
                _sub("show", "voir", FACILITATOR, _plain(board.board_show), "afficher", "publier"),
            ),
        ),
        _group(
            "action",
            "action",
            (
                _sub("add", "ajouter", FACILITATOR, actions.add),
                _sub("done", "fait", EVERYONE, actions.done_command, "terminée", "terminé"),
                _sub("accept", "accepter", EVERYONE, actions.accept_command),
                _sub("decline", "refuser", EVERYONE, actions.decline_command, "décliner"),
            ),
        ),
        _cmd("decide", "décider", FACILITATOR, board.decide, "décision"),
        _group(
            "schedule",
            "planifier",
            (
                _sub("open", "ouvrir", FACILITATOR, schedule.add),
                _sub("close", "fermer", FACILITATOR, schedule.add, "clore"),
                _sub("remind", "relancer", FACILITATOR, schedule.add, "rappel"),
                _sub("list", "lister", FACILITATOR, _plain(schedule.listing), "voir", "liste"),
                _sub("cancel", "annuler", FACILITATOR, schedule.cancel),
                _sub("every", "chaque", FACILITATOR, schedule.every, "hebdo", "récurrent"),
                _sub("change", "modifier", FACILITATOR, schedule.change, "changer", "déplacer"),
            ),
            "programmer",
        ),
        _cmd("pause", "pause", FACILITATOR, pause.pause),
        _cmd("resume", "reprendre", FACILITATOR, pause.resume),
        _cmd("close", "clore", FACILITATOR, intervention.close, "clôturer", "terminer"),
        _cmd("report", "rapport", FACILITATOR, asks.report, "bilan", when_closed=True),
        # `tableau` is already the board's: the live page is the facilitator's `suivi`. Not a
        # Discord sub-command (25 at most, all taken): a button under the facilitator's status.
        _cmd(
            "dashboard",
            "suivi",
            FACILITATOR,
            asks.dashboard,
            "tableau-de-bord",
            "tableaudebord",
            when_closed=True,
            slash=False,
        ),
        _cmd("answer", "répondre", EVERYONE, _answer),
        _cmd(
            "mydata",
            "mes-données",
            EVERYONE,
            asks.mydata,
            "mesdonnées",
            "données",
            when_closed=True,
        ),
        _cmd("forget", "oublier", EVERYONE, _plain(membership.forget), "effacer", when_closed=True),
        _cmd("lang", "langue", EVERYONE, membership.set_lang, "language"),
        _cmd("tz", "fuseau", EVERYONE, membership.set_tz, "timezone"),
        _cmd("profile", "profil", EVERYONE, membership.profile),
        _cmd("help", "aide", EVERYONE, Anywhere(_help), "?"),
        # Private notes: not a Discord sub-command (25 at most, all taken): a button under
        # the facilitator's status opens them, with a form to write one.
        CommandSpec(
            "note",
            "note",
            FACILITATOR,
            subs=(
                _sub("add", "ajouter", FACILITATOR, notes.add, "écrire"),
                _sub("list", "voir", FACILITATOR, notes.listing, "lister", "liste"),
                _sub("delete", "supprimer", FACILITATOR, notes.delete, "effacer", "retirer"),
            ),
            also=("notes",),
            default_sub="list",
            when_closed=True,
            slash=False,
        ),
        # Templates: not a Discord sub-command either; a button under the status saves one.
        CommandSpec(
            "template",
            "modèle",
            FACILITATOR,
            subs=(
                _sub("save", "enregistrer", FACILITATOR, templates.save, "garder"),
                _sub("list", "voir", FACILITATOR, templates.listing, "lister", "liste"),
                _sub("delete", "supprimer", FACILITATOR, templates.remove, "effacer", "retirer"),
            ),
            also=("modele", "templates", "modèles"),
            default_sub="list",
            when_closed=True,
            slash=False,
        ),
        _cmd("talk", "parler", EVERYONE, line.talk, "écrire", slash=False),
        # Also the buttons of the invitation sent when a weekly check-in is planned.
        _cmd("checkins", "points", EVERYONE, checkins.command, "check-ins", slash=False),
        _cmd("timeout", "temps-mort", EVERYONE, safety.timeout_command, "tempsmort", slash=False),
        _cmd(
            "inbox",
            "boîte",
            FACILITATOR,
            _plain(safety.inbox),
            "signalements",
            "réception",
            slash=False,
        ),
    )
)
