"""News opt-ins: who wants short news from a gemeente's Signaalpunt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.clock import utcnow
from storage.encrypted import EncryptedText
from storage.models.base import Base


class NewsSubscription(Base):
    """A person's opt-in to a gemeente's news, found by a keyed hash of their channel id.

    Ending it (opt-out, ``/vergeetmij``) forgets the person: hash and chat go, and the row
    stays as an anonymous count (gemeente, organisation, from, until).
    """

    __tablename__ = "news_subscriptions"
    __table_args__ = (UniqueConstraint("channel", "external_hash", "gemeente_code"),
                      Index("ix_news_subscriptions_gemeente", "gemeente_code", "ended_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_hash: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column("external_enc", EncryptedText)
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeenten.code", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
