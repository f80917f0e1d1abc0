"""News opt-ins: who wants a gemeente's news, found by a keyed hash of their channel id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import Keyring
from storage.models import NewsSubscription, Outbox, utcnow
from storage.repositories.common import holds_person


class NewsRepository:
    """Opt-ins per (channel, person, gemeente); an ended one keeps only anonymous counts."""

    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self.session = session
        self.keyring = keyring

    def _of(self, channel: str, external_id: str) -> list[ColumnElement[bool]]:
        return [NewsSubscription.channel == channel,
                holds_person(NewsSubscription.external_hash, self.keyring, external_id),
                NewsSubscription.ended_at.is_(None)]

    async def active(self, *, channel: str, external_id: str) -> list[NewsSubscription]:
        """A person's opt-ins, oldest first."""
        rows = await self.session.scalars(select(NewsSubscription).where(
            *self._of(channel, external_id)).order_by(NewsSubscription.id))
        return list(rows)

    async def gets(self, *, channel: str, external_id: str, gemeente_code: str) -> bool:
        """Whether a person gets a gemeente's news now."""
        return bool(await self.session.scalar(select(exists().where(
            *self._of(channel, external_id), NewsSubscription.gemeente_code == gemeente_code))))

    async def subscribe(self, *, channel: str, external_id: str, gemeente_code: str,
                        organisation_id: int | None) -> bool:
        """Opt in to a gemeente's news; False when the person already had."""
        if await self.gets(channel=channel, external_id=external_id,
                           gemeente_code=gemeente_code):
            return False
        self.session.add(NewsSubscription(
            channel=channel, external_hash=self.keyring.lookup_hash(external_id),
            external_id=external_id, gemeente_code=gemeente_code,
            organisation_id=organisation_id))
        await self.session.flush()
        return True

    async def end(self, *, channel: str, external_id: str, gemeente_code: str | None = None,
                  now: datetime | None = None) -> list[str]:
        """End a person's opt-ins (to one gemeente, or all) and forget who they were.

        Returns the gemeente codes whose news they will no longer get.
        """
        rows = [row for row in await self.active(channel=channel, external_id=external_id)
                if gemeente_code is None or row.gemeente_code == gemeente_code]
        for row in rows:
            row.ended_at, row.external_hash, row.external_id = now or utcnow(), None, None
        await self.session.flush()
        return [row.gemeente_code for row in rows]

    async def recipients(self, *, gemeente_code: str) -> list[tuple[str, str]]:
        """(channel, chat) of everyone who opted in to a gemeente's news now."""
        rows = await self.session.scalars(select(NewsSubscription).where(
            NewsSubscription.gemeente_code == gemeente_code,
            NewsSubscription.ended_at.is_(None)).order_by(NewsSubscription.id))
        return [(row.channel, row.external_id) for row in rows if row.external_id is not None]

    async def count_active(self, *, gemeente_code: str) -> int:
        """How many opted in to a gemeente's news now."""
        return int(await self.session.scalar(select(func.count()).where(
            NewsSubscription.gemeente_code == gemeente_code,
            NewsSubscription.ended_at.is_(None))) or 0)

    async def forget_copies(self, *, channel: str, external_id: str) -> None:
        """Forget the chat of news sent to a person: nothing stored points to them then."""
        rows = await self.session.scalars(select(Outbox).where(
            Outbox.kind == "news", Outbox.channel == channel, Outbox.recipient.is_not(None)))
        for row in rows:
            if row.recipient == external_id:
                if row.sent_at is None and row.failed_at is None:
                    await self.session.delete(row)
                else:
                    row.recipient = None
        await self.session.flush()

    async def forget_old_copies(self, *, before: datetime) -> None:
        """Forget the chat of news sent (or given up) before ``before``."""
        await self.session.execute(
            update(Outbox).where(Outbox.kind == "news", Outbox.recipient.is_not(None),
                                 or_(Outbox.sent_at < before, Outbox.failed_at < before))
            .values(recipient=None).execution_options(synchronize_session=False))
