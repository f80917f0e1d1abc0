"""A named lock that one process at a time holds among all those sharing a database.

PostgreSQL: a session-level advisory lock on a connection of the lock's own, so it lasts as
long as that connection: the server releases it when the process stops, dies, or loses the
connection (``pg_terminate_backend``, a restart), and the holder is told at once.
A held lock is checked whenever it is acquired again, and counts as lost when the database
does not answer within ``ANSWER_SECONDS``.
A SQLite file: an OS lock (``flock``) on a file next to the database, released by the system
when the process ends. In-memory SQLite has one process only: the lock is always free.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)
# A held lock the database does not confirm within this counts as lost: the server ends a
# silent connection's session (and frees the lock) only after its TCP keepalives, far later.
ANSWER_SECONDS = 5.0


class ProcessLock:
    """The lock called ``name`` on the database at ``url``; never waits for it.

    ``on_lost`` is called (on the event loop) when a held lock is lost without ``release``:
    its PostgreSQL connection closed.
    """

    def __init__(self, url: str, name: str, *, on_lost: Callable[[], None] | None = None
                 ) -> None:
        self.name = name
        self._on_lost = on_lost
        parsed = make_url(url)
        self._postgres = parsed.get_backend_name() == "postgresql"
        self._url = url
        self._key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(),
                                   "big", signed=True)  # pg_try_advisory_lock's bigint
        database = parsed.database or ""
        in_memory = database in ("", ":memory:") or parsed.query.get("mode") == "memory"
        slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
        self.path = None if self._postgres or in_memory else f"{database}.{slug}.lock"
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None
        self._driver: Any = None  # the asyncpg connection holding the lock
        self._fd: int | None = None
        self.held = False
        self.failing = False  # the database did not answer the last try (warned once)

    async def acquire(self) -> bool:
        """Take the lock if it is free; True while this holds it (a held lock is checked)."""
        if self._postgres:
            try:
                async with asyncio.timeout(ANSWER_SECONDS):
                    held = await (self._check() if self.held else self._take_advisory())
            except (SQLAlchemyError, OSError) as error:
                log.log(logging.DEBUG if self.failing else logging.WARNING,
                        "the lock %s could not be taken or checked: %s", self.name, error)
                self.failing, self.held = True, False
                await self._disconnect()
                return False
            self.failing = False
            return held
        if not self.held:
            self.held = self.path is None or self._take_file()
        return self.held

    async def release(self) -> None:
        """Let another process take it (nothing happens if this does not hold it)."""
        if self._fd is not None:
            os.close(self._fd)  # the flock goes with the file's last descriptor
            self._fd = None
        await self._disconnect()
        self.held = False

    def _take_file(self) -> bool:
        assert self.path is not None
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def _take_advisory(self) -> bool:
        if self._driver is None:  # not connected yet, or the connection closed under it
            await self._disconnect()
            self._engine = create_async_engine(self._url, poolclass=NullPool)
            self._connection = await self._engine.connect()
            await self._connection.execution_options(isolation_level="AUTOCOMMIT")
            raw = await self._connection.get_raw_connection()
            self._driver = raw.driver_connection
            self._driver.add_termination_listener(self._terminated)
        assert self._connection is not None
        taken = await self._connection.scalar(text("SELECT pg_try_advisory_lock(:key)"),
                                              {"key": self._key})
        self.held = bool(taken)
        return self.held

    async def _check(self) -> bool:
        assert self._connection is not None
        await self._connection.scalar(text("SELECT 1"))  # the session, and so its lock, lives
        return True

    def _terminated(self, _driver: object) -> None:
        """The lock's connection closed under it: the server has released the lock."""
        was_held, self.held = self.held, False
        self._driver = None
        if was_held:
            log.warning("the lock %s was lost: its database connection closed", self.name)
            if self._on_lost is not None:
                self._on_lost()

    async def _disconnect(self) -> None:
        connection, engine, driver = self._connection, self._engine, self._driver
        self._connection = self._engine = self._driver = None
        if driver is not None:
            driver.remove_termination_listener(self._terminated)
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError, OSError):
                await connection.invalidate()  # closed at once, not waiting for the server
                await connection.close()
        if engine is not None:
            await engine.dispose()
