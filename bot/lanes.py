"""Which outbox rows must keep their order: the dispatcher's lanes."""

from __future__ import annotations

from bot.storage.store import OutboxItem

Lane = tuple[str, ...]
# Kinds that change the intervention through the runner: in their intervention, they wait for
# what was claimed before them and hold back what was claimed after them, as one at a time did.
BARRIERS = frozenset({"timer", "groups"})


def lane_of(item: OutboxItem) -> Lane:
    """Rows that must keep their order share a lane: whatever goes to one person (prompts,
    reminders, their data), to one sub-group's space (opened, posted to, closed) or to the
    intervention's channel; timers and grouping share the intervention's own lane."""
    p, iid = item.payload, item.intervention_id
    match item.kind:
        case "send" | "relay":
            to = p.get("to") or {}
            if "user" in to:
                return (iid, "user", str(to["user"]))
            if "space" in to:
                return (iid, "space", str(to["space"]))
            return (iid, "channel")
        case "export" | "report" | "link":
            return (iid, "user", str(p.get("user")))
        case "open_space" | "close_space":
            return (iid, "space", str(p.get("subgroup")))
        case "withdraw":
            return (iid, "channel")  # after the posts it edits
    return (iid, "runner")
