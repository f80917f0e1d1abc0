"""Import of CBS's postcode-huisnummer table (``bot.core.cbs_table``) as the routing data.

Rows load into a dataset that is not yet current, in chunks that each commit; one transaction
makes it current and deletes the previous one.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.cbs_table import SPLIT, Aggregate, CbsFormatError, Source, open_source, pc6_text

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

Progress = Callable[[str, int], Callable[[int], None]]
"""``progress(description, total)`` starts a task and returns ``advance(amount)``."""


@dataclass
class ImportReport:
    """What an import did."""

    dataset_id: int
    source: str
    year: int | None
    addresses: int
    pc6: int
    split_pc6: int
    house_numbers: int
    pc4: int
    gemeenten: int
    new_gemeenten: list[str]
    unnamed: int
    passes: int
    seconds: float

    def lines(self) -> list[str]:
        """A short summary for the command line."""
        lines = [
            f"imported {self.source} (year {self.year or 'unknown'}): {self.addresses:,} "
            f"addresses in {self.seconds:.1f} s ({self.passes} pass(es))",
            f"{self.pc6:,} PC6 ({self.split_pc6:,} split, {self.house_numbers:,} house-number "
            f"exceptions), {self.pc4:,} PC4 areas, {self.gemeenten} gemeenten",
            f"{len(self.new_gemeenten)} new gemeenten added, not on board until configured",
            "Bron: CBS, buurt, wijk en gemeente voor postcode huisnummer (CC BY 4.0)"]
        if self.unnamed:
            lines.append(f"{self.unnamed} new gemeenten have no name (give --names FILE)")
        return lines


def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


async def import_cbs(new_uow: Callable[[], UnitOfWork], path: Path, *,
                     names_path: Path | None = None, progress: Progress | None = None,
                     chunk_rows: int | None = None) -> ImportReport:
    """Import the CBS file and make it the current routing data (see the module docstring).

    New gemeenten are added not on board; known ones keep their ``active`` flag and settings
    (only the official name is set). Herindelingen done with ``gemeente merge`` are applied.

    Raises:
        CbsFormatError: a wrong or damaged file; the database is then not changed.
    """
    progress = progress or (lambda _description, _total: lambda _amount: None)
    started = time.monotonic()
    source = open_source(path, names_path)
    aggregate = Aggregate(source.layout)
    with source.open() as raw:
        aggregate.scan(raw, progress(f"Reading {source.label}", source.size))
    passes = 1
    if aggregate.rescan:  # the file is not sorted by postcode
        aggregate.split_rows.clear()
        with source.open() as raw:
            aggregate.scan(raw, progress("Second pass", source.size), second_pass=True)
        passes = 2
    if not aggregate.addresses:
        raise CbsFormatError(f"{source.label}: no addresses")
    return await _store(new_uow, source, aggregate, progress, passes, started, chunk_rows)


async def _store(new_uow: Callable[[], UnitOfWork], source: Source,
                 aggregate: Aggregate, progress: Progress, passes: int, started: float,
                 chunk_rows: int | None) -> ImportReport:
    numbers = {g for _, g in aggregate.pc4}
    async with new_uow() as uow:
        await uow.routing.discard()  # rows of an import that was interrupted
        merges = await uow.routing.merges()
        code = {n: merges.get(f"GM{n:04d}", f"GM{n:04d}") for n in numbers}
        added = await uow.routing.upsert_gemeenten(
            {code[n]: source.names.get(n) for n in numbers if code[n] == f"GM{n:04d}"})
        dataset_id = await uow.routing.start(source=source.label, year=source.year)
        chunk_rows = chunk_rows or uow.routing.batch_rows
        await uow.commit()
    split: dict[int, set[str]] = {}
    for (key, _), g in aggregate.split_rows.items():
        split.setdefault(key, set()).add(code[g])
    whole = {key: codes.pop() for key, codes in split.items() if len(codes) == 1}
    pc4: dict[tuple[int, str], int] = {}
    for (area, g), count in aggregate.pc4.items():
        pc4[area, code[g]] = pc4.get((area, code[g]), 0) + count
    values, keys = aggregate.gemeente, aggregate.keys
    tables = (
        ("pc6", len(keys), ((dataset_id, pc6_text(k), whole.get(k) if values[k] == SPLIT
                                else code[values[k]]) for k in keys)),
        ("house_numbers", len(aggregate.split_rows),
         ((dataset_id, pc6_text(k), number, code[g])
          for (k, number), g in aggregate.split_rows.items() if k not in whole)),
        ("pc4", len(pc4), ((dataset_id, area, c, n) for (area, c), n in pc4.items())))
    advance = progress("Writing routing tables", sum(total for _, total, _ in tables))
    try:
        for table, _, rows in tables:
            for batch in _batches(rows, chunk_rows):
                async with new_uow() as uow:  # one commit per chunk: the bot goes on
                    await uow.routing.insert(table, batch)
                    await uow.commit()
                advance(len(batch))
        splits = sum(1 for k in keys if values[k] == SPLIT and k not in whole)
        stats = {"addresses": aggregate.addresses, "pc6_count": len(keys),
                 "split_pc6_count": splits, "pc4_count": len({a for a, _ in pc4}),
                 "gemeente_count": len(set(code.values()))}
        async with new_uow() as uow:
            await uow.routing.activate(dataset_id=dataset_id, **stats)
            await uow.commit()
    except BaseException:
        async with new_uow() as uow:  # leave nothing half-loaded behind
            await uow.routing.discard(dataset_id=dataset_id)
            await uow.commit()
        raise
    return ImportReport(
        dataset_id, source.label, source.year, aggregate.addresses, len(keys), splits,
        len(aggregate.split_rows) - sum(1 for k, _ in aggregate.split_rows if k in whole),
        stats["pc4_count"], stats["gemeente_count"], added,
        sum(1 for c in added if c not in {f"GM{n:04d}" for n in source.names}), passes,
        time.monotonic() - started)
