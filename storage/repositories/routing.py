"""Routing tables imported from CBS."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Gemeente,
    GemeenteMerge,
    HouseNumberRoute,
    Pc4Gemeente,
    Pc6Route,
    RoutingDataset,
    utcnow,
)

# What an import loads, by name: the table, and the columns a row's values are in.
ROUTING_TABLES: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "pc6": (Pc6Route, ("dataset_id", "pc6", "gemeente_code")),
    "house_numbers": (HouseNumberRoute, ("dataset_id", "pc6", "house_number", "gemeente_code")),
    "pc4": (Pc4Gemeente, ("dataset_id", "pc4", "gemeente_code", "addresses")),
}
_ROUTING_MODELS = [model for model, _ in ROUTING_TABLES.values()]


def _current_dataset() -> Any:
    """The id of the current routing dataset, as a subquery (one consistent statement)."""
    return (select(RoutingDataset.id).where(RoutingDataset.is_current.is_(True))
            .limit(1).scalar_subquery())


class RoutingRepository:
    """Routing tables imported from CBS: PC6, house-number exceptions and PC4 address counts.

    Every lookup reads the current dataset in the same statement, so a reader never mixes a
    half-loaded import with the one it replaces.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def current(self) -> RoutingDataset | None:
        """The dataset routing reads from, if any was imported."""
        return await self.session.scalar(
            select(RoutingDataset).where(RoutingDataset.is_current.is_(True)))

    async def list_datasets(self) -> list[RoutingDataset]:
        """Every import, newest first."""
        return list(await self.session.scalars(
            select(RoutingDataset).order_by(RoutingDataset.id.desc())))

    async def pc6(self, *, pc6: str) -> tuple[bool, str | None]:
        """``(found, gemeente code)``; the code is None when the PC6 spans several gemeenten."""
        row = (await self.session.execute(select(Pc6Route.gemeente_code).where(
            Pc6Route.dataset_id == _current_dataset(), Pc6Route.pc6 == pc6))).first()
        return (False, None) if row is None else (True, row[0])

    async def house_number(self, *, pc6: str, number: int) -> str | None:
        """The gemeente of one address of a split PC6, if CBS lists it."""
        return await self.session.scalar(select(HouseNumberRoute.gemeente_code).where(
            HouseNumberRoute.dataset_id == _current_dataset(), HouseNumberRoute.pc6 == pc6,
            HouseNumberRoute.house_number == number))

    async def pc6_candidates(self, *, pc6: str) -> list[tuple[str, str, int]]:
        """``(code, name, addresses)`` of the gemeenten a split PC6 spans, largest first."""
        count = func.count()
        rows = await self.session.execute(
            select(HouseNumberRoute.gemeente_code, Gemeente.name, count)
            .join(Gemeente, Gemeente.code == HouseNumberRoute.gemeente_code)
            .where(HouseNumberRoute.dataset_id == _current_dataset(), HouseNumberRoute.pc6 == pc6)
            .group_by(HouseNumberRoute.gemeente_code, Gemeente.name)
            .order_by(count.desc(), HouseNumberRoute.gemeente_code))
        return [(code, name, int(n)) for code, name, n in rows]

    async def pc4_candidates(self, *, pc4: int) -> list[tuple[str, str, int]]:
        """``(code, name, addresses)`` of the gemeenten with addresses in a PC4, largest first."""
        rows = await self.session.execute(
            select(Pc4Gemeente.gemeente_code, Gemeente.name, Pc4Gemeente.addresses)
            .join(Gemeente, Gemeente.code == Pc4Gemeente.gemeente_code)
            .where(Pc4Gemeente.dataset_id == _current_dataset(), Pc4Gemeente.pc4 == pc4)
            .order_by(Pc4Gemeente.addresses.desc(), Pc4Gemeente.gemeente_code))
        return [(code, name, int(n)) for code, name, n in rows]

    async def merges(self) -> dict[str, str]:
        """Herindelingen so far: old code -> the code it went up in."""
        rows = await self.session.execute(select(GemeenteMerge.from_code, GemeenteMerge.into_code))
        return {old: new for old, new in rows}

    async def upsert_gemeenten(self, names: dict[str, str | None]) -> list[str]:
        """Add unknown gemeenten (not on board) and set official names; returns the new codes.

        The ``active`` flag and the settings of known gemeenten are never changed.
        """
        known = {g.code: g for g in await self.session.scalars(
            select(Gemeente).where(Gemeente.code.in_(list(names))))}
        added = []
        for code, name in sorted(names.items()):
            gemeente = known.get(code)
            if gemeente is None:
                self.session.add(Gemeente(code=code, name=name or code, active=False))
                added.append(code)
            elif name and gemeente.name != name:
                gemeente.name = name
        await self.session.flush()
        return added

    async def start(self, *, source: str, year: int | None) -> int:
        """A new, not yet current dataset to load rows into; returns its id."""
        dataset = RoutingDataset(source=source[:200], year=year, is_current=False)
        self.session.add(dataset)
        await self.session.flush()
        return dataset.id

    @property
    def batch_rows(self) -> int:
        """How many rows an import best writes per transaction (more with COPY)."""
        return 100_000 if self.session.bind.dialect.name == "postgresql" else 20_000

    async def insert(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """Bulk-insert rows into a table of ``ROUTING_TABLES``: COPY on PostgreSQL."""
        if not rows:
            return
        model, columns = ROUTING_TABLES[table]
        connection = await self.session.connection()
        if connection.dialect.name == "postgresql":
            await connection.execute(select(1))  # the driver's transaction has begun
            raw = await connection.get_raw_connection()
            await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                model.__tablename__, records=rows, columns=list(columns))
        else:
            await connection.execute(insert(model.__table__),
                                     [dict(zip(columns, row, strict=True)) for row in rows])

    async def activate(self, *, dataset_id: int, **stats: int) -> None:
        """Make a loaded dataset current in one UPDATE and delete every other dataset's rows.

        Raises:
            LookupError: the dataset is gone (another import discarded it as unfinished).
        """
        found = await self.session.execute(
            update(RoutingDataset).where(RoutingDataset.id == dataset_id)
            .values(completed_at=utcnow(), **stats).execution_options(synchronize_session=False))
        if int(found.rowcount) != 1:  # type: ignore[attr-defined]
            raise LookupError(f"routing dataset {dataset_id} was removed by another import")
        await self.session.execute(
            update(RoutingDataset).values(is_current=RoutingDataset.id == dataset_id)
            .execution_options(synchronize_session=False))
        for model in _ROUTING_MODELS:
            await self.session.execute(delete(model).where(model.dataset_id != dataset_id))

    async def discard(self, *, dataset_id: int | None = None) -> int:
        """Delete one unfinished dataset, or (None) every unfinished one; returns how many."""
        query = select(RoutingDataset.id).where(RoutingDataset.is_current.is_(False),
                                                RoutingDataset.completed_at.is_(None))
        if dataset_id is not None:
            query = query.where(RoutingDataset.id == dataset_id)
        ids = list(await self.session.scalars(query))
        if ids:
            for model in _ROUTING_MODELS:
                await self.session.execute(delete(model).where(model.dataset_id.in_(ids)))
            await self.session.execute(delete(RoutingDataset).where(RoutingDataset.id.in_(ids)))
        return len(ids)
