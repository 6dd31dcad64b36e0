"""People named in the bot's words: the facilitators, as a list in the reader's language."""

from __future__ import annotations

from babel.lists import format_list

from bot.core.effects import UserText
from bot.core.model import Intervention, Locale


def facilitator_names(state: Intervention, locale: Locale, role: str) -> tuple[UserText, int]:
    """The facilitators' display names as a list in the reader's language ("Camille et Sam",
    "Camille and Sam"), relayed as their own words: a name is never read as a mention. The
    role word (`role`) only when no facilitator has a name. With how many it names, 1 for the
    role word: what a verb after them agrees with ("Camille a", "Camille et Sam ont")."""
    names = [n for u in state.facilitators() if (n := state.participants[u].display_name.strip())]
    return UserText(format_list(names, locale=locale) if names else role), max(1, len(names))
