"""Gemeenten, their alert chats and PC4 areas."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AlertChat,
    Gemeente,
    Pc4Route,
    Staff,
    utcnow,
)
from storage.repositories.blocks import BlockedChatRepository
from storage.repositories.common import may_see_sql, not_blocked_sql

# Built once: this runs for every alert filed.
_ALERT_CHATS = (
    select(AlertChat.chat_id)
    .where(AlertChat.gemeente_code == bindparam("code"),
           may_see_sql(bindparam("code"), AlertChat.chat_id),
           not_blocked_sql(AlertChat.chat_id, bindparam("now")))
    .order_by(AlertChat.id))


class GemeenteRepository:
    """Gemeenten, their alert chats and the PC4 routing table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, *, code: str) -> Gemeente | None:
        """One gemeente by CBS code."""
        return await self.session.get(Gemeente, code)

    async def add(self, *, code: str, name: str) -> Gemeente:
        """A new gemeente, not on board."""
        gemeente = Gemeente(code=code, name=name, active=False)
        self.session.add(gemeente)
        await self.session.flush()
        return gemeente

    async def get_by_pc4(self, *, pc4: int) -> Gemeente | None:
        """The gemeente a PC4 area routes to, if any."""
        return await self.session.scalar(
            select(Gemeente).join(Pc4Route).where(Pc4Route.pc4 == pc4)
        )

    async def list_alert_chats(self, *, code: str, now: datetime | None = None) -> list[int]:
        """The chats that get this gemeente's alerts now.

        Its team groups, and those of its alert chats that are the private chat of its active
        staff (see ``may_see``); none that is blocked.
        """
        rows = await self.session.scalars(_ALERT_CHATS, {"code": code, "now": now or utcnow()})
        return list(rows)

    async def may_see(self, *, code: str, chat_id: int) -> bool:
        """Whether a chat may show this gemeente's personal data.

        That is one of its team groups (a group among its alert chats), or the private chat of
        active staff of this gemeente.
        """
        return bool(await self.session.scalar(select(may_see_sql(code, literal(chat_id)))))

    async def team_groups(self, *, code: str) -> list[int]:
        """The gemeente's group chats among its alert chats."""
        return list(await self.session.scalars(select(AlertChat.chat_id).where(
            AlertChat.gemeente_code == code, AlertChat.chat_id < 0).order_by(AlertChat.id)))

    async def list_all(self) -> list[Gemeente]:
        """Every known gemeente, by name."""
        return list(await self.session.scalars(select(Gemeente).order_by(Gemeente.name)))

    async def replace_alert_chats(self, *, code: str, chat_ids: Sequence[int]) -> None:
        """Make ``chat_ids`` the gemeente's alert chats."""
        await self.session.execute(delete(AlertChat).where(AlertChat.gemeente_code == code))
        self.session.add_all(AlertChat(gemeente_code=code, chat_id=c)
                             for c in dict.fromkeys(chat_ids))
        await self.session.flush()

    async def list_all_alert_chats(self, *, code: str) -> list[int]:
        """Every alert chat of a gemeente, blocked or not."""
        return list(await self.session.scalars(
            select(AlertChat.chat_id).where(AlertChat.gemeente_code == code)))

    async def list_pc4(self, *, code: str) -> list[int]:
        """The configured PC4 areas of a gemeente."""
        return list(await self.session.scalars(
            select(Pc4Route.pc4).where(Pc4Route.gemeente_code == code)))

    async def move_chat(self, *, old: int, new: int) -> None:
        """A group became a supergroup: it is the same team group under its new id."""
        await self.session.execute(
            update(AlertChat).where(AlertChat.chat_id == old).values(chat_id=new))
        for gemeente in await self.session.scalars(select(Gemeente)):
            if old in gemeente.backup_chat_ids:
                gemeente.backup_chat_ids = [new if c == old else c
                                            for c in gemeente.backup_chat_ids]
        await self.session.flush()

    async def list_fallback_chats(self, *, code: str, now: datetime | None = None) -> list[int]:
        """Who else hears of a gemeente's signals: alert chats, regisseurs, backup contacts.

        None that is blocked; only those that ``may_see`` get personal data.
        """
        now = now or utcnow()
        gemeente = await self.get(code=code)
        telegram_regisseurs = await self.session.scalars(
            select(Staff.external_id).where(
                Staff.gemeente_code == code, Staff.role == "regisseur", Staff.active.is_(True),
                Staff.channel == "telegram").order_by(Staff.id))
        blocked = await BlockedChatRepository(self.session).blocked(now=now)
        regisseurs = [int(r) for r in telegram_regisseurs if int(r) not in blocked]
        backups = [c for c in (gemeente.backup_chat_ids if gemeente else []) if c not in blocked]
        chats = [*await self.list_alert_chats(code=code, now=now), *regisseurs, *backups]
        return list(dict.fromkeys(chats))

    async def upsert(
        self,
        *,
        code: str,
        name: str,
        active: bool,
        fallback_advice: str | None,
        alert_chat_ids: Sequence[int],
        pc4_ranges: Sequence[tuple[int, int]],
        escalation_hours: float = 24.0,
        retention_days: float = 30.0,
        silent_days: float = 5.0,
        backup_chat_ids: Sequence[int] = (),
    ) -> None:
        """Create or replace a gemeente with its alert chats and PC4 areas."""
        gemeente = await self.get(code=code)
        if gemeente is None:
            gemeente = Gemeente(code=code)
            self.session.add(gemeente)
        gemeente.name, gemeente.active, gemeente.fallback_advice = name, active, fallback_advice
        gemeente.escalation_hours, gemeente.silent_days = escalation_hours, silent_days
        gemeente.retention_days = retention_days
        gemeente.backup_chat_ids = list(backup_chat_ids)
        await self.session.flush()
        await self.session.execute(delete(AlertChat).where(
            AlertChat.gemeente_code == code, AlertChat.chat_id.not_in(alert_chat_ids)))
        await self.session.execute(delete(Pc4Route).where(Pc4Route.gemeente_code == code))
        pc4s = sorted({pc4 for low, high in pc4_ranges for pc4 in range(low, high + 1)})
        if pc4s:  # an area configured for another gemeente before moves here
            await self.session.execute(delete(Pc4Route).where(Pc4Route.pc4.in_(pc4s)))
        known = set(await self.session.scalars(
            select(AlertChat.chat_id).where(AlertChat.gemeente_code == code)))
        self.session.add_all(AlertChat(gemeente_code=code, chat_id=c)
                             for c in alert_chat_ids if c not in known)
        self.session.add_all(Pc4Route(pc4=pc4, gemeente_code=code) for pc4 in pc4s)
        await self.session.flush()
