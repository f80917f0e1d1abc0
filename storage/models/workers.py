"""The workers sharing a PostgreSQL database and their messages to groups (Telegram's limits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, String
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime

# The times of a group's last messages: an array on PostgreSQL, the only database that uses it.
SEND_TIMES = JSON().with_variant(postgresql.ARRAY(DateTime(timezone=True)), "postgresql")


class Worker(Base):
    """A live worker process: its heartbeat, renewed every few seconds (``storage.workers``)."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupSends(Base):
    """When the last messages to a group chat went, whichever worker sent them."""

    __tablename__ = "group_sends"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    sends: Mapped[list[datetime]] = mapped_column(SEND_TIMES)
