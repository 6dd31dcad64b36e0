"""The database engine: SQLite and PostgreSQL set up alike, and files scrubbed after erasure."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.storage import orm


def make_engine(url: str) -> AsyncEngine:
    """The database engine. Parameters never reach a log line, whatever the log level: they
    are answers, names and ids (SQLAlchemy would print them beside each statement)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        _own_sqlite_transactions(engine)
        return engine
    engine = create_async_engine(url, hide_parameters=True)
    _ping_when_idle(engine)
    return engine


PING_AFTER = 1.0  # seconds a pooled connection may rest before it is checked again


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Check a pooled connection before use when it has rested (PostgreSQL restarted, a
    firewall dropped it), as pool_pre_ping does, but not one given back a moment ago: on
    asyncpg a ping is three round trips (BEGIN, a query, ROLLBACK), more than a dispatcher's
    whole claim. A connection that dies mid-use fails its statement either way."""
    dialect = engine.sync_engine.dialect

    @event.listens_for(engine.sync_engine, "connect")
    @event.listens_for(engine.sync_engine, "checkin")
    def _rested_since(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("checked_in", 0.0) < PING_AFTER:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if not dialect.is_disconnect(error, dbapi_connection, None):
                raise
            alive = False
        if not alive:
            # The pool drops this connection and checks out a fresh one (up to three times).
            raise exc.DisconnectionError("pooled connection no longer answers")


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
