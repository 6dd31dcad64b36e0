"""An intervention of any size, every participant past the frame, saved straight to the store:
what invite and consent would build, without thousands of clicks (tests and benches of scale)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from bot.core.model import Delivery, Intervention, InterventionId, Participant, UserId
from bot.storage.store import SqlStore


def roster(
    platform: str,
    workspace: str,
    channel: str,
    facilitator: str,
    people: Sequence[str],
    now: datetime,
    delivery: Delivery | None = None,
) -> Intervention:
    fac = UserId(facilitator)
    members = {
        fac: Participant(fac, "Fatou", "facilitator", "accepted", joined_at=now),
        **{
            UserId(u): Participant(UserId(u), f"p{i}", consent="accepted", joined_at=now)
            for i, u in enumerate(people)
        },
    }
    return Intervention(
        id=InterventionId(str(uuid.uuid4())),
        platform=platform,
        workspace=workspace,
        channel=channel,
        title="Équipe",
        status="active",
        locale="fr",
        timezone="Europe/Paris",
        created_at=now,
        step="trust",
        participants=members,
        delivery=delivery,
    )


async def seed(store: SqlStore, state: Intervention) -> Intervention:
    async with store.unit() as uow:
        return await uow.save(None, state, 0)
