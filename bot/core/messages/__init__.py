"""The message catalog: every text the bot shows people, in Dutch, in one place.

One module per audience, each a flat set of names: ``conversation`` (signalers),
``staff`` (alerts, cards, the team's replies), ``admin`` (/beheer and invitations),
``reporting`` (/stats, the kerngroep's report, charts and poster), ``signal`` (what only
the Signal channel says), ``web`` (the web chat's pages), ``kaart`` (the sociale kaart and
the conversation-starter cards), ``news`` (the Signaalpunt's news) and ``common``.
They are all re-exported here, so code writes ``from bot.core import messages`` and
``messages.WELCOME``; the tests check that every ``messages.X`` in the code exists, that
every text here is used, and that no Dutch text lives outside this package.

Texts are HTML-safe (Telegram's HTML subset), templates filled with ``str.format``. Values
from people (names, notes, answers) are escaped by the caller before they go in. Not here:
names that are part of an interface and stay the same in every language — commands,
stored codes (states, outcomes, the questionnaire's answer values), CSV keys and the file
names of the report. The questionnaire's own texts live with it, in
``bot/core/questionnaires/*.toml``; a gemeente's own words in ``bot.core.texts``.

Other languages keep these names, placeholders and HTML and add their texts in a catalog
(``bot.core.language``): a name read here resolves in the active language, falling back to
the Dutch. Texts staff read (``admin``, ``reporting``, ``staff``) stay in the gemeente's
language.
"""

from typing import TYPE_CHECKING, Any

from bot.core.catalog import localize_message
from bot.core.language import SOURCE, active

from . import admin, common, conversation, kaart, news, reporting, signal, staff, web

if TYPE_CHECKING:
    from .admin import *  # noqa: F403
    from .common import *  # noqa: F403
    from .conversation import *  # noqa: F403
    from .kaart import *  # noqa: F403
    from .news import *  # noqa: F403
    from .reporting import *  # noqa: F403
    from .signal import *  # noqa: F403
    from .staff import *  # noqa: F403
    from .web import *  # noqa: F403

PERSON_MODULES = (common, conversation, kaart, news, signal, web)  # translated
GEMEENTE_MODULES = (admin, reporting, staff)  # read by staff: the gemeente's language
SOURCE_TEXTS: dict[str, Any] = {name: getattr(module, name)
                                for module in (*PERSON_MODULES, *GEMEENTE_MODULES)
                                for name in module.__all__}
# The sociale kaart's own texts are for regisseurs (its CSV import and list), except how an
# activity is shown to a resident.
_KAART_STAFF = frozenset(name for name in kaart.__all__ if name.startswith("KAART_")) - {
    "KAART_SUGGESTION", "KAART_WHERE", "KAART_WHEN", "KAART_CONTACT", "KAART_FITS"}
# News: the words typed on Signal stay as they are; composing it and its header are a
# regisseur's, in the gemeente's language.
_NEWS_STAFF = frozenset({
    "NEWS_WORD", "NEWS_WORD_ON", "NEWS_WORD_OFF", "NEWS_STOP_WORD", "NEWS_MESSAGE", "NEWS_EMPTY",
    "NEWS_TOO_LONG", "NEWS_COMPOSE_HOW", "NEWS_WHICH", "NEWS_PREVIEW", "NEWS_BTN_SEND",
    "NEWS_BTN_DISCARD", "NEWS_SENT", "NEWS_DISCARDED", "NEWS_EXPIRED", "NEWS_LABELS"})
TRANSLATED = frozenset(name for module in PERSON_MODULES for name in module.__all__
                       if not callable(getattr(module, name))
                       and name not in _KAART_STAFF | _NEWS_STAFF)
_translated: dict[tuple[str, str], Any] = {}


def __getattr__(name: str) -> Any:
    """A message in the active language."""
    try:
        value = SOURCE_TEXTS[name]
    except KeyError:
        raise AttributeError(f"no message {name}") from None
    language = active()
    if language == SOURCE or name not in TRANSLATED:
        return value
    key = (language, name)
    if key not in _translated:
        _translated[key] = localize_message(name, value, language)
    return _translated[key]
