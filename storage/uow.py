"""The unit of work: one transaction, its repositories, explicit commit."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.crypto import Keyring
from storage.repositories import (
    DraftRepository,
    EventRepository,
    GemeenteRepository,
    MergeRepository,
    MonitoringRepository,
    OutboxRepository,
    ProcessedUpdateRepository,
    QuestionRepository,
    RoutingRepository,
    SignalerRepository,
    SignalRepository,
    StaffRepository,
)


class UnitOfWork:
    """``async with uow:`` opens a session; ``commit()`` makes it stick; exit rolls back."""

    def __init__(self, sessions: async_sessionmaker[Any], keyring: Keyring) -> None:
        self._sessions = sessions
        self.keyring = keyring

    async def __aenter__(self) -> UnitOfWork:
        self.session: AsyncSession = self._sessions()
        self.drafts = DraftRepository(self.session, self.keyring)
        self.gemeenten = GemeenteRepository(self.session)
        self.signalers = SignalerRepository(self.session, self.keyring)
        self.signals = SignalRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.staff = StaffRepository(self.session)
        self.events = EventRepository(self.session)
        self.questions = QuestionRepository(self.session)
        self.updates = ProcessedUpdateRepository(self.session)
        self.monitoring = MonitoringRepository(self.session)
        self.routing, self.merges = RoutingRepository(self.session), MergeRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.session.close()  # rolls back what was not committed; objects stay readable

    async def commit(self) -> None:
        """Commit the transaction."""
        await self.session.commit()
