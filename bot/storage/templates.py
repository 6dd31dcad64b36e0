"""Templates of a workspace: an intervention's words and settings, kept by name."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.wording import Template
from bot.storage import orm
from bot.storage.codec import decode, encode


async def read(s: AsyncSession, platform: str, workspace: str) -> dict[str, Template]:
    row = orm.TemplateRow
    found = await s.execute(
        select(row.name, row.body).where(row.platform == platform, row.workspace == workspace)
    )
    return {name: cast(Template, decode(body)) for name, body in found.all()}


async def remove(s: AsyncSession, platform: str, workspace: str, key: str) -> None:
    row = orm.TemplateRow
    await s.execute(
        delete(row).where(row.platform == platform, row.workspace == workspace, row.name == key)
    )


async def write(
    s: AsyncSession, platform: str, workspace: str, key: str, template: Template, now: datetime
) -> None:
    """Save under `key` (the folded name), replacing a template of that name."""
    row = orm.TemplateRow
    where = (row.platform == platform, row.workspace == workspace, row.name == key)
    await s.execute(delete(row).where(*where))
    await s.execute(
        insert(row).values(
            platform=platform, workspace=workspace, name=key, body=encode(template), saved_at=now
        )
    )
