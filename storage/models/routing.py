"""The national routing data: CBS datasets, pc6 and house-number routes, merges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.clock import utcnow
from storage.models.base import Base


class RoutingDataset(Base):
    """One import of CBS's "buurt, wijk en gemeente voor postcode huisnummer" table.

    Its rows are loaded while it is not ``is_current``; one UPDATE makes it current, so readers
    never see a half-imported table. ``completed_at`` stays empty while rows are loading.
    """

    __tablename__ = "routing_datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    addresses: Mapped[int] = mapped_column(BigInteger, default=0)
    pc6_count: Mapped[int] = mapped_column(Integer, default=0)
    split_pc6_count: Mapped[int] = mapped_column(Integer, default=0)
    pc4_count: Mapped[int] = mapped_column(Integer, default=0)
    gemeente_count: Mapped[int] = mapped_column(Integer, default=0)


class Pc6Route(Base):
    """A six-character postcode and its gemeente; NULL when it spans several (see house numbers)."""

    __tablename__ = "pc6_routes"

    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("routing_datasets.id", ondelete="CASCADE"), primary_key=True)
    pc6: Mapped[str] = mapped_column(String(6), primary_key=True)
    gemeente_code: Mapped[str | None] = mapped_column(
        ForeignKey("gemeenten.code", ondelete="CASCADE"))


class HouseNumberRoute(Base):
    """The gemeente of one address, kept only for postcodes that span several gemeenten."""

    __tablename__ = "house_number_routes"

    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("routing_datasets.id", ondelete="CASCADE"), primary_key=True)
    pc6: Mapped[str] = mapped_column(String(6), primary_key=True)
    house_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeenten.code", ondelete="CASCADE"))


class Pc4Gemeente(Base):
    """How many addresses of a four-digit postcode area lie in a gemeente (from the import)."""

    __tablename__ = "pc4_gemeenten"

    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("routing_datasets.id", ondelete="CASCADE"), primary_key=True)
    pc4: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    gemeente_code: Mapped[str] = mapped_column(
        ForeignKey("gemeenten.code", ondelete="CASCADE"), primary_key=True)
    addresses: Mapped[int] = mapped_column(Integer)


class GemeenteMerge(Base):
    """A herindeling: ``from_code`` went up in ``into_code`` (re-applied to later imports)."""

    __tablename__ = "gemeente_merges"

    from_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    into_code: Mapped[str] = mapped_column(ForeignKey("gemeenten.code", ondelete="CASCADE"))
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
