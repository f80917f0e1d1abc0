"""Questions relayed from staff to signalers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox, RelayedQuestion, Signal


class QuestionRepository:
    """Questions relayed from staff to signalers."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **columns: Any) -> RelayedQuestion:
        """Store a new question (its columns)."""
        question = RelayedQuestion(**columns)
        self.session.add(question)
        await self.session.flush()
        return question

    async def get(self, *, question_id: int) -> RelayedQuestion | None:
        """One question by id."""
        return await self.session.get(RelayedQuestion, question_id)

    async def get_open_for_signaler(self, *, signaler_id: int,
                                    outbox_message_id: int | None = None) -> RelayedQuestion | None:
        """The signaler's open question: the one replied to, else the newest."""
        query = (select(RelayedQuestion).join(Signal, Signal.id == RelayedQuestion.signal_id)
                 .where(Signal.signaler_id == signaler_id, RelayedQuestion.closed_at.is_(None)))
        if outbox_message_id is not None:
            query = query.join(Outbox, Outbox.id == RelayedQuestion.outbox_id).where(
                Outbox.message_id == outbox_message_id)
        return await self.session.scalar(query.order_by(RelayedQuestion.id.desc()).limit(1))

    async def list_open_for_signaler(self, *, signaler_id: int) -> list[RelayedQuestion]:
        """All of a signaler's open questions."""
        rows = await self.session.scalars(
            select(RelayedQuestion).join(Signal, Signal.id == RelayedQuestion.signal_id)
            .where(Signal.signaler_id == signaler_id, RelayedQuestion.closed_at.is_(None)))
        return list(rows)

    async def list_expired(self, *, now: datetime) -> list[RelayedQuestion]:
        """Open questions past their expiry."""
        rows = await self.session.scalars(select(RelayedQuestion).where(
            RelayedQuestion.closed_at.is_(None), RelayedQuestion.expires_at <= now))
        return list(rows)

    async def erase_for_signal(self, *, signal_id: int) -> None:
        """Erase the text of a signal's relayed questions."""
        await self.session.execute(update(RelayedQuestion).where(
            RelayedQuestion.signal_id == signal_id).values(text=""))

    async def close(self, *, question_id: int, result: str, now: datetime) -> bool:
        """Close an open question; False when it was closed already."""
        outcome = await self.session.execute(
            update(RelayedQuestion)
            .where(RelayedQuestion.id == question_id, RelayedQuestion.closed_at.is_(None))
            .values(closed_at=now, result=result))
        return int(outcome.rowcount) == 1  # type: ignore[attr-defined]
