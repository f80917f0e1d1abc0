"""A person's language: the one they chose (``/taal``), kept with them as a signaler.

Every update asks for it, so what was read is remembered in this process (the newest
``REMEMBERED`` people); a choice made here updates it. Several workers: one that changes or
forgets a person's language tells the others (``storage.changes``), which then forget all
they remembered; while a worker cannot hear them (``trusted`` is False) it remembers nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.core.language import pick

if TYPE_CHECKING:
    from storage.uow import UnitOfWork


REMEMBERED = 4096


class LanguageChoice:
    """Reads and keeps the language people chose, by channel identity.

    ``trusted`` says whether what was remembered still holds (the changes of other processes
    are heard); by default always (one process).
    """

    def __init__(self, uow_factory: Callable[[], UnitOfWork],
                 trusted: Callable[[], bool] = lambda: True) -> None:
        self._uow = uow_factory
        self._trusted = trusted
        self._known: OrderedDict[tuple[str, str], str | None] = OrderedDict()
        self._forgotten = 0  # how often all was forgotten: a read older than that is not kept

    async def chosen(self, *, channel: str, external_id: str) -> str | None:
        """The language this person chose or last wrote in, if any."""
        key = (channel, external_id)
        if key in self._known:
            self._known.move_to_end(key)
            return self._known[key]
        forgotten = self._forgotten
        async with self._uow() as uow:
            language = await uow.signalers.language(channel=channel, external_id=external_id)
        if forgotten == self._forgotten and self._trusted():
            self._remember(key, language)
        return language

    def forget_all(self) -> None:
        """Forget what was read: a language changed (or a person was forgotten) elsewhere."""
        self._known.clear()
        self._forgotten += 1

    def _remember(self, key: tuple[str, str], language: str | None) -> None:
        self._known[key] = language
        self._known.move_to_end(key)
        if len(self._known) > REMEMBERED:
            self._known.popitem(last=False)

    async def choose(self, *, channel: str, external_id: str, code: str) -> str:
        """Keep a person's choice (the nearest language there is); returns it."""
        language = pick(code)
        async with self._uow() as uow:
            await uow.signalers.choose_language(channel=channel, external_id=external_id,
                                                language=language)
            await uow.commit()
        if self._trusted():
            self._remember((channel, external_id), language)
        return language
