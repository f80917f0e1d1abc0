"""Filed signals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import NotOnBoard, Signal


class SignalRepository:
    """Filed signals."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **columns: Any) -> Signal:
        """Store a new signal (its columns) and give it its reference ``SP-<year>-<number>``.

        Its answers are written with the reference: they are bound to the signal's id.
        """
        answers = columns.pop("answers", None)
        signal = Signal(**columns)
        self.session.add(signal)
        await self.session.flush()
        signal.reference = f"SP-{signal.created_at.year}-{signal.id:06d}"
        signal.answers = answers
        await self.session.flush()
        return signal

    async def get(self, *, signal_id: int) -> Signal | None:
        """One signal by id."""
        return await self.session.get(Signal, signal_id, populate_existing=True)

    async def refresh(self, signal: Signal) -> None:
        """Read a signal again (another writer, or a statement here, changed it)."""
        await self.session.refresh(signal)

    async def get_by_reference(self, *, reference: str) -> Signal | None:
        """One signal by its reference (SP-2026-000123)."""
        return await self.session.scalar(select(Signal).where(Signal.reference == reference))

    async def set_status_token(self, *, signal_id: int, token_hash: str) -> None:
        """Keep the hash of the signal's status link token (a web signaler's link)."""
        await self.session.execute(update(Signal).where(Signal.id == signal_id).values(
            status_token_hash=token_hash).execution_options(synchronize_session=False))

    async def get_by_status_token(self, *, token_hash: str) -> Signal | None:
        """The signal whose status link token has this hash."""
        return await self.session.scalar(
            select(Signal).where(Signal.status_token_hash == token_hash))

    async def references(self, *, signal_ids: set[int]) -> dict[int, str]:
        """The references of these signals, by id."""
        rows = await self.session.execute(
            select(Signal.id, Signal.reference).where(Signal.id.in_(signal_ids)))
        return {signal_id: reference for signal_id, reference in rows if reference}

    async def change_state(self, *, signal_id: int, expected: str,
                           was_due: datetime | None = None, **values: Any) -> bool:
        """Update a signal only if it is still in state ``expected``: the one winner of a race.

        With ``was_due``, only if it is still due at that time too.
        """
        query = update(Signal).where(Signal.id == signal_id, Signal.status == expected)
        if was_due is not None:
            query = query.where(Signal.due_at == was_due)
        result = await self.session.execute(
            query.values(**values).execution_options(synchronize_session=False))
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def list_open(self, *, gemeente_code: str) -> list[Signal]:
        """A gemeente's signals that are not closed, oldest first."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.gemeente_code == gemeente_code, Signal.status != "closed")
            .order_by(Signal.created_at, Signal.id))
        return list(rows)

    async def list_owned(self, *, staff_id: int) -> list[Signal]:
        """Open signals owned by one staff member, oldest first."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.owner_id == staff_id, Signal.status != "closed")
            .order_by(Signal.created_at, Signal.id))
        return list(rows)

    async def list_by_signaler(self, *, signaler_id: int,
                               limit: int | None = 10) -> list[Signal]:
        """A signaler's own signals, newest first."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.signaler_id == signaler_id)
            .order_by(Signal.id.desc()).limit(limit))
        return list(rows)

    async def list_closed_unerased(self) -> list[Signal]:
        """Closed signals whose personal fields are still there."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.status == "closed", Signal.erased_at.is_(None))
            .order_by(Signal.closed_at))
        return list(rows)

    async def list_due(self, *, now: datetime) -> list[Signal]:
        """Open signals whose escalation or reminder is due."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.due_at <= now, Signal.status != "closed")
            .order_by(Signal.due_at))
        return list(rows)

    async def count(self) -> int:
        """How many signals are stored."""
        return int(await self.session.scalar(select(func.count(Signal.id))) or 0)

    async def count_not_on_board(self) -> int:
        """How many signals were for gemeenten that do not take part."""
        return int(await self.session.scalar(select(func.count(NotOnBoard.id))) or 0)

    async def add_not_on_board(self, *, gemeente_code: str | None) -> None:
        """Count a signal that could not be routed (nothing about the person is kept)."""
        self.session.add(NotOnBoard(gemeente_code=gemeente_code))
        await self.session.flush()
