"""Database engine, sessions and schema migrations (Alembic, applied programmatically)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from storage import sqlite
from storage.crypto import Keyring
from storage.encrypted import attach

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT = 30  # seconds a SQLite statement waits for another process's write lock


def create_engine(url: str, *, keyring: Keyring | None = None, threaded: bool = False,
                  **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout on every connection.

    SQLite runs on the event loop's thread (``storage.sqlite``): a conversation's statements
    take microseconds, less than handing them to a thread. ``threaded`` engines run it in
    aiosqlite's worker thread instead, for long read-only queries that must not hold the loop.
    SQLite allows one writer at a time. Several pooled connections would make concurrent
    transactions wait for the lock in SQLite's busy handler (sleeping 1 to 100 ms at a time);
    one connection makes them queue on the pool instead, in order and without sleeping.
    PostgreSQL gets a fixed pool: overflow connections, opened for a burst and closed when
    returned, cost far more (a server process each) than waiting for a free pooled one.
    Connections are not rolled back on return: a ``Session`` always ends its transaction.
    With ``keyring``, encrypted columns can be read and written; without, they cannot.
    """
    kwargs.setdefault("pool_reset_on_return", None)
    if url.startswith("sqlite"):
        if threaded:
            kwargs.setdefault("connect_args", {"timeout": BUSY_TIMEOUT})
        else:
            kwargs.setdefault("async_creator", sqlite.connector(url, timeout=BUSY_TIMEOUT))
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
    else:
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 0)
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    if keyring is not None:
        attach(engine.sync_engine.dialect, keyring)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    """Sessions that keep loaded values after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str | None = None) -> Config:
    """Alembic's config, pointing at the migrations shipped in this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


# The advisory lock under which a worker migrates the database and applies the config.
_PREPARING = 0x5369676E61616C  # "Signaal"


@asynccontextmanager
async def preparing(engine: AsyncEngine) -> AsyncIterator[None]:
    """One process at a time prepares the database (N workers starting at once).

    PostgreSQL: a session advisory lock, held on a connection of its own for the block, outside
    the engine's pool (the others wait; the server frees it if the holder dies). SQLite has
    one process: no lock.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    own = create_async_engine(engine.url, poolclass=NullPool)  # not left in the pool after
    try:
        async with own.connect() as connection:
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PREPARING})
            await connection.commit()
            try:
                yield
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                         {"key": _PREPARING})
                await connection.commit()
    finally:
        await own.dispose()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` on this engine's database."""

    def _run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.connect() as connection:
        # SQLite changes a column by rebuilding its table (Alembic's batch mode): dropping the
        # old table must not cascade to, or null, the rows that refer to it.
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            await connection.run_sync(_run)
            await connection.commit()
        finally:
            if sqlite:
                await connection.rollback()
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The schema revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    def _read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(_read)
