"""The facilitator's anonymity choice: anonymous to the group, or to the facilitator too.

Chosen when starting (`/tst start <title> anonymity=full`, `/tst demarrer <titre>
anonymat=total`), or changed by the same words in a running intervention until its first
round opens: after that, people have answered under the terms they accepted. The frame shows
the choice before anyone accepts it; people who already had the frame are told of a change.
What "full" does in storage is in bot/storage/anonymity.py.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.commands import fold
from bot.core.effects import Message, ToUser, UserText
from bot.core.model import Anonymity, Intervention
from bot.flows.context import Ctx

# `key=value` words a facilitator may add to `start`, in either language.
ANONYMITY_WORDS: dict[str, Anonymity] = {
    "anonymity=full": "full",
    "anonymat=total": "full",
    "anonymat=totale": "full",
    "anonymity=group": "group",
    "anonymat=groupe": "group",
}


def split_anonymity(text: str) -> tuple[str, Anonymity | None]:
    """The title without the anonymity word, and the choice it made (None if absent)."""
    chosen: Anonymity | None = None
    kept: list[str] = []
    for word in text.split():
        found = ANONYMITY_WORDS.get(fold(word))
        if found is None:
            kept.append(word)
        else:
            chosen = found
    return (" ".join(kept) if chosen is not None else text), chosen


def change_anonymity(ctx: Ctx, state: Intervention, chosen: Anonymity) -> Intervention:
    """`start anonymity=…` in a running intervention: allowed to its facilitators until the
    first round opens; everyone who already received the frame is told what it now means."""
    if not state.is_facilitator(ctx.actor):
        ctx.refuse("error.facilitator_only")
    if state.rounds:
        ctx.refuse("privacy.error.too_late", anonymity_mode=state.anonymity)
    ctx.audit_target = f"anonymity={chosen}"
    if chosen == state.anonymity:
        ctx.reply("privacy.anonymity_kept", anonymity_mode=chosen)
        return state
    told = 0
    for user, member in sorted(state.participants.items()):
        if member.active and not member.is_facilitator:
            ctx.send(
                ToUser(user), Message("privacy.anonymity_changed", {"title": UserText(state.title)})
            )
            told += 1
    ctx.reply("privacy.anonymity_set", anonymity_mode=chosen, count=told)
    return replace(state, anonymity=chosen)
