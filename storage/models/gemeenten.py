"""A gemeente and what belongs to it: alert chats, staff, organisations, invites, texts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.clock import utcnow
from bot.core.people import Person
from bot.core.workflow import StaffRole
from storage.models.base import Base, StoredEnum


class Gemeente(Base):
    """A gemeente (CBS code) and whether it takes part."""

    __tablename__ = "gemeenten"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    fallback_advice: Mapped[str | None] = mapped_column(Text)
    escalation_hours: Mapped[float] = mapped_column(default=24.0)
    retention_days: Mapped[float] = mapped_column(default=30.0)
    silent_days: Mapped[float] = mapped_column(default=5.0)
    backup_chat_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AlertChat(Base):
    """A Telegram chat (person or team group) that receives a gemeente's alerts."""

    __tablename__ = "alert_chats"
    __table_args__ = (UniqueConstraint("gemeente_code", "chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeenten.code", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)


class Staff(Base):
    """A regisseur or team member of one gemeente: a person on a channel (its id there)."""

    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("gemeente_code", "channel", "external_id"),
                      Index("ix_staff_channel_external_id", "channel", "external_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gemeente_code: Mapped[str] = mapped_column(
        ForeignKey("gemeenten.code", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16), default="telegram")
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[StaffRole] = mapped_column(StoredEnum(StaffRole, 16))  # regisseur: also admin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(8), default="config")  # or "invite"
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # awaited typed note/question

    @property
    def person(self) -> Person:
        """Who this is: (channel, external id)."""
        return Person(self.channel, self.external_id)


class BlockedChat(Base):
    """A staff chat or team group the bot could not reach (blocked, removed, deleted).

    It gets no alerts until ``retry_at`` (later and later, up to a day, while it stays
    unreachable), or until its person writes to the bot or the bot is added to the group again.
    """

    __tablename__ = "blocked_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    blocked_at: Mapped[datetime] = mapped_column(default=utcnow)
    retry_at: Mapped[datetime]
    failures: Mapped[int] = mapped_column(Integer, default=1)


class Pc4Route(Base):
    """Which gemeente a four-digit postcode area belongs to."""

    __tablename__ = "pc4_routes"

    pc4: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    gemeente_code: Mapped[str] = mapped_column(
        ForeignKey("gemeenten.code", ondelete="CASCADE"), index=True
    )


class Invite(Base):
    """A one-time, expiring invitation for a staff member; only a hash of the token is kept."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeenten.code", ondelete="CASCADE"))
    role: Mapped[StaffRole] = mapped_column(StoredEnum(StaffRole, 16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))


class Organisation(Base):
    """A signaler organisation (a PostNL depot, a bank office): its deep link pre-fills role."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(32))
    gemeente_code: Mapped[str | None] = mapped_column(
        ForeignKey("gemeenten.code", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GemeenteText(Base):
    """A text a gemeente wants in its own words (welcome, privacy, thanks, feedback...)."""

    __tablename__ = "gemeente_texts"

    gemeente_code: Mapped[str] = mapped_column(
        ForeignKey("gemeenten.code", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
