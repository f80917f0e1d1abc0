"""The unit of work: one transaction, its repositories, explicit commit."""

from __future__ import annotations

import hashlib
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
    PostgresDraftRepository,
    ProcessedUpdateRepository,
    QuestionRepository,
    RoutingRepository,
    SignalerRepository,
    SignalRepository,
    StaffRepository,
    TextRepository,
)

_Repo = TypeVar("_Repo")
_LOCK_CONVERSATION = text("SELECT pg_advisory_xact_lock(:key)")
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
    @cached_property
    def drafts(self) -> DraftRepository:
        """Drafts; on PostgreSQL through asyncpg directly (the conversation's hot path)."""
        postgresql = self.session.bind.dialect.name == "postgresql"
        kind = PostgresDraftRepository if postgresql else DraftRepository
        return kind(self.session, self.keyring)

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

    async def lock_conversation(self, channel: str, external_id: str) -> None:
        """Wait until no other transaction works on this person's conversation; hold it.

        PostgreSQL: an advisory transaction lock on (channel, person), taken as the
        transaction's first statement and released by its commit or rollback, so two updates
        of one person are never applied at once, by any worker. SQLite (one process, one
        writer at a time): nothing to do. The key comes from the person's keyed lookup hash:
        ``pg_locks`` does not show who talks.
        """
        if self.session.bind.dialect.name != "postgresql":
            return
        person = f"{channel}:{self.keyring.lookup_hash(external_id)}"
        digest = hashlib.blake2b(person.encode(), digest_size=8, person=b"conversation").digest()
        await self.session.execute(_LOCK_CONVERSATION,
                                   {"key": int.from_bytes(digest, "big", signed=True)})

    async def ping(self) -> None:
        """Ask the database a trivial question (it raises when the database does not answer)."""
        await self.session.execute(_PING)

    async def commit(self) -> None:
        """Commit the transaction."""
        await self.session.commit()
