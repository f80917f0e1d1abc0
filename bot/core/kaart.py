"""Use cases of the sociale kaart: a gemeente's activities, saved, removed, suggested."""

from __future__ import annotations

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


class KaartService:
    """A gemeente's sociale kaart, on the database."""

    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

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
            return saved

    async def remove(self, code: str, name: str) -> Activity | None:
        """Take the activity of that name off the kaart; None when there is none."""
        async with self._uow() as uow:
            await _known(uow, code)
            removed = await uow.activities.remove(code=code, name=name)
            await uow.commit()
            return removed

    async def suggest(self, code: str, pc4: int | None, interests: Iterable[str] = (),
                      limit: int = SUGGESTIONS) -> list[Activity]:
        """What a resident of ``pc4`` with these interests would be suggested."""
        return suggest(await self.activities(code), pc4, interests, limit)


async def _known(uow: UnitOfWork, code: str) -> None:
    if await uow.gemeenten.get(code=code) is None:
        raise KaartError(f"unknown gemeente {code}")
