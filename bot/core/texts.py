"""Texts a gemeente may word itself (welcome, privacy, thanks, feedback, alert footer).

A gemeente's own text is plain text: it is escaped, and only ``{reference}`` and
``{gemeente}`` are filled in (``bot.settings.fill_text``); the built-in ones are HTML.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from bot.core import messages
from bot.core.gemeente_rules import fill_text
from bot.core.language import GEMEENTE, active

if TYPE_CHECKING:
    from storage.uow import UnitOfWork



def built_in() -> dict[str, str]:
    """Texts a gemeente may word itself; the value is the built-in one, in the active language."""
    return {
        "welcome": messages.WELCOME,
        "privacy": messages.PRIVACY,
        "thanks": messages.SUBMITTED,
        "feedback_claimed": messages.FEEDBACK_CLAIMED,
        "feedback_closed": messages.FEEDBACK_CLOSED,
        "alert_footer": "",
    }


TEXTS = built_in()  # in Dutch, the gemeente's language: the keys and their defaults
SAMPLE = {"reference": "SP-2026-000123", "gemeente": "Voorbeeld"}


def render_text(template: str, *, custom: bool, **values: str) -> str:
    """Fill a text's placeholders; a gemeente's own text is plain text and escaped here.

    Only ``{reference}`` and ``{gemeente}`` are filled in, never with a format spec: anything
    else in braces (say a text stored before texts were checked) is shown as written.
    """
    return fill_text(template, {key: html.escape(value) for key, value in values.items()},
                     html.escape if custom else str)


async def text_for(uow: UnitOfWork, code: str | None, key: str, **values: str) -> str:
    """A text in the gemeente's own words when it has them, else the built-in one.

    A gemeente words its texts in its own language: a person who reads another one gets the
    built-in text in theirs.
    """
    custom = (await uow.texts.get_text(code=code, key=key)
              if code and active() == GEMEENTE else None)
    return render_text(custom if custom is not None else built_in()[key],
                       custom=custom is not None, **values)
