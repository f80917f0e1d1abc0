"""Telegram handlers for staff, and for the signaler's side of the follow-up.

Staff: alert buttons, ``/open``, ``/mijn``, ``/signaal``. Signalers: ``/mijnsignalen`` and
declining relayed questions.
"""

from __future__ import annotations

import logging

from telegram import ForceReply, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, filters

from bot.core import messages
from bot.core.buttons import DeclineButton, StaffButton
from bot.core.outbox import Outgoing
from bot.core.people import Person
from bot.core.staff import Reply
from handlers.telegram.context import Context, answer_query, services
from handlers.telegram.notifier import markup

log = logging.getLogger(__name__)


async def on_staff_button(update: Update, context: Context, button: StaffButton) -> None:
    """A button on an alert or a staff prompt; checked server-side on every press."""
    query = update.callback_query
    assert query is not None
    chat_id = query.message.chat.id if query.message else query.from_user.id
    reply = await services(context).staff.press(Person.on_telegram(query.from_user.id), button,
                                                chat=str(chat_id), update_id=update.update_id)
    if reply.duplicate:
        return
    await answer_query(query, reply.toast)
    await send_reply(context, query.from_user.id if reply.ask_reply else chat_id, reply)


async def on_decline(update: Update, context: Context, button: DeclineButton) -> None:
    """The signaler's "Ik wil geen vragen meer" under a relayed question."""
    query = update.callback_query
    assert query is not None
    text = await services(context).staff.decline_questions(
        Person.on_telegram(query.from_user.id), button.question_id)
    await answer_query(query, text)


async def open_command(update: Update, context: Context) -> None:
    """``/open``: open signals of my gemeente(n), oldest first."""
    await _list(update, context, mine=False)


async def mine_command(update: Update, context: Context) -> None:
    """``/mijn``: the open signals I own."""
    await _list(update, context, mine=True)


async def signal_command(update: Update, context: Context) -> None:
    """``/signaal SP-…``: one signal with its history."""
    assert update.effective_user is not None and update.effective_chat is not None
    if not context.args:
        reply: Reply | None = Reply(text=messages.SIGNAAL_USAGE)
    else:
        reply = await services(context).staff.show(
            Person.on_telegram(update.effective_user.id), context.args[0],
            chat=str(update.effective_chat.id))
    await send_reply(context, update.effective_chat.id, reply or Reply(text=messages.NO_ACCESS))


async def my_signals_command(update: Update, context: Context) -> None:
    """``/mijnsignalen``: the signaler's own signals and their plain status."""
    assert update.effective_user is not None and update.effective_message is not None
    text = await services(context).staff.my_signals(Person.on_telegram(update.effective_user.id))
    await update.effective_message.reply_text(text)


async def _list(update: Update, context: Context, *, mine: bool) -> None:
    assert update.effective_user is not None and update.effective_chat is not None
    reply = await services(context).staff.list_signals(
        Person.on_telegram(update.effective_user.id), mine=mine,
        chat=str(update.effective_chat.id))
    await send_reply(context, update.effective_chat.id, reply or Reply(text=messages.NO_ACCESS))


async def send_reply(context: Context, chat_id: int, reply: Reply) -> None:
    """Show a staff ``Reply`` as a message (a pop-up ``toast`` is answered by the caller).

    A reply with personal data was queued (and recorded): it goes out at once, ahead of bulk.
    """
    if reply.outbox_id is not None:
        await services(context).dispatcher.deliver_now(reply.outbox_id)
    if not reply.text:
        return
    keyboard = (ForceReply(selective=True) if reply.ask_reply
                else markup(Outgoing(chat_id, reply.text, reply.buttons)))
    await context.bot.send_message(chat_id, reply.text, reply_markup=keyboard)


async def forget_message(context: Context, message: Message) -> None:
    """Delete a person's message in their chat with the bot (a note kept elsewhere).

    Telegram allows it for 48 hours; a refusal leaves the message, which is theirs anyway.
    """
    try:
        await message.delete()
    except TelegramError as error:
        log.info("a typed note could not be deleted from its chat: %s", error.message)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the staff commands (their buttons: ``handlers.telegram.buttons``)."""
    chats = filters.ChatType.PRIVATE | filters.ChatType.GROUPS
    application.add_handlers([
        CommandHandler("open", open_command, filters=chats),
        CommandHandler("mijn", mine_command, filters=chats),
        CommandHandler("signaal", signal_command, filters=chats),
        CommandHandler("mijnsignalen", my_signals_command, filters=filters.ChatType.PRIVATE),
    ])
