"""Telegram handlers for signalers: turn updates into engine inputs and render the results."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re
from dataclasses import replace

from telegram import Message, Update
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import (
    Application,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.core import messages
from bot.core.admin import INVITE_PREFIX, ORG_PREFIX
from bot.core.buttons import IntakeButton
from bot.core.inputs import Input, SharedContact, Text, Unsupported
from bot.core.intake import ConversationKey
from bot.core.people import Person
from bot.core.prompts import Capabilities, Result, Status
from bot.core.questionnaire import Kind
from handlers.telegram.admin import redeem_invite
from handlers.telegram.context import Context, answer_query, services
from handlers.telegram.news import offer_markup
from handlers.telegram.render import REMOVE_KEYBOARD, edit, keyboard, send, with_notice
from handlers.telegram.staff import forget_message, send_reply

log = logging.getLogger(__name__)

CHANNEL = "telegram"
# share_contact: the "Deel mijn nummer" reply button; ordered_ids: Telegram's update ids grow.
CAPABILITIES = Capabilities(share_contact=True, ordered_ids=True)


def _key(update: Update) -> ConversationKey:
    assert update.effective_user is not None
    return ConversationKey(CHANNEL, str(update.effective_user.id), CAPABILITIES)


def plain(text: str) -> str:
    """HTML-safe text as plain text (for pop-up answers to a button)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def start(update: Update, context: Context) -> None:
    """``/start`` (also via a ``t.me/<bot>?start=<code>`` deep link)."""
    payload = context.args[0] if context.args else ""
    if payload.startswith(INVITE_PREFIX):
        await redeem_invite(update, context, payload)
        return
    organisation = payload.removeprefix(ORG_PREFIX) if payload.startswith(ORG_PREFIX) else None
    assert update.effective_user is not None  # who starts has unblocked the bot, if they had
    await services(context).admin.reachable(update.effective_user.id)
    result = await services(context).intake.start(_key(update), update_id=update.update_id,
                                                  organisation=organisation)
    await _send_result(update, context, result)


async def cancel(update: Update, context: Context) -> None:
    """``/cancel``: ask whether to stop and forget the draft."""
    result = await services(context).intake.cancel(_key(update), update_id=update.update_id)
    await _send_result(update, context, result)


async def help_command(update: Update, context: Context) -> None:
    """``/help``: explain, then show the question the person is at."""
    await _explain(update, context, messages.help_text(messages.COMMANDS))


async def privacy(update: Update, context: Context) -> None:
    """``/privacy``: what is stored, then show the question the person is at."""
    await _explain(update, context, messages.PRIVACY)


async def unknown_command(update: Update, context: Context) -> None:
    """Any other command."""
    await _explain(update, context, messages.unknown_command(messages.COMMANDS))


async def on_text(update: Update, context: Context) -> None:
    """Typed text: a staff note or question, a signaler's answer to one, or an intake answer."""
    message = update.message
    assert message is not None and message.text is not None and message.from_user is not None
    staff, person = services(context).staff, Person.on_telegram(message.from_user.id)
    if message.reply_to_message is None:  # the common case: the next answer, in one go
        result = await services(context).intake.handle_typed(
            _key(update), message.text, update_id=update.update_id)
        if result is not None:
            await _send_result(update, context, result)
            return
    staff_reply = await staff.typed(person, message.text, update_id=update.update_id)
    if staff_reply is not None:
        await send_reply(context, message.chat_id, staff_reply)
        if staff_reply.forget_typed:  # stored, and shown back in a recorded copy
            await forget_message(context, message)
        return
    # A reply, or text without a conversation in progress: an answer to a relayed question?
    replied_to = message.reply_to_message.message_id if message.reply_to_message else None
    thanks = await staff.answer(person, message.text, reply_to_message_id=replied_to,
                                update_id=update.update_id)
    if thanks is not None:
        if thanks:
            await message.reply_text(thanks)
        return
    await _answer(update, context, Text(message.text))


async def on_contact(update: Update, context: Context) -> None:
    """A shared contact: the signaler's phone number."""
    assert update.message is not None and update.message.contact is not None
    contact = update.message.contact
    await _answer(update, context, SharedContact(contact.phone_number, contact.first_name or ""))


async def on_other(update: Update, context: Context) -> None:
    """Photos, stickers, voice, locations, documents...: not taken, not stored."""
    assert update.message is not None
    kind = next((a for a in ("photo", "sticker", "voice", "location", "document", "video")
                 if getattr(update.message, a, None)), "other")
    await _answer(update, context, Unsupported(kind))


async def on_edited(update: Update, context: Context) -> None:
    """An edited message: say it cannot be used; nothing changes."""
    assert update.edited_message is not None
    await update.edited_message.reply_text(messages.EDITED_MESSAGE)


async def on_button(update: Update, context: Context, button: IntakeButton) -> None:
    """A pressed answer button (decoded by ``handlers.telegram.buttons``)."""
    query = update.callback_query
    assert query is not None
    result = await services(context).intake.handle(_key(update), button.input,
                                                   token=button.token,
                                                   update_id=update.update_id)
    message = query.message if isinstance(query.message, Message) else None
    if message is None or message.chat_id != query.from_user.id:  # not their own chat
        await answer_query(query, plain(result.notice or ""))
        return
    if result.status in (Status.STALE, Status.DUPLICATE):
        # The person may never have seen the reply to an earlier press (it was lost, or
        # the bot restarted): that message shows where the conversation stands now.
        toast = plain(result.notice or "") if result.status is Status.STALE else None
        if result.prompt is None and not result.notice:
            await answer_query(query, toast)
            return
        shown = replace(result, notice=None) if result.prompt is not None else result
        await asyncio.gather(answer_query(query, toast), _show(context, message, shown))
        return
    if result.status is Status.INVALID:
        await answer_query(query, plain(result.notice or ""), show_alert=True)
        return
    # The answer (which stops the button's spinner) and the new question travel together.
    await asyncio.gather(answer_query(query), _show(context, message, result))


async def _show(context: Context, message: Message, result: Result) -> None:
    """The result of a button press, in the message that carried the button."""
    token, chat_id, message_id = result.draft.token, message.chat_id, message.message_id
    if result.status is Status.UPDATED and result.prompt is not None:
        await edit(context.bot, chat_id, message_id, None, keyboard(result.prompt, token))
        return
    acked = f"<i>✔ {result.ack}</i>\n\n" if result.ack else ""
    if result.prompt is None:  # submitted or ended: one message, the news offer's buttons on it
        markup = offer_markup(result)
        offer = f"\n\n{result.news_offer}" if markup else ""
        await edit(context.bot, chat_id, message_id, acked + _closing(result) + offer, markup)
    elif result.prompt.request_contact:  # a reply keyboard needs a message of its own
        await edit(context.bot, chat_id, message_id, acked.strip() or messages.RECEIVED, None)
        await send(context.bot, chat_id, result.prompt.text, keyboard(result.prompt, token))
    else:
        text = acked + with_notice(result.notice, result.prompt.text)
        await edit(context.bot, chat_id, message_id, text, keyboard(result.prompt, token))


def _closing(result: Result) -> str:
    """A finished conversation's notice (a filed report's thanks), what the person can do next."""
    return "\n\n".join(part for part in (result.notice, result.after) if part)


async def _answer(update: Update, context: Context, given: Input) -> None:
    result = await services(context).intake.handle(_key(update), given,
                                                   update_id=update.update_id)
    await _send_result(update, context, result)


async def _send_result(update: Update, context: Context, result: Result) -> None:
    assert update.effective_chat is not None
    chat_id, engine = update.effective_chat.id, services(context).engine
    if result.status is Status.DUPLICATE and result.prompt is None and not result.notice:
        return  # delivered again with no conversation to show
    if result.prompt is None:  # the offer's buttons cannot share a message that hides a keyboard
        await send(context.bot, chat_id, _closing(result), REMOVE_KEYBOARD)
        if result.news_offer and (markup := offer_markup(result)):
            await send(context.bot, chat_id, result.news_offer, markup)
        return
    answered = engine.walking(result.draft).questionnaire.get(result.answered or "")
    if answered is not None and answered.kind is Kind.PHONE:
        await send(context.bot, chat_id, f"<i>✔ {result.ack}</i>", REMOVE_KEYBOARD)
    text = with_notice(result.notice, result.prompt.text)
    await send(context.bot, chat_id, text, keyboard(result.prompt, result.draft.token))


async def _explain(update: Update, context: Context, text: str) -> None:
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    await send(context.bot, chat_id, text)
    current = await services(context).intake.current(_key(update))
    if current is not None and current.prompt is not None:
        await send(context.bot, chat_id, with_notice(messages.CONTINUE_HINT, current.prompt.text),
                   keyboard(current.prompt, current.draft.token))


async def on_error(update: object, context: Context) -> None:
    """Log an error (without message content) and tell the person to try again.

    Telegram out of reach is no bug: one warning. What the person did is stored or not;
    when they press or type again they are shown where they are.
    """
    error = context.error
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        log.warning("Telegram could not be reached while answering an update: %s",
                    error.message)
        return
    log.error("unhandled error in a handler", exc_info=error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None and chat.type == "private":
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(chat.id, messages.TRY_AGAIN)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the signaler handlers, in order: the first match wins."""
    private = filters.ChatType.PRIVATE
    application.add_handlers([
        MessageHandler(private & filters.UpdateType.EDITED, on_edited),
        CommandHandler("start", start, filters=private),
        CommandHandler(["cancel", "stop"], cancel, filters=private),
        CommandHandler("help", help_command, filters=private),
        CommandHandler("privacy", privacy, filters=private),
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(private & filters.CONTACT, on_contact),
        MessageHandler(private & filters.TEXT, on_text),
        MessageHandler(private & filters.UpdateType.MESSAGE, on_other),
    ])
    application.add_error_handler(on_error)
