"""What a failed delivery becomes: tried again later, held for someone to let the bot in, or
buried as a dead letter."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from bot.core.ports import MEMBERSHIP, DeliveryError
from bot.storage.store import OutboxItem

# Where a row posts, when it is a channel or a sub-group's space: ("channel", None) or
# ("space", subgroup). Direct messages have none: nobody can add the bot to a person.
Place = tuple[str, int | None]
# Facilitators told that a place refused the bot are not told again for this long after the
# last message that died of it (rows behind it in its lane wait their own hour meanwhile).
TOLD_FOR = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    lease: timedelta = timedelta(seconds=60)
    batch: int = 100
    max_attempts: int = 8
    backoff_base: float = 2.0
    backoff_cap: float = 900.0
    grouping_seconds: float = 1.0
    # Deliveries of one claimed batch in flight at once (never two to the same place).
    concurrency: int = 16
    # A post the bot is not let in for waits this long, then twice as long each time (capped
    # at backoff_cap): 60 s and 8 attempts hold it about an hour for someone to add the bot.
    hold_seconds: float = 60.0


def place_of(item: OutboxItem) -> Place | None:
    """The channel or space a row posts in (creating a space needs the channel's rights)."""
    p = item.payload
    match item.kind:
        case "send":
            to = p.get("to") or {}
            if "space" in to:
                return ("space", int(to["space"]))
            if "user" not in to:
                return ("channel", None)
        case "open_space":
            return ("channel", None)
        case "close_space":
            return ("space", int(p.get("subgroup", 0)))
    return None


def next_try(
    policy: DeliveryPolicy, item: OutboxItem, error: DeliveryError, jitter: random.Random
) -> float | None:
    """Seconds until the row is tried again; None when it is a dead letter now. A channel or
    space that refused the bot (not a member, a permission missing) is waited for even
    though the platform's answer is final: someone can let the bot in meanwhile."""
    held = error.cause in MEMBERSHIP and place_of(item) is not None
    if (error.permanent and not held) or item.attempts >= policy.max_attempts:
        return None
    if held:
        return min(policy.backoff_cap, policy.hold_seconds * 2.0 ** (item.attempts - 1))
    if error.retry_after is not None:
        return error.retry_after
    # Exponential backoff with full jitter, so retries of a burst do not align.
    ceiling = min(policy.backoff_cap, policy.backoff_base ** float(item.attempts))
    return jitter.uniform(0.0, ceiling)
