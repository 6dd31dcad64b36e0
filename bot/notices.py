"""What a failed delivery tells the engine: a place refused the bot, a person cannot be reached."""

from __future__ import annotations

from bot.core.events import DeliveryFailed, EventMeta, PersonUnreachable
from bot.core.model import InterventionId
from bot.core.ports import Cause, DeliveryError
from bot.retries import Place
from bot.storage.store import OutboxItem, SqlStore

# Why a person, not a place, cannot be reached: no retry changes it, someone must act.
PERSON_CAUSES: frozenset[Cause] = frozenset({"dm_closed", "account_inactive"})


def person_of(item: OutboxItem) -> str | None:
    """The person a row's message was for, when it was a direct message of the process (a
    safety-line relay is not counted: nothing may be kept of where it went)."""
    if item.kind != "send":
        return None
    user = (item.payload.get("to") or {}).get("user")
    return str(user) if user else None


async def unreachable_event(
    store: SqlStore, item: OutboxItem, error: DeliveryError
) -> PersonUnreachable | None:
    """The event a dying row means, read before it dies: whether its person was among those
    the intervention's direct messages could not reach for this cause already. None when the
    row was not a direct message that failed for good."""
    user = person_of(item)
    if user is None or error.cause not in PERSON_CAUSES:
        return None
    async with store.unit() as uow:
        people = await uow.unreachable(item.intervention_id, error.cause)
    event_id = f"outbox:{item.id}:unreachable"
    meta = EventMeta(platform="outbox", event_id=event_id, workspace="")
    iid = InterventionId(item.intervention_id)
    return PersonUnreachable(meta, iid, error.cause, user in people)


def refused_event(
    item: OutboxItem, error: DeliveryError, place: Place, told: bool
) -> DeliveryFailed:
    """A channel or space refused the bot (`told`: the facilitators heard of it already)."""
    event_id = f"outbox:{item.id}:refused:{item.due_at.isoformat()}"
    meta = EventMeta(platform="outbox", event_id=event_id, workspace="")
    where, subgroup = place
    iid = InterventionId(item.intervention_id)
    return DeliveryFailed(meta, iid, error.cause or "refused", where, subgroup, told)
