"""The words of a report: catalog texts and people's own, typeset for one reader."""

from __future__ import annotations

from bot.core.effects import UserText
from bot.i18n.render import Reader, Renderer
from bot.reports.typography import integer, plural_form, typeset


def plain(text: str | UserText) -> str:
    """An option's label as text, whether the catalog's or a person's (a board item)."""
    return text.text if isinstance(text, UserText) else text


class Words:
    """Catalog text, counts and titles in the reader's language and typography."""

    def __init__(self, renderer: Renderer, reader: Reader) -> None:
        self.renderer, self.reader = renderer, reader
        self.locale = reader.locale

    def t(self, key: str, **params: str | int | float | UserText) -> str:
        return typeset(self.renderer.text(self.reader, key, **params), self.locale)

    def counted(self, key: str, count: int, **params: str | UserText) -> str:
        """A sentence whose grammar follows a count (CLDR plural rules: French "0 personne")."""
        form = plural_form(count, self.locale)
        return self.t(f"{key}.{form}", count=integer(count, self.locale), **params)

    def own(self, text: str) -> str:
        """What a person wrote: as written, only its spacing set for the reader's language."""
        return typeset(text, self.locale)

    def n(self, value: int) -> str:
        return integer(value, self.locale)

    def round_title(self, key: str) -> str:
        return typeset(self.renderer.round_title(self.reader, key), self.locale)
