"""SQLite on the event loop's own thread, behind SQLAlchemy's aiosqlite dialect.

aiosqlite runs every call in a worker thread, and SQLAlchemy makes about four such calls per
statement (cursor, execute, fetch, close). Each hand-off between the threads costs far more
than the statements of a conversation step, which touch one indexed row in microseconds: with
them the bot spent more than half its CPU time passing work to and fro. These classes offer
the dialect aiosqlite's interface but make each call directly, so a statement costs what SQLite
takes. The price is that the loop waits while SQLite works: right for short statements, wrong
for long queries, which therefore get a threaded engine (``storage.db.create_engine``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.engine import make_url


class Cursor:
    """An aiosqlite-like cursor whose awaitables complete at once."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Cursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class Connection:
    """An aiosqlite-like connection whose awaitables complete at once.

    It keeps the default isolation level: SQLAlchemy changes that through aiosqlite's
    private queue, which this connection has not got (the bot never changes it).
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        # The name SQLAlchemy's adapter reads to tell whether the connection is still open.
        self._connection: sqlite3.Connection | None = connection

    @property
    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")  # aiosqlite's words, which SQLAlchemy maps
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._open.isolation_level

    def cursor(self) -> Cursor:
        return Cursor(self._open.cursor())

    def run(self, sql: str, parameters: Sequence[Any]) -> sqlite3.Cursor:
        """Run one statement directly, past SQLAlchemy (a conversation step's own)."""
        return self._open.execute(sql, parameters)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open.create_function(*args, **kwargs)

    async def commit(self) -> None:
        self._open.commit()

    async def rollback(self) -> None:
        self._open.rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Close at once (SQLAlchemy's terminate)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def connector(url: str, **connect_args: Any) -> Callable[[], Awaitable[Connection]]:
    """An ``async_creator`` for ``create_async_engine``: the URL's file, opened inline.

    The dialect turns the URL into ``sqlite3.connect`` arguments as it would for aiosqlite;
    ``connect_args`` are added to them.
    """
    parsed = make_url(url)
    args, kwargs = parsed.get_dialect()().create_connect_args(parsed)
    kwargs.update(connect_args)

    async def connect() -> Connection:
        return Connection(sqlite3.connect(*args, **kwargs))

    return connect
