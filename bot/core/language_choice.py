"""A person's language: the one they chose (``/taal``), kept with them as a signaler."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.core.language import pick

if TYPE_CHECKING:
    from storage.uow import UnitOfWork


class LanguageChoice:
    """Reads and keeps the language people chose, by channel identity."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork]) -> None:
        self._uow = uow_factory

    async def chosen(self, *, channel: str, external_id: str) -> str | None:
        """The language this person chose or last wrote in, if any."""
        async with self._uow() as uow:
            signaler = await uow.signalers.get(channel=channel, external_id=external_id)
            return signaler.language if signaler else None

    async def choose(self, *, channel: str, external_id: str, code: str) -> str:
        """Keep a person's choice (the nearest language there is); returns it."""
        language = pick(code)
        async with self._uow() as uow:
            await uow.signalers.get_or_add(channel=channel, external_id=external_id, role=None,
                                           language=language)
            await uow.commit()
        return language
