"""The database engine: SQLite and PostgreSQL set up alike, and files scrubbed after erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.storage import orm


def make_engine(url: str) -> AsyncEngine:
    """The database engine. Parameters never reach a log line, whatever the log level: they
    are answers, names and ids (SQLAlchemy would print them beside each statement)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        _own_sqlite_transactions(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)


def _own_sqlite_transactions(engine: AsyncEngine) -> None:
    """Take transaction control away from the sqlite3 module, which otherwise begins
    transactions lazily: a SAVEPOINT then opens one of its own and its RELEASE commits,
    so an event's dedupe row outlived the rollback of a collided attempt and the retry
    was taken for a platform duplicate (SQLAlchemy's documented pysqlite recipe).
    IMMEDIATE takes the write lock up front: SQLite has one writer anyway, and two
    deferred transactions upgrading at once would fail with "database is locked"."""

    @event.listens_for(engine.sync_engine, "connect")
    def _autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        # Deleted rows are overwritten with zeros in the file, not left in free pages: an
        # erased answer, or the insertion order of a round's answers before they were
        # re-sealed at close, cannot be read back from the file.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


async def create_all(engine: AsyncEngine) -> None:
    """For tests only; the application runs Alembic migrations."""
    async with engine.begin() as conn:
        await conn.run_sync(orm.Base.metadata.create_all)


async def scrub_files(engine: AsyncEngine) -> None:
    """After an erasure or a purge: nothing erased may survive in a file beside the
    database. SQLite's secure_delete already zeroed the deleted rows in the main file;
    in WAL mode the old pages are still in the -wal file until a checkpoint copies the
    zeroed ones over and TRUNCATE empties it. (The default rollback journal is deleted at
    each commit.) PostgreSQL keeps no file this process could clean: see the README."""
    if engine.dialect.name != "sqlite":
        return

    def checkpoint(conn: Any) -> None:
        # On the driver's connection: a checkpoint cannot run inside the BEGIN IMMEDIATE
        # every SQLAlchemy transaction opens here.
        cursor = conn.connection.dbapi_connection.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()

    async with engine.connect() as conn:
        await conn.run_sync(checkpoint)
