"""The unit of work: one transaction, its repositories, explicit commit."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.crypto import Keyring
from storage.repositories import (
    ActivityRepository,
    BlockedChatRepository,
    DraftRepository,
    EventRepository,
    GemeenteRepository,
    InvitationRepository,
    MergeRepository,
    MonitoringRepository,
    NewsRepository,
    OrganisationRepository,
    OutboxRepository,
    ProcessedUpdateRepository,
    QuestionRepository,
    RoutingRepository,
    SignalerRepository,
    SignalRepository,
    StaffRepository,
    TextRepository,
)

_Repo = TypeVar("_Repo")
_PING = text("SELECT 1")


def _repository(kind: Callable[..., _Repo], *, encrypted: bool = False) -> cached_property[_Repo]:
    """A repository on the unit of work's session (and keyring), made on first use."""

    def make(uow: UnitOfWork) -> _Repo:
        return kind(uow.session, uow.keyring) if encrypted else kind(uow.session)

    return cached_property(make)


class UnitOfWork:
    """``async with uow:`` opens a session; ``commit()`` makes it stick; exit rolls back."""

    def __init__(self, sessions: async_sessionmaker[Any], keyring: Keyring) -> None:
        self._sessions = sessions
        self.keyring = keyring

    async def __aenter__(self) -> UnitOfWork:
        self.session: AsyncSession = self._sessions()
        return self

    # Repositories are made when first used: a conversation step needs two of them.
    drafts = _repository(DraftRepository, encrypted=True)
    gemeenten = _repository(GemeenteRepository)
    invitations = _repository(InvitationRepository)
    organisations = _repository(OrganisationRepository)
    texts = _repository(TextRepository)
    signalers = _repository(SignalerRepository, encrypted=True)
    news = _repository(NewsRepository, encrypted=True)
    signals = _repository(SignalRepository)
    outbox = _repository(OutboxRepository, encrypted=True)
    staff = _repository(StaffRepository)
    events = _repository(EventRepository)
    questions = _repository(QuestionRepository)
    updates = _repository(ProcessedUpdateRepository)
    monitoring = _repository(MonitoringRepository)
    routing = _repository(RoutingRepository)
    merges = _repository(MergeRepository)
    blocks = _repository(BlockedChatRepository)
    activities = _repository(ActivityRepository)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.session.close()  # rolls back what was not committed; objects stay readable

    async def ping(self) -> None:
        """Ask the database a trivial question (it raises when the database does not answer)."""
        await self.session.execute(_PING)

    async def commit(self) -> None:
        """Commit the transaction."""
        await self.session.commit()
