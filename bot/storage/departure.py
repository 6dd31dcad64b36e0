"""A workspace the bot was removed from: its running interventions, the end of its deliveries."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.storage import orm
from bot.storage.store import SqlStore

REASON = "app_removed"


async def running(store: SqlStore, platform: str, workspace: str) -> list[str]:
    """The interventions of the workspace that have not closed, oldest first."""
    i = orm.InterventionRow
    async with store.sessions() as s:
        found = await s.scalars(
            select(i.id)
            .where(i.platform == platform, i.workspace == workspace, i.status != "closed")
            .order_by(i.created_at, i.id)
        )
        return list(found)


async def stop_deliveries(store: SqlStore, platform: str, workspace: str) -> int:
    """Every row still waiting for the workspace's interventions (messages, timers) goes to the
    dead letters at once, instead of failing on a revoked token until its attempts run out.
    A row a dispatcher holds right now fails for good at its next call (the token is gone).
    Returns how many rows were stopped."""
    i, row = orm.InterventionRow, orm.OutboxRow
    theirs = select(i.id).where(i.platform == platform, i.workspace == workspace)
    async with store.sessions() as s, s.begin():
        stopped = await s.execute(
            update(row)
            .where(row.intervention_id.in_(theirs), row.status == "pending")
            .values(status="dead", last_error=REASON, claimed_by=None, lease_until=None)
        )
        return int(stopped.rowcount)  # type: ignore[attr-defined]
