"""Catalog: message keys to localized templates, with `{param}` slots that keep relayed text apart.

Templates live in `fr.toml` and `en.toml` as nested tables (`[round.prompt]` ...), flattened
to dotted keys. A key may have a familiar-address variant `<key>@tu` used when an intervention
chose *tutoiement*. Placeholders are `{name}`; `{{` and `}}` are literal braces.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.core.effects import (
    ChannelLink,
    Lines,
    Localized,
    ParamValue,
    Phrase,
    PromptList,
    UserText,
    UserTexts,
    When,
)
from bot.core.model import LOCALES, AddressForm, Locale
from bot.core.ports import Segment
from bot.i18n.typography import decimal, integer, plural_form, typeset

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([a-z_][a-z0-9_]*)\}")
# A word that follows a count, by the language's plural rules (CLDR, through Babel):
# "{count} {count|personne|personnes}" reads "0 personne", "1 personne", "2 personnes" in French,
# "0 people", "1 person" in English. Never "personne(s)".
PLURAL = re.compile(r"\{([a-z_][a-z0-9_]*)\|([^{}|]*)\|([^{}|]*)\}")
# Parameters whose value is itself a key: shown as its localized name.
TRANSLATED_PARAMS: Mapping[str, str] = {
    "round": "round.{}.title",
    "step": "step.{}.name",
    "next": "step.{}.name",
    "intro": "step.{}.intro",
    "visibility": "visibility.{}.label",
    "kind": "board.kind.{}",
    "status": "intervention.status.{}",
    "verb": "schedule.verb.{}",
    "weekday": "schedule.weekday.{}",
    "anonymity": "privacy.anonymity.{}",
    "anonymity_mode": "privacy.mode.{}",
    "sender": "safety.sender.{}",
    "word": "safety.word.{}",
    "reason": "flag.reason.{}",
    "cause": "delivery.cause.{}",
}


# Numbers that name something (an item, a thread, a version) rather than count: no grouping.
LABELS = frozenset({"id", "number", "version", "group", "thread", "item", "action", "year"})


# The role word, for a text that names the facilitators read where there is no intervention.
ROLE_KEY = "people.facilitation"
# What a text of an intervention says of its facilitators, when read outside one (help, the
# App Home): the role, singular, as when no facilitator has a name (Renderer._frame).
OUTSIDE_AN_INTERVENTION: Mapping[str, ParamValue] = {
    "facilitator": Phrase(ROLE_KEY),
    "facilitator_count": 1,
}


class MissingKey(KeyError):
    """A key absent from a catalog: a bug caught by the catalog parity test."""


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            out.update(_flatten(value, full))
        else:
            out[full] = str(value)
    return out


def placeholders(template: str) -> frozenset[str]:
    named = {m.group(1) for m in PLACEHOLDER.finditer(template) if m.group(1)}
    return frozenset(named | {m.group(1) for m in PLURAL.finditer(template)})


@dataclass(frozen=True, slots=True)
class Catalog:
    """All templates of every locale, loaded once by the composition root."""

    templates: Mapping[Locale, Mapping[str, str]]

    @classmethod
    def load(cls) -> Catalog:
        loaded: dict[Locale, Mapping[str, str]] = {}
        for locale in LOCALES:
            text = resources.files("bot.i18n").joinpath(f"{locale}.toml").read_text("utf-8")
            flat = _flatten(tomllib.loads(text))
            loaded[locale] = {k: typeset(v, locale) for k, v in flat.items()}
        return cls(loaded)

    def has(self, locale: Locale, key: str) -> bool:
        return key in self.templates[locale]

    def template(self, locale: Locale, key: str, address: AddressForm = "vous") -> str:
        table = self.templates[locale]
        if address == "tu" and f"{key}@tu" in table:
            return table[f"{key}@tu"]
        try:
            return table[key]
        except KeyError:
            raise MissingKey(f"{locale}:{key}") from None

    def text(
        self,
        locale: Locale,
        key: str,
        address: AddressForm = "vous",
        tz: str = "UTC",
        **params: ParamValue,
    ) -> str:
        """Plain text, for labels and places where nothing relayed can appear."""
        return "".join(s.text for s in self.render(locale, key, params, address, tz))

    def render(
        self,
        locale: Locale,
        key: str,
        params: Mapping[str, ParamValue],
        address: AddressForm = "vous",
        tz: str = "UTC",
    ) -> tuple[Segment, ...]:
        """Fill a template: trusted parts and relayed parts come out as separate segments."""
        template = PLURAL.sub(
            lambda m: _plural(locale, key, m, params), self.template(locale, key, address)
        )
        segments: list[Segment] = []
        last = 0
        for m in PLACEHOLDER.finditer(template):
            segments.append(Segment(template[last : m.start()]))
            last = m.end()
            if m.group(0) in ("{{", "}}"):
                segments.append(Segment(m.group(0)[0]))
                continue
            name = m.group(1)
            value = params.get(name, OUTSIDE_AN_INTERVENTION.get(name))
            if value is None:
                raise MissingKey(f"{locale}:{key} needs {{{name}}}")
            segments.append(self._value(locale, name, value, address, tz))
        segments.append(Segment(template[last:]))
        return _merge(segments)

    def param_text(
        self, locale: Locale, name: str, value: ParamValue, address: AddressForm, tz: str
    ) -> str:
        """A parameter as a template would show it (a round key as its title, numbered)."""
        return self._value(locale, name, value, address, tz).text

    def _value(
        self, locale: Locale, name: str, value: ParamValue, address: AddressForm, tz: str
    ) -> Segment:
        if isinstance(value, UserText):
            return Segment(value.text, relayed=True)
        if isinstance(value, UserTexts):
            texts = dict(value.texts)
            own = texts.get(locale) or next((t for _, t in value.texts if t), "")
            return Segment(own, relayed=True)
        if isinstance(value, Localized):
            words = dict(value.texts)
            return Segment(words.get(locale) or next((t for _, t in value.texts), ""))
        if isinstance(value, Phrase):
            return Segment(self.template(locale, value.key, address))
        if isinstance(value, Lines):
            lines = [self.render(locale, key, ps, address, tz) for key, ps in value.lines]
            text = "\n".join("".join(s.text for s in line) for line in lines)
            # One line quoting a person (a note, a question's words) makes the block inert.
            return Segment(text, relayed=any(s.relayed for line in lines for s in line))
        if isinstance(value, When):
            return Segment(format_when(value.at, locale, tz))
        if isinstance(value, ChannelLink):
            return Segment(f"#{value.channel}", channel=value.channel)
        if isinstance(value, PromptList):
            # The renderer names prompts by their questions; without a flow, their keys.
            return Segment(", ".join(value.keys))
        if name == "round" and isinstance(value, str) and "@" in value:
            # A later run of a check-in: its title, numbered ("Trust barometer, no. 3").
            base, _, number = value.partition("@")
            title = self._value(locale, name, base, address, tz).text
            run = self.template(locale, "round.run", address)
            return Segment(run.replace("{title}", title).replace("{number}", number))
        if name in TRANSLATED_PARAMS and isinstance(value, str):
            nested = TRANSLATED_PARAMS[name].format(value)
            if self.has(locale, nested):
                return Segment(self.template(locale, nested, address))
        if isinstance(value, float):
            return Segment(decimal(value, locale, 2))  # "3,50" / "3.50", Babel's separators
        if isinstance(value, int) and not isinstance(value, bool) and name not in LABELS:
            return Segment(integer(value, locale))  # "10 000" / "10,000"
        return Segment(str(value))


def _plural(locale: Locale, key: str, m: re.Match[str], params: Mapping[str, ParamValue]) -> str:
    count = params.get(m.group(1), OUTSIDE_AN_INTERVENTION.get(m.group(1)))
    if not isinstance(count, int) or isinstance(count, bool):
        raise MissingKey(f"{locale}:{key} needs a count {{{m.group(1)}}}")
    return m.group(2) if plural_form(count, locale) == "one" else m.group(3)


def format_when(at: datetime, locale: Locale, tz: str) -> str:
    """A date and time in the reader's timezone and language ("lundi 7 décembre 2026, 09:00")."""
    return format_datetime(at, "EEEE d MMMM y, HH:mm", tzinfo=ZoneInfo(tz), locale=locale)


def _merge(segments: list[Segment]) -> tuple[Segment, ...]:
    merged: list[Segment] = []
    for s in segments:
        if not s.text:
            continue
        if merged and not (s.relayed or merged[-1].relayed or s.channel or merged[-1].channel):
            merged[-1] = Segment(merged[-1].text + s.text)
        else:
            merged.append(s)
    return tuple(merged)
