"""What every Telegram handler shares: the context type and the application's services."""

from __future__ import annotations

import logging

from telegram import CallbackQuery
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.services import Services

Context = ContextTypes.DEFAULT_TYPE
log = logging.getLogger(__name__)


def services(context: Context) -> Services:
    """The application's services (opened in ``post_init``)."""
    return context.application.bot_data["services"]  # type: ignore[no-any-return]


async def answer_query(query: CallbackQuery, text: str | None = None, *,
                       show_alert: bool = False) -> None:
    """Answer a button press.

    An answer Telegram no longer accepts (too old, or answered before a crash and then
    redelivered) is not an error.
    """
    try:
        await query.answer(text or None, show_alert=show_alert)
    except BadRequest as error:
        if "query is too old" not in error.message.lower():
            raise
        log.info("button answer came too late: %s", error.message)
