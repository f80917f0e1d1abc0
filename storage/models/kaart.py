"""The sociale kaart: public activities of local organisations, per gemeente (not personal)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.clock import utcnow
from bot.core.sociale_kaart import CONTACT_MAX, NAME_MAX, PLACE_MAX, WHAT_MAX, WHEN_MAX
from storage.models.base import Base


class Activity(Base):
    """An activity on a gemeente's sociale kaart; ``pc4`` None: for the whole gemeente."""

    __tablename__ = "activities"
    __table_args__ = (UniqueConstraint("gemeente_code", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeenten.code", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    what: Mapped[str] = mapped_column(String(WHAT_MAX))
    pc4: Mapped[int | None] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(PLACE_MAX), default="")
    when: Mapped[str] = mapped_column(String(WHEN_MAX), default="")
    contact: Mapped[str] = mapped_column(String(CONTACT_MAX), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
