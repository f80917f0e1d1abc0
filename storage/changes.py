"""Telling every process on one PostgreSQL database that something they keep has changed.

A process keeps a few things it read (a person's language, ``bot.core.language_choice``). A
change made by another process reaches it by LISTEN/NOTIFY: the changing transaction calls
``announce`` (PostgreSQL delivers it when the transaction commits), and each process runs a
``ChangeListener``. While its listener is not connected (starting, or its connection lost and
not back yet) a process cannot hear changes: ``listening`` is False then, and a keeper must not
trust what it kept; each time the listener connects or is lost, it reports a change of
everything. SQLite has one process: its listeners hear its announcements once the transaction
commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "signaalbot_changes"
LANGUAGES = "languages"  # people's languages (``Signaler.language``)
EVERYTHING = "*"  # what the listener reports when it (re)connects or loses its connection
RETRY_SECONDS = 2.0

_local: set[Callable[[str], None]] = set()  # SQLite: this process's keepers


async def announce(session: AsyncSession, topic: str) -> None:
    """Tell every process, once this transaction commits, that ``topic`` changed."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_notify(CHANNEL, topic)))
    else:
        session.info.setdefault(CHANNEL, set()).add(topic)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    for topic in session.info.pop(CHANNEL, ()):
        for on_change in list(_local):
            on_change(topic)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(CHANNEL, None)


class ChangeListener:
    """Hears the changes announced on the database at ``url``; ``run`` until cancelled.

    ``on_change`` gets each topic (``EVERYTHING`` when the listener connects or is lost).
    SQLite: the announcements of this process, while ``run`` runs.
    """

    def __init__(self, url: str, on_change: Callable[[str], None]) -> None:
        parsed = make_url(url)
        self._postgres = parsed.get_backend_name() == "postgresql"
        self._dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_change = on_change
        self.listening = False

    async def run(self) -> None:
        """Listen; when the connection is lost, connect again after ``RETRY_SECONDS``."""
        if not self._postgres:
            _local.add(self._on_change)
            self.listening = True
            try:
                await asyncio.Event().wait()
            finally:
                self.listening = False
                _local.discard(self._on_change)
        while True:
            try:
                await self._listen()
            except Exception:  # listening again is the way out of whatever it was
                log.warning("hearing other workers' changes failed; retrying", exc_info=True)
            await asyncio.sleep(RETRY_SECONDS)

    async def _listen(self) -> None:
        """One connection's listening, until it is lost."""
        try:
            connection = await asyncpg.connect(self._dsn)
        except (OSError, asyncpg.PostgresError) as error:
            log.warning("not hearing other workers' changes (retrying): %s", error)
            return
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _: lost.set())
            await connection.add_listener(CHANNEL, self._heard)
            self.listening = True
            self._on_change(EVERYTHING)  # what changed before now was not heard
            await lost.wait()
            log.warning("lost the connection that hears other workers' changes; reconnecting")
        finally:
            self.listening = False
            self._on_change(EVERYTHING)
            with contextlib.suppress(Exception):
                await asyncio.shield(connection.close(timeout=1))

    def _heard(self, _connection: Any, _pid: int, _channel: str, topic: str) -> None:
        self._on_change(topic)
