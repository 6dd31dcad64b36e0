"""Suggestions while `/tst … args` is typed: pure functions from the text so far to choices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from discord import app_commands

from bot.adapters.discord.render import shorten
from bot.core.commands import fold, mention
from bot.core.model import STEP_KINDS

MAX_CHOICES = 25  # Discord shows at most 25 suggestions
MAX_VALUE = 100  # and a string choice's value is at most 100 characters

Choices = list[app_commands.Choice[str]]


def plain(current: str, values: Iterable[str]) -> Choices:
    """The values containing what was typed (case-insensitive), in their given order."""
    needle = current.strip().lower()
    found = [v for v in values if needle in v.lower()]
    return [app_commands.Choice(name=v, value=v) for v in found[:MAX_CHOICES]]


def steps(current: str) -> Choices:
    return plain(current, sorted((*STEP_KINDS, "next")))


def members(current: str, people: Mapping[str, str]) -> Choices:
    """Complete the word being typed when it starts with "@" (or nothing is typed yet) with
    the people of the intervention (`people`: user id -> display name), as mentions; the
    words already typed stay, shown with names rather than raw ids."""
    head, _, word = current.rpartition(" ")
    if word and not word.startswith("@"):
        return []
    needle = fold(word[1:])
    shown_head = " ".join(_shown(w, people) for w in head.split())
    out: Choices = []
    for uid, name in sorted(people.items(), key=lambda p: fold(p[1])):
        if needle not in fold(name):
            continue
        value = f"{head} <@{uid}>".strip()
        if len(value) > MAX_VALUE:
            continue
        label = shorten(f"{shown_head} @{name}".strip(), MAX_VALUE)
        out.append(app_commands.Choice(name=label, value=value))
    return out[:MAX_CHOICES]


def _shown(word: str, people: Mapping[str, str]) -> str:
    uid = mention(word)
    return f"@{people.get(uid, uid)}" if uid is not None else word
