"""Repositories: queries and writes per aggregate. They flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AlertChat,
    Draft,
    Gemeente,
    NotOnBoard,
    Outbox,
    Pc4Route,
    Signal,
    Signaler,
    utcnow,
)


class ConcurrentUpdate(Exception):
    """Another writer changed the draft first; reload and try again."""


class DraftRepository:
    """Conversation drafts, one per person per channel."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, *, channel: str, external_id: str) -> Draft | None:
        """The person's draft, if any (expired or not)."""
        return await self.session.scalar(
            select(Draft).where(Draft.channel == channel, Draft.external_id == external_id)
        )

    async def save(
        self,
        *,
        channel: str,
        external_id: str,
        state: dict[str, Any],
        ttl: timedelta,
        expected: Draft | None,
    ) -> None:
        """Insert or update the draft, but only if nobody changed it since ``expected``.

        Raises:
            ConcurrentUpdate: when another writer got there first.
        """
        now = utcnow()
        if expected is None:
            try:
                async with self.session.begin_nested():
                    self.session.add(Draft(channel=channel, external_id=external_id,
                                           state=state, created_at=now, updated_at=now,
                                           expires_at=now + ttl))
            except IntegrityError:
                raise ConcurrentUpdate from None
            return
        result = await self.session.execute(
            update(Draft)
            .where(Draft.id == expected.id, Draft.version == expected.version)
            .values(state=state, version=Draft.version + 1, updated_at=now, expires_at=now + ttl)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate

    async def delete(self, draft: Draft) -> None:
        """Remove a draft (it held answers that must not outlive the conversation)."""
        await self.session.execute(delete(Draft).where(Draft.id == draft.id))

    async def purge_expired(self, *, now: datetime) -> int:
        """Delete every expired draft; returns how many."""
        result = await self.session.execute(delete(Draft).where(Draft.expires_at <= now))
        return int(result.rowcount)  # type: ignore[attr-defined]


class GemeenteRepository:
    """Gemeenten, their alert chats and the PC4 routing table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, *, code: str) -> Gemeente | None:
        """One gemeente by CBS code."""
        return await self.session.get(Gemeente, code)

    async def get_by_pc4(self, *, pc4: int) -> Gemeente | None:
        """The gemeente a PC4 area routes to, if any."""
        return await self.session.scalar(
            select(Gemeente).join(Pc4Route).where(Pc4Route.pc4 == pc4)
        )

    async def list_alert_chats(self, *, code: str) -> list[int]:
        """Chat ids that receive this gemeente's alerts."""
        rows = await self.session.scalars(
            select(AlertChat.chat_id).where(AlertChat.gemeente_code == code).order_by(AlertChat.id)
        )
        return list(rows)

    async def upsert(
        self,
        *,
        code: str,
        name: str,
        active: bool,
        fallback_advice: str | None,
        alert_chat_ids: Sequence[int],
        pc4_ranges: Sequence[tuple[int, int]],
    ) -> None:
        """Create or replace a gemeente with its alert chats and PC4 areas."""
        gemeente = await self.get(code=code)
        if gemeente is None:
            gemeente = Gemeente(code=code)
            self.session.add(gemeente)
        gemeente.name, gemeente.active, gemeente.fallback_advice = name, active, fallback_advice
        await self.session.flush()
        await self.session.execute(delete(AlertChat).where(AlertChat.gemeente_code == code))
        await self.session.execute(delete(Pc4Route).where(Pc4Route.gemeente_code == code))
        pc4s = sorted({pc4 for low, high in pc4_ranges for pc4 in range(low, high + 1)})
        if pc4s:  # an area configured for another gemeente before moves here
            await self.session.execute(delete(Pc4Route).where(Pc4Route.pc4.in_(pc4s)))
        self.session.add_all(AlertChat(gemeente_code=code, chat_id=c) for c in alert_chat_ids)
        self.session.add_all(Pc4Route(pc4=pc4, gemeente_code=code) for pc4 in pc4s)
        await self.session.flush()


class SignalerRepository:
    """People who report."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, *, channel: str, external_id: str) -> Signaler | None:
        """A signaler by channel identity."""
        return await self.session.scalar(
            select(Signaler).where(Signaler.channel == channel, Signaler.external_id == external_id)
        )

    async def get_or_add(self, *, channel: str, external_id: str) -> Signaler:
        """A signaler by channel identity, created on first use."""
        signaler = await self.get(channel=channel, external_id=external_id)
        if signaler is None:
            signaler = Signaler(channel=channel, external_id=external_id)
            self.session.add(signaler)
            await self.session.flush()
        return signaler


class SignalRepository:
    """Filed signals."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, signal: Signal) -> Signal:
        """Store a signal and give it its reference ``SP-<year>-<number>``."""
        self.session.add(signal)
        await self.session.flush()
        signal.reference = f"SP-{signal.created_at.year}-{signal.id:06d}"
        await self.session.flush()
        return signal

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


class OutboxRepository:
    """Messages waiting to be sent."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, chat_id: int, kind: str, text: str, signal_id: int | None) -> None:
        """Queue a message; it is sent after the transaction commits."""
        self.session.add(Outbox(chat_id=chat_id, kind=kind, text=text, signal_id=signal_id))
        await self.session.flush()

    async def list_due(self, *, now: datetime, limit: int = 100) -> list[Outbox]:
        """Unsent messages whose time has come, oldest first."""
        rows = await self.session.scalars(
            select(Outbox)
            .where(Outbox.sent_at.is_(None), Outbox.next_attempt_at <= now)
            .order_by(Outbox.id)
            .limit(limit)
        )
        return list(rows)

    async def next_due_at(self) -> datetime | None:
        """When the earliest unsent message is due."""
        return await self.session.scalar(
            select(func.min(Outbox.next_attempt_at)).where(Outbox.sent_at.is_(None))
        )

    async def mark_sent(self, *, outbox_id: int, message_id: int | None) -> None:
        """Record that the channel accepted the message."""
        await self.session.execute(
            update(Outbox)
            .where(Outbox.id == outbox_id)
            .values(sent_at=utcnow(), message_id=message_id, attempts=Outbox.attempts + 1)
        )

    async def mark_failed(self, *, outbox_id: int, error: str, retry_at: datetime) -> None:
        """Record a failed attempt and when to try again."""
        await self.session.execute(
            update(Outbox)
            .where(Outbox.id == outbox_id)
            .values(last_error=error[:200], next_attempt_at=retry_at,
                    attempts=Outbox.attempts + 1)
        )
