"""People who report."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import ConcurrentUpdate
from storage import direct
from storage.changes import LANGUAGES, announce
from storage.crypto import Keyring
from storage.models import Signal, Signaler
from storage.repositories.common import PersonLookup, holds_person

_signalers = Signaler.__table__
_LANGUAGE = PersonLookup(_signalers, _signalers.c.language)
_ROLE = PersonLookup(_signalers, _signalers.c.role)


class SignalerRepository:
    """People who report, found by a keyed hash of their channel id."""

    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self.session = session
        self.keyring = keyring

    async def get(self, *, channel: str, external_id: str) -> Signaler | None:
        """A signaler by channel identity."""
        return await self.session.scalar(select(Signaler).where(
            Signaler.channel == channel,
            holds_person(Signaler.external_hash, self.keyring, external_id)))

    async def language(self, *, channel: str, external_id: str) -> str | None:
        """The language a signaler chose or last wrote in.

        Read for each person new to a process: straight on the driver (``storage.direct``),
        on PostgreSQL in no transaction of its own.
        """
        return await self._column(_LANGUAGE, channel, external_id)

    async def role(self, *, channel: str, external_id: str) -> str | None:
        """The role a signaler gave last, if they are known (read at each new conversation)."""
        return await self._column(_ROLE, channel, external_id)

    async def _column(self, lookup: PersonLookup, channel: str, external_id: str) -> Any:
        row = await direct.first(self.session, *lookup(
            self.session.bind.dialect.name, channel, self.keyring.lookup_hashes(external_id)))
        return row[0] if row else None

    async def get_by_id(self, *, signaler_id: int) -> Signaler | None:
        """A signaler by id."""
        return await self.session.get(Signaler, signaler_id)

    async def delete(self, signaler: Signaler) -> None:
        """Forget a signaler (their signals stay, unlinked), and their language everywhere."""
        await self.session.delete(signaler)
        await self.session.flush()
        await announce(self.session, LANGUAGES)

    async def delete_without_signals(self) -> None:
        """Forget signalers none of whose signals links to them any more."""
        result = await self.session.execute(delete(Signaler).where(
            ~exists().where(Signal.signaler_id == Signaler.id)))
        if result.rowcount:  # type: ignore[attr-defined]
            await announce(self.session, LANGUAGES)

    async def choose_language(self, *, channel: str, external_id: str, language: str) -> None:
        """Keep the language a person chose; the other workers forget the one they knew."""
        await self.get_or_add(channel=channel, external_id=external_id, role=None,
                              language=language)
        await announce(self.session, LANGUAGES)

    async def get_or_add(self, *, channel: str, external_id: str, role: str | None,
                         language: str | None = None) -> Signaler:
        """A signaler by channel identity, created on first use, in the ``role`` given now.

        Without a role (a report but a signal) the role they had stays; so does their
        language without one.

        Raises:
            ConcurrentUpdate: another worker added the same person in the same moment (the
                step runs again and finds them).
        """
        signaler = await self.get(channel=channel, external_id=external_id)
        if signaler is None:
            signaler = Signaler(channel=channel, external_id=external_id, role=role,
                                language=language,
                                external_hash=self.keyring.lookup_hash(external_id))
            self.session.add(signaler)
            try:
                await self.session.flush()
            except IntegrityError as error:  # another worker added this person just now
                raise ConcurrentUpdate from error
            return signaler
        if role is not None:
            signaler.role = role
        if language is not None and language != signaler.language:
            if signaler.language is not None:  # others may remember the old one
                await announce(self.session, LANGUAGES)
            signaler.language = language
        return signaler
