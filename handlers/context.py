"""What every Telegram handler shares: the context type and the application's services."""

from __future__ import annotations

from telegram.ext import ContextTypes

from bot.services import Services

Context = ContextTypes.DEFAULT_TYPE


def services(context: Context) -> Services:
    """The application's services (opened in ``post_init``)."""
    return context.application.bot_data["services"]  # type: ignore[no-any-return]
