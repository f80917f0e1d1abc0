"""Conversation drafts: the intake's hot path, its statements in one place."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import ConcurrentUpdate, DraftRecord
from storage import direct
from storage.crypto import Keyring, Sealed
from storage.models import DraftRow, sealing_context, utcnow
from storage.repositories.common import PersonLookup, insert_or_skip

_drafts = DraftRow.__table__
_COLUMNS = (_drafts.c.id, _drafts.c.version, _drafts.c.state, _drafts.c.expires_at,
            _drafts.c.recent_updates, _drafts.c.external_hash)
# The conversation's hot path: a step's statements, built once on the table (no ORM
# bookkeeping); the lookup and the rewrite go straight to the driver (``storage.direct``).
_LOOKUP = PersonLookup(_drafts, *_COLUMNS)
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

    async def get(self, *, channel: str, external_id: str) -> DraftRecord | None:
        """The person's draft, if any (expired or not)."""
        row = await direct.first(self.session, *_LOOKUP(
            self.session.bind.dialect.name, channel, self.keyring.lookup_hashes(external_id)))
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
            saved = await direct.changed(self.session, _UPDATE, {
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
