"""A conversation step's own statements, straight on the database driver.

A step is mostly two statements, its draft's read and rewrite (and, for typed text, whether
the person is staff asked to type a note). Through SQLAlchemy each cost far more than the
database took: on PostgreSQL 650 µs of CPU a step against 350 µs this way, on SQLite (on the
loop's own thread, ``storage.sqlite``) most of a step's database work (docs/benchmarks.md).
So these statements, each built once (a module's constant: every statement passed in is
compiled once per dialect and kept), run on the session's connection by asyncpg, or by the
inline SQLite connection; their parameters are bound and their rows read as their columns'
types do it through SQLAlchemy (an encrypted value is sealed by its column, like every
encrypted value).

They run in the session's transaction once an earlier statement of the unit of work began
it, else each on its own: the same for a read under READ COMMITTED, and for a write that is
its unit of work's last (a draft's rewrite, guarded by its version: ``IntakeService``).
A statement with an expanding ``IN`` (rendered anew on each execution), and a connection of
another kind (SQLite's threaded reader), go through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import asyncpg
from sqlalchemy.engine import Dialect, Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import Executable

from storage import sqlite

_DRIVERS = (sqlite.Connection, asyncpg.Connection)  # the connections statements go straight to


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A statement as the driver takes it: its SQL, its binds, and how to read its rows."""

    sql: str
    binds: tuple[tuple[str, Any, Callable[[Any], Any] | None], ...]  # name, default, processor
    results: tuple[Callable[[Any], Any] | None, ...]  # per column of a row

    def args(self, params: dict[str, Any]) -> list[Any]:
        """The parameters in order, each bound as its column's type binds it."""
        args = []
        for name, default, process in self.binds:
            value = params.get(name, default)
            args.append(process(value) if process else value)
        return args

    def row(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """A row as SQLAlchemy reads it: each value by its column's type."""
        return tuple(process(value) if process else value
                     for process, value in zip(self.results, values, strict=True))


_COMPILED: WeakKeyDictionary[Dialect, dict[Executable, _Compiled | None]] = WeakKeyDictionary()


def _compiled(statement: Executable, dialect: Dialect) -> _Compiled | None:
    """``statement`` compiled for a dialect (once); None when it cannot be (expanding)."""
    known = _COMPILED.setdefault(dialect, {})
    if statement not in known:
        compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        binds = [(name, compiled.binds[name]) for name in compiled.positiontup]
        known[statement] = None if any(bind.expanding for _, bind in binds) else _Compiled(
            compiled.string,
            tuple((name, bind.value, bind.type.dialect_impl(dialect).bind_processor(dialect))
                  for name, bind in binds),
            tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                  for column in getattr(statement, "selected_columns", ())))
    return known[statement]


async def rows(session: AsyncSession, statement: Executable,
               params: dict[str, Any]) -> list[tuple[Any, ...]] | list[Row[Any]]:
    """All rows of a query."""
    straight = await _straight(session, statement)
    if straight is None:
        return list(await session.execute(statement, params))
    connection, compiled, driver = straight
    if isinstance(driver, sqlite.Connection):
        cursor = driver.run(compiled.sql, compiled.args(params))
        found = cursor.fetchall()
        cursor.close()
    else:
        found = await _guarded(connection, driver, driver.fetch(compiled.sql,
                                                                *compiled.args(params)))
    return [compiled.row(values) for values in found]


async def first(session: AsyncSession, statement: Executable,
                params: dict[str, Any]) -> tuple[Any, ...] | Row[Any] | None:
    """The first row of a query, or None."""
    found = await rows(session, statement, params)
    return found[0] if found else None


async def changed(session: AsyncSession, statement: Executable, params: dict[str, Any]) -> int:
    """How many rows a write changed."""
    straight = await _straight(session, statement)
    if straight is None:
        result = await session.execute(statement, params)
        return int(result.rowcount)  # type: ignore[attr-defined]
    connection, compiled, driver = straight
    if isinstance(driver, sqlite.Connection):
        return int(driver.run(compiled.sql, compiled.args(params)).rowcount)
    status = await _guarded(connection, driver, driver.execute(compiled.sql,
                                                               *compiled.args(params)))
    return int(status.rpartition(" ")[2])  # "UPDATE 1"


async def _straight(session: AsyncSession, statement: Executable
                    ) -> tuple[AsyncConnection, _Compiled, Any] | None:
    """The session's connection, the statement compiled and the driver; None: SQLAlchemy's way."""
    connection = await session.connection()
    compiled = _compiled(statement, connection.dialect)
    driver = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    if compiled is None or not isinstance(driver, _DRIVERS):
        return None
    return connection, compiled, driver


async def _guarded(connection: AsyncConnection, driver: Any, running: Any) -> Any:
    """Await an asyncpg call; a connection the server dropped is invalidated after it.

    SQLAlchemy does so with its own statements: the pool must not hand it to the next step.
    """
    try:
        return await running
    except Exception:
        if driver.is_closed():
            await connection.invalidate()
        raise
