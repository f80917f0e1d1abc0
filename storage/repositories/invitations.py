"""One-time invitations that make someone staff of a gemeente."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Invite


class InvitationRepository:
    """Staff invitations, found by a hash of their token."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, token_hash: str, gemeente_code: str, role: str,
                  expires_at: datetime) -> None:
        """Store a new invitation."""
        self.session.add(Invite(token_hash=token_hash, gemeente_code=gemeente_code, role=role,
                                expires_at=expires_at))
        await self.session.flush()

    async def claim_invite(self, *, token_hash: str, now: datetime) -> Invite | None:
        """Mark an unused, unexpired invitation used; None when there is no such invitation."""
        result = await self.session.execute(
            update(Invite).where(Invite.token_hash == token_hash, Invite.used_at.is_(None),
                                 Invite.expires_at > now).values(used_at=now)
            .execution_options(synchronize_session=False))
        if int(result.rowcount) != 1:  # type: ignore[attr-defined]
            return None
        return await self.session.scalar(select(Invite).where(Invite.token_hash == token_hash))

