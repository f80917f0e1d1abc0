"""``/vraagje``: a conversation-starter card, with a button for another one."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, filters

from bot.core import messages, vraagjes
from bot.core.buttons import VraagjeButton
from handlers.telegram.context import Context, answer_query


def _another(seed: int, counter: int) -> InlineKeyboardMarkup:
    data = VraagjeButton(seed, vraagjes.next_counter(counter)).pack()
    return InlineKeyboardMarkup([[InlineKeyboardButton(messages.VRAAGJE_ANOTHER,
                                                       callback_data=data)]])


async def vraagje_command(update: Update, context: Context) -> None:
    """``/vraagje``: the first card of a new shuffle."""
    assert update.effective_message is not None
    seed = vraagjes.new_seed()
    await update.effective_message.reply_text(vraagjes.card_text(seed, 0),
                                              reply_markup=_another(seed, 0))


async def on_vraagje(update: Update, context: Context, button: VraagjeButton) -> None:
    """"Een andere vraag": the next card of the same shuffle, in the same message."""
    query = update.callback_query
    assert query is not None
    await answer_query(query)
    await query.edit_message_text(vraagjes.card_text(button.seed, button.counter),
                                  reply_markup=_another(button.seed, button.counter))


def register(application: Application) -> None:  # type: ignore[type-arg]
    """``/vraagje`` in a private chat (its button: ``handlers.telegram.buttons``)."""
    application.add_handler(
        CommandHandler("vraagje", vraagje_command, filters=filters.ChatType.PRIVATE))
