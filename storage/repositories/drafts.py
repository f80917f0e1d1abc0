"""Conversation drafts: the intake's hot path, its statements in one place."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import ARRAY, String, any_, bindparam, delete, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from bot.core.records import ConcurrentUpdate, DraftRecord
from storage import sqlite
from storage.crypto import Keyring, Sealed
from storage.models import DraftRow, sealing_context, utcnow
from storage.repositories.common import insert_or_skip

_drafts = DraftRow.__table__
_COLUMNS = (_drafts.c.id, _drafts.c.version, _drafts.c.state, _drafts.c.expires_at,
            _drafts.c.recent_updates, _drafts.c.external_hash)
_OF_CHANNEL = _drafts.c.channel == bindparam("channel")
# The conversation's hot path: a step's statements, built once on the table (no ORM
# bookkeeping). PostgreSQL runs the lookup and the rewrite compiled for asyncpg
# (``PostgresDraftRepository``).
_GET = select(*_COLUMNS).where(_OF_CHANNEL, _drafts.c.external_hash == bindparam("hash"))
# During a key rotation, under every known lookup key (an expanding IN is rendered anew on
# each execution: 15 % of the lookup's cost, so not on the ordinary path).
_GET_ANY = select(*_COLUMNS).where(
    _OF_CHANNEL, _drafts.c.external_hash.in_(bindparam("hashes", expanding=True)))
# PostgreSQL: under every known lookup key in one statement that never changes.
_GET_PG = select(*_COLUMNS).where(
    _OF_CHANNEL, _drafts.c.external_hash == any_(bindparam("hashes", type_=ARRAY(String))))
_NEW = insert_or_skip(_drafts)
_UPDATE = update(_drafts).where(
    _drafts.c.id == bindparam("draft_id"), _drafts.c.version == bindparam("expected")
).values(state=bindparam("new_state"), version=_drafts.c.version + 1,
         updated_at=bindparam("now"), expires_at=bindparam("expires"),
         recent_updates=bindparam("updates"))
_DELETE = delete(_drafts).where(_drafts.c.id == bindparam("draft_id"))
# How many update ids a draft remembers: more than the flood guard lets one person's updates
# take effect in a batch that Telegram may deliver again (20 in 10 s by default).
RECENT_UPDATES = 32


def _draft_context(channel: str, external_hash: str) -> str:
    return sealing_context(DraftRow, "state", {"channel": channel, "external_hash": external_hash})


class DraftRepository:
    """Conversation drafts, one per person per channel, found by a keyed hash of the id."""

    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self.session = session
        self.keyring = keyring

    def _lookup(self, channel: str, hashes: list[str]) -> tuple[Executable, dict[str, Any]]:
        """The statement that finds a person's draft under any of their lookup hashes."""
        if len(hashes) == 1:
            return _GET, {"channel": channel, "hash": hashes[0]}
        return _GET_ANY, {"channel": channel, "hashes": hashes}

    async def _first(self, statement: Executable, params: dict[str, Any]) -> Any:
        """The first row of a query, or None."""
        return (await self.session.execute(statement, params)).first()

    async def _changed(self, statement: Executable, params: dict[str, Any]) -> int:
        """How many rows a statement changed."""
        result = await self.session.execute(statement, params)
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def get(self, *, channel: str, external_id: str) -> DraftRecord | None:
        """The person's draft, if any (expired or not)."""
        row = await self._first(*self._lookup(channel, self.keyring.lookup_hashes(external_id)))
        if row is None:
            return None
        where = _draft_context(channel, row[5])
        return DraftRecord(row[0], row[1], self.keyring.decrypt_json(row[2], where), row[3],
                           tuple(row[4]), where)

    async def save(
        self,
        *,
        channel: str,
        external_id: str,
        state: dict[str, Any],
        ttl: timedelta,
        expected: DraftRecord | None,
        update_id: int | None = None,
    ) -> None:
        """Insert or update the draft, but only if nobody changed it since ``expected``.

        ``update_id`` is remembered with the draft (see ``DraftRecord.recent_updates``).

        Raises:
            ConcurrentUpdate: when another writer got there first.
        """
        now = utcnow()
        updates = list(expected.recent_updates[1 - RECENT_UPDATES:]) if expected else []
        if update_id is not None:
            updates.append(update_id)
        if expected is None:
            lookup = self.keyring.lookup_hash(external_id)
            result = await self.session.execute(
                _NEW[self.session.bind.dialect.name],
                {"channel": channel, "external_hash": lookup, "version": 1,
                 "state": Sealed(state, _draft_context(channel, lookup)), "created_at": now,
                 "updated_at": now, "expires_at": now + ttl, "recent_updates": updates})
            saved = result.rowcount == 1  # type: ignore[attr-defined]
        else:
            saved = await self._changed(_UPDATE, {
                "draft_id": expected.id, "expected": expected.version,
                "new_state": Sealed(state, expected.context),
                "now": now, "expires": now + ttl, "updates": updates}) == 1
        if not saved:
            raise ConcurrentUpdate

    async def delete(self, draft: DraftRecord) -> None:
        """Remove a draft (it held answers that must not outlive the conversation)."""
        await self.session.execute(_DELETE, {"draft_id": draft.id})

    async def purge_expired(self, *, now: datetime) -> int:
        """Delete every expired draft; returns how many."""
        result = await self.session.execute(delete(DraftRow).where(DraftRow.expires_at <= now))
        return int(result.rowcount)  # type: ignore[attr-defined]


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
        """A row as SQLAlchemy would read it: each value by its column's type."""
        return tuple(process(value) if process else value
                     for process, value in zip(self.results, values, strict=True))


_COMPILED: WeakKeyDictionary[Dialect, dict[Executable, _Compiled]] = WeakKeyDictionary()


def _compiled(statement: Executable, dialect: Dialect) -> _Compiled:
    """``statement`` compiled for an engine's dialect (once)."""
    known = _COMPILED.setdefault(dialect, {})
    if statement not in known:
        compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        columns = getattr(statement, "selected_columns", ())
        known[statement] = _Compiled(compiled.string, tuple(
            (name, bind.value, bind.type.dialect_impl(dialect).bind_processor(dialect))
            for name in compiled.positiontup for bind in (compiled.binds[name],)), tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in columns))
    return known[statement]


class SqliteDraftRepository(DraftRepository):
    """Drafts on SQLite: a step's read and rewrite go straight to the connection.

    As on PostgreSQL (below), the statements above compiled once, bound and read by their
    columns' types, on the session's connection, in its transaction: SQLite runs on the
    event loop's thread (``storage.sqlite``), so a statement costs what SQLite takes, and
    SQLAlchemy's way to it was most of a step's database work. The threaded reader engine,
    and a lookup under several keys (a rotation), go through SQLAlchemy.
    """

    async def _first(self, statement: Executable, params: dict[str, Any]) -> Any:
        found = await self._run(statement, params)
        if found is None:
            return await super()._first(statement, params)
        compiled, cursor = found
        row = cursor.fetchone()
        cursor.close()  # the statement ends now, not when the cursor is collected
        return None if row is None else compiled.row(row)

    async def _changed(self, statement: Executable, params: dict[str, Any]) -> int:
        found = await self._run(statement, params)
        if found is None:
            return await super()._changed(statement, params)
        return int(found[1].rowcount)

    async def _run(self, statement: Executable, params: dict[str, Any]
                   ) -> tuple[_Compiled, sqlite3.Cursor] | None:
        """Run a statement on the session's inline connection; None where there is none."""
        if statement is _GET_ANY:  # an expanding IN: rendered anew each time
            return None
        connection = await self.session.connection()
        driver = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
        if not isinstance(driver, sqlite.Connection):
            return None
        compiled = _compiled(statement, connection.dialect)
        return compiled, driver.run(compiled.sql, compiled.args(params))


class PostgresDraftRepository(DraftRepository):
    """Drafts on PostgreSQL: a step's read and rewrite go straight to asyncpg.

    A conversation step is mostly these two statements: its database work took about 650 µs of
    CPU through SQLAlchemy and 350 µs this way (docs/benchmarks.md). They are the statements
    above, compiled once for asyncpg; their parameters are bound by their columns' types, as
    SQLAlchemy binds them (the state is encrypted by its column, like every encrypted value).
    They run on the session's connection: in its transaction once an earlier statement of the
    unit of work began it, else each on its own. That is the same for the read under READ
    COMMITTED, and safe for the rewrite: it is guarded by the version and is a step's last
    write (``IntakeService._handle_once``).
    """

    def _lookup(self, channel: str, hashes: list[str]) -> tuple[Executable, dict[str, Any]]:
        return _GET_PG, {"channel": channel, "hashes": hashes}

    async def _first(self, statement: Executable, params: dict[str, Any]) -> Any:
        return await self._run("fetchrow", statement, params)

    async def _changed(self, statement: Executable, params: dict[str, Any]) -> int:
        status = await self._run("execute", statement, params)
        return int(status.rpartition(" ")[2])  # "UPDATE 1"

    async def _run(self, method: str, statement: Executable, params: dict[str, Any]) -> Any:
        """Run a statement with an asyncpg connection method, on the session's connection.

        A connection the server dropped is invalidated, as SQLAlchemy does with its own
        statements: the pool must not hand it to the next step.
        """
        connection = await self.session.connection()
        compiled = _compiled(statement, connection.dialect)
        driver = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
        try:
            return await getattr(driver, method)(compiled.sql, *compiled.args(params))
        except Exception:
            if driver.is_closed():
                await connection.invalidate()
            raise
