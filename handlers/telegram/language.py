"""The language of each update (the person's choice, else their Telegram app's) and ``/taal``."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, filters

from bot.core import messages
from bot.core.buttons import LanguageButton
from bot.core.language import GEMEENTE, activate, languages, name
from bot.core.people import TELEGRAM
from handlers.telegram.context import Context, answer_query, services


async def set_language(update: Update, context: Context) -> None:
    """This update's texts are in the person's language (the flood guard, first, calls it).

    In a private chat that is the language they chose, else their app's (``language_code``);
    a group (a team's) reads the gemeente's language.
    """
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != "private":
        activate(GEMEENTE)
        return
    activate(await services(context).languages.chosen(channel=TELEGRAM, external_id=str(user.id))
             or user.language_code)


async def language_command(update: Update, context: Context) -> None:
    """``/taal``: a button per language, each in its own name."""
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(name(code), callback_data=LanguageButton(code).pack())]
        for code in languages()])
    await update.effective_message.reply_text(messages.LANGUAGE_PICK, reply_markup=keyboard)


async def on_language(update: Update, context: Context, button: LanguageButton) -> None:
    """A language chosen: kept with the person, and said in it."""
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    chosen = await services(context).languages.choose(
        channel=TELEGRAM, external_id=str(query.from_user.id), code=button.code)
    activate(chosen)
    await query.edit_message_text(messages.LANGUAGE_CHOSEN)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """``/taal`` and its buttons (each update's language is set by the flood guard)."""
    application.add_handler(
        CommandHandler("taal", language_command, filters=filters.ChatType.PRIVATE))
