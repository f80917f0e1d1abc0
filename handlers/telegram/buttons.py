"""Every button press: decoded once (``bot.core.buttons``), then handed to whom it is for."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.core import messages
from bot.core.buttons import (
    AdminButton,
    DeclineButton,
    ForgetButton,
    IntakeButton,
    KaartButton,
    LanguageButton,
    NewsButton,
    StaffButton,
    VraagjeButton,
    unpack,
)
from handlers.telegram import admin, intake, kaart, language, news, privacy, staff, vraagje
from handlers.telegram.context import Context, answer_query


async def on_button(update: Update, context: Context) -> None:
    """A pressed inline button; unknown or forged data gets a calm answer, nothing else."""
    query = update.callback_query
    assert query is not None
    match unpack(query.data):
        case IntakeButton() as button:
            await intake.on_button(update, context, button)
        case StaffButton() as button:
            await staff.on_staff_button(update, context, button)
        case AdminButton() as button:
            await admin.on_admin_button(update, context, button)
        case KaartButton() as button:
            await kaart.on_kaart_button(update, context, button)
        case DeclineButton() as button:
            await staff.on_decline(update, context, button)
        case ForgetButton() as button:
            await privacy.on_forget(update, context, button)
        case VraagjeButton() as button:
            await vraagje.on_vraagje(update, context, button)
        case NewsButton() as button:
            await news.on_news_button(update, context, button)
        case LanguageButton() as button:
            await language.on_language(update, context, button)
        case _:
            await answer_query(query, intake.plain(messages.STALE_BUTTON))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """The one handler of button presses."""
    application.add_handler(CallbackQueryHandler(on_button))
