"""SQL pieces several repositories share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, String, and_, any_, bindparam, cast, exists, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import Executable

from storage.crypto import Keyring
from storage.models import AlertChat, BlockedChat, Staff


def insert_or_skip(table: Any) -> dict[str, Any]:
    """``INSERT ... ON CONFLICT DO NOTHING`` per dialect: rowcount 0 when the row was there."""
    return {"postgresql": postgresql_insert(table).on_conflict_do_nothing(),
            "sqlite": sqlite_insert(table).on_conflict_do_nothing()}


def holds_person(column: Any, keyring: Keyring, external_id: str) -> Any:
    """SQL: ``column`` holds the person's lookup hash, under any known key.

    With one key (no rotation under way) a plain ``=``: an expanding ``IN`` is rendered anew
    on each execution, and these lookups run on a conversation's hot path.
    """
    hashes = keyring.lookup_hashes(external_id)
    return column == hashes[0] if len(hashes) == 1 else column.in_(hashes)


class PersonLookup:
    """Columns of a person's row in ``table``, by channel and lookup hash: prebuilt queries.

    Built once (``storage.direct`` compiles each once): with one key (no rotation under way)
    a plain ``=``; under several, on PostgreSQL ``= ANY`` of an array, elsewhere an expanding
    ``IN`` (rendered anew on each execution, so not on the ordinary path).
    """

    def __init__(self, table: Any, *columns: Any) -> None:
        of_channel, column = table.c.channel == bindparam("channel"), table.c.external_hash
        self._one = select(*columns).where(of_channel, column == bindparam("hash"))
        self._several = select(*columns).where(
            of_channel, column.in_(bindparam("hashes", expanding=True)))
        self._any = select(*columns).where(
            of_channel, column == any_(bindparam("hashes", type_=ARRAY(String))))

    def __call__(self, dialect: str, channel: str, hashes: list[str]
                 ) -> tuple[Executable, dict[str, Any]]:
        """The query for a person under these hashes, and its parameters."""
        if len(hashes) == 1:
            return self._one, {"channel": channel, "hash": hashes[0]}
        return (self._any if dialect == "postgresql" else self._several), {
            "channel": channel, "hashes": hashes}


def may_see_sql(code: Any, chat_id: Any) -> Any:
    """SQL: the Telegram chat is a team group of the gemeente, or its active staff's own."""
    group = exists().where(AlertChat.gemeente_code == code, AlertChat.chat_id == chat_id)
    staff = exists().where(Staff.gemeente_code == code, Staff.channel == "telegram",
                           Staff.external_id == cast(chat_id, String(64)),
                           Staff.active.is_(True))
    return or_(and_(chat_id < 0, group), and_(chat_id > 0, staff))


def not_blocked_sql(chat_id: Any, now: datetime) -> Any:
    """SQL: no block on the chat, or its retry is due."""
    return ~exists().where(BlockedChat.chat_id == chat_id, BlockedChat.retry_at > now)
