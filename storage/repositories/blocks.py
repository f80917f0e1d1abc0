"""Chats the bot could not reach."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BlockedChat


class BlockedChatRepository:
    """Staff chats and team groups the bot could not reach, and when to try them again."""

    FIRST_RETRY = timedelta(hours=1)
    LAST_RETRY = timedelta(days=1)

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def block(self, *, chat_id: int, now: datetime) -> None:
        """The chat refused a message: wait before trying it again, longer each time."""
        row = await self.session.get(BlockedChat, chat_id)
        if row is None:
            self.session.add(BlockedChat(chat_id=chat_id, blocked_at=now, failures=1,
                                         retry_at=now + self.FIRST_RETRY))
        else:
            row.failures += 1
            row.retry_at = now + min(self.FIRST_RETRY * 2 ** (row.failures - 1),
                                     self.LAST_RETRY)
        await self.session.flush()

    async def unblock(self, *, chat_id: int) -> bool:
        """The chat can be reached again; whether it was blocked."""
        result = await self.session.execute(
            delete(BlockedChat).where(BlockedChat.chat_id == chat_id))
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def blocked(self, *, now: datetime) -> set[int]:
        """Chats not to use now (a later retry is not due yet)."""
        return set(await self.session.scalars(
            select(BlockedChat.chat_id).where(BlockedChat.retry_at > now)))

    async def all(self) -> set[int]:
        """Every chat with a block record (due for a retry or not)."""
        return set(await self.session.scalars(select(BlockedChat.chat_id)))
