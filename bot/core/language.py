"""The language a person reads: the active language and the catalogs of the other languages.

Dutch is the source: the texts of ``bot.core.messages``, the questionnaire files and the
conversation-starter cards. Each other language is a gettext catalog ``locales/<code>.po``
(read at start with Babel, no compile step): an entry's ``msgctxt`` says which text it is (a
message's name, or ``<questionnaire>:<question>:text`` and the like, see
``bot.core.catalog``), its ``msgid`` is the Dutch text and its ``msgstr`` the translation.
An entry whose ``msgid`` no longer equals the Dutch text is stale and not used, so a text
changed in Dutch shows in Dutch until it is translated again. Adding a language is adding
its ``.po`` file; its name and writing direction come from Babel's locale data.

The active language is a context variable, set per handled update (``use_language``) by the
adapters from the person's choice or their app's language; what staff read is written in
the gemeente's language (``in_gemeente_language``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from babel import Locale
from babel.messages.pofile import read_po

SOURCE = "nl"  # the language the texts are written in
GEMEENTE = SOURCE  # the language of the gemeente's staff: alerts, cards, reports
LOCALES = Path(__file__).with_name("locales")

_active: ContextVar[str] = ContextVar("language", default=SOURCE)
F = TypeVar("F", bound=Callable[..., Any])


@functools.cache
def catalogs() -> dict[str, dict[tuple[str, str], str]]:
    """Each language's translations by (context, Dutch text); fuzzy and empty ones left out."""
    found = {}
    for path in sorted(LOCALES.glob("*.po")):
        with path.open("rb") as file:
            catalog = read_po(file)
        found[path.stem] = {(message.context or "", message.id): message.string
                            for message in catalog
                            if message.id and isinstance(message.id, str)
                            and isinstance(message.string, str) and message.string
                            and not message.fuzzy}
    return found


def languages() -> tuple[str, ...]:
    """The languages a person can choose: Dutch, then every catalog's."""
    return (SOURCE, *sorted(catalogs()))


def pick(code: str | None) -> str:
    """The language to use for a code such as a Telegram ``language_code`` (``en-GB``)."""
    if not code:
        return SOURCE
    code = code.replace("-", "_").lower()
    for candidate in (code, code.split("_")[0]):
        if candidate in languages():
            return candidate
    return SOURCE


def name(code: str) -> str:
    """A language's name in itself ("English", "Nederlands")."""
    shown = Locale.parse(code).get_display_name(code) or code
    return shown[:1].upper() + shown[1:]


def direction(code: str) -> str:
    """``rtl`` for a language written right to left, else ``ltr`` (for ``<html dir>``)."""
    return "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr"


def active() -> str:
    """The language texts are rendered in now."""
    return _active.get()


def activate(code: str | None) -> str:
    """Render texts in this language from now on in this task: an adapter, per update."""
    _active.set(pick(code))
    return _active.get()


@contextmanager
def use_language(code: str | None) -> Iterator[str]:
    """Render texts in this language (or the nearest one there is) inside the block."""
    token = _active.set(pick(code))
    try:
        yield _active.get()
    finally:
        _active.reset(token)


def in_gemeente_language(function: F) -> F:
    """Render what this function writes (an alert, a card) in the gemeente's language."""
    if inspect.iscoroutinefunction(function):
        @functools.wraps(function)
        async def awaiting(*args: Any, **kwargs: Any) -> Any:
            with use_language(GEMEENTE):
                return await function(*args, **kwargs)
        return awaiting  # type: ignore[return-value]

    @functools.wraps(function)
    def calling(*args: Any, **kwargs: Any) -> Any:
        with use_language(GEMEENTE):
            return function(*args, **kwargs)
    return calling  # type: ignore[return-value]


def translate(context: str, source: str, language: str | None = None) -> str:
    """The text in the active (or given) language; the Dutch source when it has no entry."""
    code = language or _active.get()
    if code == SOURCE:
        return source
    return catalogs().get(code, {}).get((context, source)) or source
