"""The audit log: who did what to an intervention, and when (never what anyone answered)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import orm


def record(s: AsyncSession, iid: str, at: datetime, actor: str, action: str, target: str) -> None:
    """One line of the log, written with the rest of the unit of work."""
    s.add(orm.AuditRow(intervention_id=iid, at=at, actor=actor, action=action, target=target[:200]))
