"""Run Alembic migrations programmatically (`tst db upgrade`, and on start)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config


def alembic_config(url: str) -> Config:
    folder = resources.files("bot.storage").joinpath("migrations")
    cfg = Config()
    cfg.set_main_option("script_location", str(folder))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    """The schema version this code expects."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    return head or ""


async def current_revision(url: str) -> str | None:
    """The schema version the database holds (None: no tst-bot tables yet). Reads only: it
    creates nothing, not even a SQLite file (the caller checks the file exists first)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, hide_parameters=True)
    try:
        async with engine.connect() as connection:
            try:
                found = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            except DBAPIError as error:
                if "alembic_version" in str(error.orig):  # a database without our tables
                    return None
                raise
            return None if found is None else str(found)
    finally:
        await engine.dispose()


def known_revisions() -> set[str]:
    """Every schema version this code knows, older ones included."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {s.revision for s in scripts.walk_revisions()}
