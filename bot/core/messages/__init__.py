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

Another language (the languages issue) keeps these names and adds their texts: either a
package per language with the same modules (``messages/en/conversation.py``), picked per
person at the call sites that now read ``messages.X``, or the Dutch here becomes the source
strings of a gettext/Babel or Fluent catalog, each name a message id. The names, their
placeholders and the HTML stay the contract either way.
"""

from .admin import *  # noqa: F403
from .common import *  # noqa: F403
from .conversation import *  # noqa: F403
from .kaart import *  # noqa: F403
from .news import *  # noqa: F403
from .reporting import *  # noqa: F403
from .signal import *  # noqa: F403
from .staff import *  # noqa: F403
from .web import *  # noqa: F403
