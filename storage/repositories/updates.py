"""Channel updates already handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate, utcnow
from storage.repositories.common import insert_or_skip

_RECORD_UPDATE = insert_or_skip(ProcessedUpdate.__table__)


class ProcessedUpdateRepository:
    """Channel updates already handled: the guard against redelivery after a crash."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, *, channel: str, update_id: int) -> bool:
        """Record an update in this transaction; False when it was handled before.

        One ``INSERT ... ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL), no savepoint.
        """
        result = await self.session.execute(
            _RECORD_UPDATE[self.session.bind.dialect.name],
            {"channel": channel, "update_id": update_id, "at": utcnow()})
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def purge(self, *, before: datetime) -> int:
        """Forget updates handled before ``before`` (Telegram keeps them at most a day)."""
        result = await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.at < before))
        return int(result.rowcount)  # type: ignore[attr-defined]
