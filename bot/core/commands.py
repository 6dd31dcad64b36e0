"""The `/tst` grammar: one table of commands (names in both languages, who may run them, their
handler), parsed once for every platform."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from bot.core.effects import Localized, ParamValue
from bot.core.model import UserId

MENTION = re.compile(r"^<@!?([A-Za-z0-9_.\-]+)(?:\|[^>]*)?>$|^@([A-Za-z0-9_.\-]+)$")
# Room for 200 Discord mentions (21 characters each) in one invite; Discord caps an
# option at 6000 characters, so anything longer is not a person typing.
MAX_COMMAND_TEXT = 8000

Who = Literal["everyone", "facilitator"]
H = TypeVar("H")


@dataclass(frozen=True, slots=True)
class Sub(Generic[H]):
    """A sub-command: its English and French names (as shown), other accepted words, who may
    run it and what runs it."""

    name: str
    fr: str
    handler: H
    who: Who
    also: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommandSpec(Generic[H]):
    """A command. Either `handler` runs it, or one of `subs` does (`default_sub` when no
    sub-command is typed). Its help lives in the catalogs under `command.<name>`."""

    name: str
    fr: str
    who: Who
    handler: H | None = None
    subs: tuple[Sub[H], ...] = ()
    also: tuple[str, ...] = ()
    default_sub: str = ""
    # Still runs once the intervention has closed (what people may see or take with them).
    when_closed: bool = False
    # Offered as a sub-command of its own on Discord, which allows 25 per command: the
    # safety levers are buttons there (under every prompt, in the help and the status).
    slash: bool = True

    @property
    def help_key(self) -> str:
        return f"command.{self.name}"

    def names(self) -> tuple[str, ...]:
        """Every word that names this command, folded."""
        return tuple(dict.fromkeys(fold(w) for w in (self.name, self.fr, *self.also)))

    def sub(self, name: str) -> Sub[H] | None:
        return next((s for s in self.subs if s.name == name), None)

    def whos(self) -> frozenset[Who]:
        return frozenset(s.who for s in self.subs) if self.subs else frozenset({self.who})


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed command. `words` keeps the arguments after name and sub-command, `text` the
    same arguments as typed (free text such as a contract draft keeps its spacing)."""

    name: str
    sub: str = ""
    words: tuple[str, ...] = ()
    text: str = ""
    mentions: tuple[UserId, ...] = ()


class CommandError(Exception):
    """The command cannot be understood; `key` names the catalog message explaining why."""

    def __init__(self, key: str, **params: ParamValue) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def fold(word: str) -> str:
    """Lower-case without accents, so `Démarrer`, `demarrer` and `DÉMARRER` are one word."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def mention(word: str) -> UserId | None:
    m = MENTION.match(word)
    if m is None:
        return None
    return UserId(m.group(1) or m.group(2))


class CommandTable(Generic[H]):
    """The commands, in the order the help lists them. Every consumer reads this one table:
    the parser, the engine's authority check and dispatch, `/tst help`, Discord's command
    tree and the README."""

    def __init__(self, specs: Sequence[CommandSpec[H]]) -> None:
        self.specs = tuple(specs)
        words: dict[str, str] = {}
        for spec in self.specs:
            for word in spec.names():
                if words.setdefault(word, spec.name) != spec.name:
                    raise ValueError(f"“{word}” names both {words[word]} and {spec.name}")
            _check_subs(spec)
        self._by_word: Mapping[str, CommandSpec[H]] = {
            w: self.spec(name) for w, name in words.items()
        }

    def __iter__(self) -> Iterator[CommandSpec[H]]:
        return iter(self.specs)

    def spec(self, name: str) -> CommandSpec[H]:
        return next(s for s in self.specs if s.name == name)

    def find(self, word: str) -> CommandSpec[H] | None:
        """The command a word names, in either language, accents and case aside."""
        return self._by_word.get(fold(word))

    def parse(self, text: str) -> Command:
        """Parse what follows `/tst`. Raises CommandError with a catalog key on anything wrong."""
        if len(text) > MAX_COMMAND_TEXT:
            raise CommandError("error.too_long", limit=str(MAX_COMMAND_TEXT))
        stripped = text.strip()
        if not stripped:
            return Command("help")
        head, _, rest = stripped.partition(" ")
        spec = self.find(head)
        if spec is None:
            raise CommandError("error.unknown_command", command=head[:40])
        sub = ""
        rest = rest.strip()
        if spec.subs:
            sub_word, _, after = rest.partition(" ")
            folded = fold(sub_word)
            found = next((s for s in spec.subs if folded in _sub_words(s)), None)
            if found is not None:
                sub, rest = found.name, after.strip()
            elif spec.default_sub and not sub_word:
                sub = spec.default_sub
            else:
                raise CommandError(
                    "error.unknown_subcommand",
                    command=Localized((("en", spec.name), ("fr", spec.fr))),
                    choices=Localized(
                        (
                            ("en", " | ".join(s.name for s in spec.subs)),
                            ("fr", " | ".join(s.fr for s in spec.subs)),
                        )
                    ),
                )
        words = tuple(rest.split())
        mentions = tuple(m for m in (mention(w) for w in words) if m is not None)
        return Command(spec.name, sub, words, rest, mentions)

    def handler(self, cmd: Command) -> H:
        spec = self.spec(cmd.name)
        found = spec.sub(cmd.sub)
        handler = found.handler if found is not None else spec.handler
        assert handler is not None, cmd
        return handler

    def needs_facilitator(self, cmd: Command) -> bool:
        spec = self.spec(cmd.name)
        found = spec.sub(cmd.sub)
        return (found.who if found is not None else spec.who) == "facilitator"


def _sub_words(sub: Sub[H]) -> tuple[str, ...]:
    return tuple(fold(w) for w in (sub.name, sub.fr, *sub.also))


def _check_subs(spec: CommandSpec[H]) -> None:
    if (spec.handler is None) == (not spec.subs):
        raise ValueError(f"{spec.name}: a handler or sub-commands, exactly one of them")
    seen: dict[str, str] = {}
    for sub in spec.subs:
        for word in _sub_words(sub):
            if seen.setdefault(word, sub.name) != sub.name:
                raise ValueError(f"{spec.name}: “{word}” names both {seen[word]} and {sub.name}")
    if spec.default_sub and spec.sub(spec.default_sub) is None:
        raise ValueError(f"{spec.name}: no sub-command {spec.default_sub}")
