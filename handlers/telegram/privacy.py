"""Telegram handlers for privacy: ``/vergeetmij``, and the flood guard that runs first."""

from __future__ import annotations

import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CommandHandler,
    TypeHandler,
    filters,
)

from bot.core import messages
from bot.core.buttons import ForgetButton
from bot.core.flood import Flood
from handlers.telegram.context import Context, answer_query, services
from handlers.telegram.language import set_language


async def forget_command(update: Update, context: Context) -> None:
    """``/vergeetmij``: ask for confirmation first."""
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(messages.FORGET_YES, callback_data=ForgetButton(True).pack())],
        [InlineKeyboardButton(messages.CANCEL, callback_data=ForgetButton(False).pack())],
    ])
    await update.effective_message.reply_text(messages.FORGET_CONFIRM, reply_markup=keyboard)


async def on_forget(update: Update, context: Context, button: ForgetButton) -> None:
    """The confirmation: erase the person's contact details and link, or leave all as is."""
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    if not button.confirmed:
        await query.edit_message_text(messages.NOTHING_CHANGED)
        return
    count = await services(context).privacy.forget_signaler("telegram", str(query.from_user.id))
    await query.edit_message_text(messages.FORGOTTEN.format(count=count))


class FloodGuard(Flood):
    """The flood guard as the handler that runs before every other."""

    async def __call__(self, update: Update, context: Context) -> None:
        """Runs before every handler: the update's language, then stop it if its sender floods.

        One handler group for both (the warning is in the language too): each group costs
        every update its turn.
        """
        await set_language(update, context)
        user = update.effective_user
        now = time.monotonic()
        if user is None or self.allows(user.id, now):
            return
        if self.should_warn(user.id, now):
            if update.callback_query is not None:
                await answer_query(update.callback_query, messages.FLOOD)
            elif update.effective_chat is not None and update.effective_chat.type == "private":
                await context.bot.send_message(update.effective_chat.id, messages.FLOOD)
        raise ApplicationHandlerStop


def register(application: Application, *, limit: int, seconds: float) -> None:  # type: ignore[type-arg]
    """The flood guard and each update's language (group -1, first), and ``/vergeetmij``."""
    application.add_handler(TypeHandler(Update, FloodGuard(limit, seconds)), group=-1)
    application.add_handler(
        CommandHandler("vergeetmij", forget_command, filters=filters.ChatType.PRIVATE))
