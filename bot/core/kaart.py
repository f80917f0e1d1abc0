"""Use cases of the sociale kaart: a gemeente's activities, saved, removed, suggested."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.sociale_kaart import SUGGESTIONS, Activity, suggest

if TYPE_CHECKING:
    from storage.uow import UnitOfWork


class KaartError(ValueError):
    """The request itself is wrong (an unknown gemeente); the message says how."""


@dataclass(frozen=True)
class Saved:
    """What an import or an addition changed."""

    added: int
    updated: int
    removed: int


FRESH_S = 60.0  # seconds a process goes on suggesting from a kaart it read


class KaartCache:
    """Each gemeente's activities as this process last read them (for every filing's suggestions).

    A change made in this process is seen at once, one made elsewhere (the CLI, another
    worker) within ``FRESH_S``.
    """

    def __init__(self, fresh_s: float = FRESH_S) -> None:
        self._fresh_s = fresh_s
        self._read: dict[str, tuple[float, tuple[Activity, ...]]] = {}

    async def activities(self, uow: UnitOfWork, code: str) -> tuple[Activity, ...]:
        """The gemeente's activities, read in ``uow`` when not read lately."""
        now, read = time.monotonic(), self._read.get(code)
        if read is None or now - read[0] > self._fresh_s:
            read = self._read[code] = (now, tuple(await uow.activities.list_all(code=code)))
        return read[1]

    def forget(self, code: str) -> None:
        """The gemeente's kaart changed: read it again next time."""
        self._read.pop(code, None)


class KaartService:
    """A gemeente's sociale kaart, on the database."""

    def __init__(self, uow: Callable[[], UnitOfWork], cache: KaartCache | None = None) -> None:
        self._uow = uow
        self._cache = cache or KaartCache()

    async def activities(self, code: str) -> list[Activity]:
        """The gemeente's activities, by name."""
        async with self._uow() as uow:
            await _known(uow, code)
            return await uow.activities.list_all(code=code)

    async def save(self, code: str, activities: Sequence[Activity], *,
                   replace: bool = False) -> Saved:
        """Add or update activities by name; ``replace``: they become the whole kaart."""
        async with self._uow() as uow:
            await _known(uow, code)
            saved = Saved(*await uow.activities.save(code=code, activities=activities,
                                                      replace=replace))
            await uow.commit()
        self._cache.forget(code)
        return saved

    async def remove(self, code: str, name: str) -> Activity | None:
        """Take the activity of that name off the kaart; None when there is none."""
        async with self._uow() as uow:
            await _known(uow, code)
            removed = await uow.activities.remove(code=code, name=name)
            await uow.commit()
        self._cache.forget(code)
        return removed

    async def suggest(self, code: str, pc4: int | None, interests: Iterable[str] = (),
                      limit: int = SUGGESTIONS) -> list[Activity]:
        """What a resident of ``pc4`` with these interests would be suggested."""
        return suggest(await self.activities(code), pc4, interests, limit)


async def _known(uow: UnitOfWork, code: str) -> None:
    if await uow.gemeenten.get(code=code) is None:
        raise KaartError(f"unknown gemeente {code}")
