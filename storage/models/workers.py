"""The workers sharing a PostgreSQL database and the group slots they book (Telegram's limits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class Worker(Base):
    """A live worker process: its heartbeat, renewed every few seconds (``storage.workers``)."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupSlot(Base):
    """When the next message to a group chat may go, whichever worker sends it."""

    __tablename__ = "group_slots"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)
