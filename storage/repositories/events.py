"""Signal histories."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SignalEvent, Staff, utcnow


class EventRepository:
    """Signal histories."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, signal_id: int, action: str, actor_id: int | None = None,
                  detail: dict[str, Any] | None = None, at: datetime | None = None) -> SignalEvent:
        """Append one entry to a signal's history."""
        event = SignalEvent(signal_id=signal_id, action=action, actor_id=actor_id,
                            detail=detail or {}, at=at or utcnow())
        self.session.add(event)
        await self.session.flush()
        return event

    async def erase_text(self, *, signal_id: int, actions: frozenset[str]) -> None:
        """Erase what people typed (notes, questions, answers) from a signal's history."""
        rows = await self.session.scalars(select(SignalEvent).where(
            SignalEvent.signal_id == signal_id, SignalEvent.action.in_(actions)))
        for event in rows:
            event.detail = {"erased": True}
        await self.session.flush()

    async def list_for(self, *, signal_id: int) -> list[tuple[SignalEvent, str | None]]:
        """A signal's history, oldest first, with the actor's name."""
        rows = await self.session.execute(
            select(SignalEvent, Staff.name).outerjoin(Staff, Staff.id == SignalEvent.actor_id)
            .where(SignalEvent.signal_id == signal_id).order_by(SignalEvent.id))
        return [(event, name) for event, name in rows]
