"""A platform took the bot back from a workspace: its interventions close, its deliveries stop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.events import AppRemoved, EventMeta
from bot.core.model import InterventionId
from bot.core.ports import Departure
from bot.storage.departure import running, stop_deliveries

if TYPE_CHECKING:
    from bot.app import App


async def workspace_removed(app: App, platform: str, workspace: str, event_id: str) -> Departure:
    """Each running intervention of the workspace closes through the runner (an `AppRemoved`
    event, so a platform's repeated notice closes nothing twice), then every delivery still
    waiting for the workspace stops. The answers stay until the retention purge."""
    closed = 0
    for iid in await running(app.store, platform, workspace):
        meta = EventMeta(platform, f"removed:{event_id}:{iid}", workspace)
        handled = await app.runner.handle(AppRemoved(meta, InterventionId(iid)))
        closed += not handled.duplicate
    stopped = await stop_deliveries(app.store, platform, workspace)
    now = app.runner.clock.now()
    async with app.store.unit() as uow:
        day = f"removed:{workspace}:{now.date().isoformat()}"
        first = await uow.first_time(platform, day, now)
    return Departure(closed, stopped, first, app.runner.policy.retention_days)
