"""Outbox chat leases: which worker delivers a chat's rows now (``bot.core.outbox``).

A chat's key is a keyed hash of its channel and chat, so no chat is readable in the lease
table; each outbox row carries its chat's key (``Outbox.chat_key``), so a worker leaves the
rows of chats another worker leases out in SQL, without reading them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, bindparam, delete, exists, func, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import Keyring
from storage.models import Outbox, OutboxLease, UTCDateTime

LEASES = OutboxLease.__table__  # Core statements: the ORM would take an insert for a bulk one


def _lease_statement(dialect: str) -> Any:
    """Lease the chats ``:chats`` (keys) to the worker ``:me`` unless another's lease is live.

    Built once per database: the chats come as one array (PostgreSQL) or JSON list (SQLite).
    """
    worker = bindparam("me", type_=String)
    if dialect == "postgresql":
        insert_: Any = postgresql_insert
        keys = func.unnest(bindparam("chats", type_=ARRAY(String)))
        source = select(keys, worker, bindparam("until", type_=UTCDateTime))
    else:
        insert_ = sqlite_insert
        each = func.json_each(bindparam("chats", type_=JSON)).table_valued("value")
        source = select(each.c.value, worker, bindparam("until", type_=UTCDateTime)).where(
            true())  # SQLite reads ON CONFLICT after a SELECT only behind a WHERE
    statement = insert_(LEASES).from_select(["chat", "worker", "expires_at"], source)
    return statement.on_conflict_do_update(
        index_elements=[LEASES.c.chat],
        set_={"worker": statement.excluded.worker, "expires_at": statement.excluded.expires_at},
        where=(LEASES.c.expires_at < bindparam("now", type_=UTCDateTime))
        | (LEASES.c.worker == worker),
    ).returning(LEASES.c.chat)


_LEASE = {dialect: _lease_statement(dialect) for dialect in ("postgresql", "sqlite")}
# A worker's leases on ``:chats``, locked in key order like the lease statement: no deadlock.
_MINE = (select(LEASES.c.chat)
         .where(LEASES.c.worker == bindparam("me"),
                LEASES.c.chat.in_(bindparam("chats", expanding=True)))
         .order_by(LEASES.c.chat).with_for_update())
_FORGET = delete(LEASES).where(LEASES.c.expires_at < bindparam("now", type_=UTCDateTime))
_RENEW = (update(LEASES).where(LEASES.c.chat.in_(_MINE))
          .values(expires_at=bindparam("until", type_=UTCDateTime))
          .returning(LEASES.c.chat))


def leased_elsewhere(worker: str, now: datetime) -> Any:
    """Whether an outbox row's chat has a live lease of a worker other than ``worker``."""
    return exists().where(LEASES.c.chat == Outbox.chat_key, LEASES.c.worker != worker,
                          LEASES.c.expires_at > now)


def first_lease_end(pending: Any, worker: str, now: datetime) -> Any:
    """When the first live lease of another worker on a chat with ``pending`` rows ends."""
    return select(func.min(LEASES.c.expires_at)).where(
        LEASES.c.worker != worker, LEASES.c.expires_at > now,
        pending.where(Outbox.chat_key == LEASES.c.chat).exists()).scalar_subquery()


class ChatLeases:
    """The lease side of the outbox repository: chats' keys, leased, renewed, handed over."""

    session: AsyncSession
    _keyring: Keyring

    def _chat_key(self, chat: tuple[str, int | str]) -> str:
        """A chat's key in ``outbox_leases``: keyed, so a signaler's chat cannot be read."""
        channel, target = chat
        return self._keyring.lookup_hash(f"{channel}:{target}")[:32]

    def _keyed(self, row: Outbox) -> Outbox:
        """``row`` with the key of its chat (``Outbox.chat_key``)."""
        row.chat_key = self._chat_key((row.channel, row.target))
        return row

    async def lease(self, chats: Iterable[tuple[str, int | str]], *, worker: str,
                    now: datetime, until: datetime) -> set[tuple[str, int | str]]:
        """Lease chats (``(channel, target)``) to ``worker`` until ``until``; those it got.

        A chat is got when it has no lease, one that expired, or one of this worker already.
        """
        keys = {self._chat_key(chat): chat for chat in chats}
        if not keys:
            return set()
        won = await self.session.scalars(_LEASE[self.session.bind.dialect.name], {
            "chats": sorted(keys),  # in one order everywhere: no deadlock
            "me": worker, "until": until, "now": now})
        return {keys[key] for key in won}

    async def renew(self, chats: Iterable[tuple[str, int | str]], *, worker: str,
                    until: datetime) -> set[tuple[str, int | str]]:
        """Extend ``worker``'s leases on these chats to ``until``; those it still held."""
        keys = {self._chat_key(chat): chat for chat in chats}
        held = await self.session.scalars(_RENEW, {
            "me": worker, "chats": list(keys), "until": until})
        return {keys[key] for key in held}

    async def forget_leases(self, *, except_worker: str) -> None:
        """Forget every lease but ``except_worker``'s (theirs are of processes that are gone)."""
        await self.session.execute(delete(LEASES).where(LEASES.c.worker != except_worker))

    async def release(self, chats: Iterable[tuple[str, int | str]], *, worker: str,
                      until: datetime, now: datetime) -> None:
        """Hand ``worker``'s leases on these chats over at ``until``; forget ended leases."""
        await self.renew(chats, worker=worker, until=until)
        await self.session.execute(_FORGET, {"now": now})
