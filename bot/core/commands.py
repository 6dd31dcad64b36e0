"""The platform-neutral `/tst` grammar, with French aliases, parsed once for every platform."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.model import STEP_KINDS, UserId

MENTION = re.compile(r"^<@!?([A-Za-z0-9_.\-]+)(?:\|[^>]*)?>$|^@([A-Za-z0-9_.\-]+)$")
# Room for 200 Discord mentions (21 characters each) in one invite; Discord caps an
# option at 6000 characters, so anything longer is not a person typing.
MAX_COMMAND_TEXT = 8000


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command: its canonical name, its aliases, its sub-commands and who may use it."""

    name: str
    aliases: tuple[str, ...]
    subs: Mapping[str, tuple[str, ...]]
    facilitator_only: bool | frozenset[str]
    # Offered as a sub-command of its own on Discord, which allows 25 per command: the
    # safety levers are buttons there (under every prompt, in the help and the status).
    slash: bool = True


def _spec(
    name: str,
    aliases: tuple[str, ...] = (),
    subs: Mapping[str, tuple[str, ...]] | None = None,
    facilitator: bool | frozenset[str] = False,
    slash: bool = True,
) -> CommandSpec:
    return CommandSpec(name, aliases, subs or {}, facilitator, slash)


COMMANDS: tuple[CommandSpec, ...] = (
    _spec("start", ("demarrer", "commencer"), facilitator=False),
    _spec("join", ("rejoindre",)),
    _spec("leave", ("quitter",)),
    _spec("invite", ("inviter",), facilitator=True),
    _spec("status", ("statut", "etat")),
    _spec("step", ("etape",), facilitator=True),
    _spec(
        "round",
        ("tour",),
        {
            "open": ("ouvrir",),
            "close": ("fermer", "clore"),
            "remind": ("relancer", "rappel"),
            # The facilitators' review before `publish` (bot/flows/curation.py).
            "draft": ("relire", "brouillon"),
            "hold": ("retenir",),
            "merge": ("fusionner",),
            "edit": ("modifier", "caviarder"),
            "restate": ("reformuler",),
        },
        facilitator=True,
    ),
    _spec("publish", ("publier",), facilitator=True),
    _spec(
        "groups",
        ("groupes", "group", "groupe"),
        {
            "propose": ("proposer",),
            "approve": ("valider", "approuver"),
            "swap": ("echanger", "permuter"),
            "move": ("deplacer",),
            "close": ("fermer", "clore"),
            "apart": ("separer", "eloigner"),
            "hierarchy": ("hierarchie",),
        },
        facilitator=True,
    ),
    _spec(
        "contract",
        ("contrat",),
        {
            "draft": ("rediger", "brouillon"),
            "show": ("voir", "afficher"),
            "adopt": ("adopter",),
            "help": ("aide", "contacts", "soutien"),
        },
        facilitator=frozenset({"draft", "adopt", "help"}),
    ),
    _spec(
        "board",
        ("tableau",),
        {"add": ("ajouter",), "show": ("voir", "afficher", "publier")},
        facilitator=True,
    ),
    _spec(
        "action",
        (),
        {"add": ("ajouter",), "done": ("fait", "terminee", "termine")},
        facilitator=frozenset({"add"}),
    ),
    _spec("decide", ("decider", "decision"), facilitator=True),
    _spec(
        "schedule",
        ("planifier", "programmer"),
        {
            "open": ("ouvrir",),
            "close": ("fermer", "clore"),
            "remind": ("relancer", "rappel"),
            "list": ("lister", "voir", "liste"),
            "cancel": ("annuler",),
            "every": ("chaque", "hebdo", "recurrent"),
            "change": ("modifier", "changer", "deplacer"),
        },
        facilitator=True,
    ),
    _spec("pause", (), facilitator=True),
    _spec("resume", ("reprendre",), facilitator=True),
    _spec("close", ("clore", "cloturer", "terminer"), facilitator=True),
    _spec("report", ("rapport", "bilan"), facilitator=True),
    _spec("answer", ("repondre",)),
    _spec("mydata", ("mesdonnees", "mes-donnees", "donnees")),
    _spec("forget", ("oublier", "effacer")),
    _spec("lang", ("langue", "language")),
    _spec("tz", ("fuseau", "timezone")),
    _spec("profile", ("profil",)),
    _spec("help", ("aide", "?")),
    _spec("talk", ("parler", "ecrire"), slash=False),
    _spec("timeout", ("tempsmort", "temps-mort"), slash=False),
    _spec("inbox", ("boite", "signalements", "reception"), facilitator=True, slash=False),
)

STEP_ALIASES: Mapping[str, str] = {
    "confiance": "trust",
    "contrat": "contract",
    "sous-groupes": "subgroups",
    "sousgroupes": "subgroups",
    "groupes": "subgroups",
    "conflit": "conflict",
    "conflits": "conflict",
    "informations": "information",
    "info": "information",
    "intelligence": "collective_intelligence",
    "intelligence-collective": "collective_intelligence",
    "collective-intelligence": "collective_intelligence",
    "ci": "collective_intelligence",
    "solution": "solutions",
    "suivante": "next",
    "suivant": "next",
    **{k: k for k in STEP_KINDS},
    "next": "next",
}

BOARD_KINDS: Mapping[str, str] = {
    "obstacle": "obstacle",
    "obstacles": "obstacle",
    "cause": "cause",
    "causes": "cause",
    "information": "information",
    "info": "information",
    "proposal": "proposal",
    "proposition": "proposal",
}

DECISIONS: Mapping[str, str] = {
    "adopt": "adopted",
    "adopter": "adopted",
    "adopted": "adopted",
    "adoptee": "adopted",
    "rework": "rework",
    "retravailler": "rework",
    "park": "parked",
    "ecarter": "parked",
}


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed command. `words` keeps the arguments after name and sub-command, `text` the
    same arguments as typed (free text such as a contract draft keeps its spacing)."""

    name: str
    sub: str = ""
    words: tuple[str, ...] = ()
    text: str = ""
    mentions: tuple[UserId, ...] = ()

    def needs_facilitator(self) -> bool:
        spec = BY_NAME[self.name]
        rule = spec.facilitator_only
        return rule if isinstance(rule, bool) else self.sub in rule


class CommandError(Exception):
    """The command cannot be understood; `key` names the catalog message explaining why."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def fold(word: str) -> str:
    """Lower-case without accents, so `Démarrer`, `demarrer` and `DÉMARRER` are one word."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


BY_NAME: Mapping[str, CommandSpec] = {c.name: c for c in COMMANDS}
_ALIASES: Mapping[str, str] = {
    **{c.name: c.name for c in COMMANDS},
    **{a: c.name for c in COMMANDS for a in c.aliases},
}


def mention(word: str) -> UserId | None:
    m = MENTION.match(word)
    if m is None:
        return None
    return UserId(m.group(1) or m.group(2))


def parse(text: str) -> Command:
    """Parse what follows `/tst`. Raises CommandError with a catalog key on anything wrong."""
    if len(text) > MAX_COMMAND_TEXT:
        raise CommandError("error.too_long", limit=str(MAX_COMMAND_TEXT))
    stripped = text.strip()
    if not stripped:
        return Command("help")
    head, _, rest = stripped.partition(" ")
    name = _ALIASES.get(fold(head))
    if name is None:
        raise CommandError("error.unknown_command", command=head[:40])
    spec = BY_NAME[name]
    sub = ""
    rest = rest.strip()
    if spec.subs:
        sub_word, _, after = rest.partition(" ")
        folded = fold(sub_word)
        sub = next((s for s, al in spec.subs.items() if folded == s or folded in al), "")
        if not sub:
            if name == "contract" and not sub_word:
                sub = "show"
            else:
                raise CommandError(
                    "error.unknown_subcommand", command=name, choices=" | ".join(spec.subs)
                )
        else:
            rest = after.strip()
    words = tuple(rest.split())
    mentions = tuple(m for m in (mention(w) for w in words) if m is not None)
    return Command(name, sub, words, rest, mentions)
