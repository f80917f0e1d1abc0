"""News on Telegram: the offer after filing, ``/nieuws``, and a regisseur's ``/nieuwsbericht``.

``/nieuws`` shows the gemeenten whose news the person gets (each with "Afmelden"), or offers
one (their latest report's gemeente, else a list); ``/nieuws uit`` stops all of it.
``/nieuwsbericht [code] text``: the gemeente's regisseurs and the global admins
(``AdminService.manageable``, checked again at the press) see the text exactly as subscribers
will, then send it or not. The previewed text waits in the user's in-memory data under a token
the button carries: after a restart it is composed again.
"""

from __future__ import annotations

import html
import secrets

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CommandHandler, filters

from bot.core import messages
from bot.core.admin import Actor
from bot.core.buttons import NewsAction, NewsButton
from bot.core.news import NewsError, offer_buttons, unsubscribe_buttons
from bot.core.people import Person
from bot.core.prompts import Result
from bot.core.questionnaire import GEMEENTE
from handlers.telegram.context import Context, answer_query, services
from handlers.telegram.render import Markup

DRAFTS = "news_drafts"  # user_data key: token -> (gemeente code, text)


def _markup(rows: tuple[tuple[tuple[str, str], ...], ...]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in rows])


def offer_markup(result: Result) -> Markup | None:
    """The Ja/Nee buttons under the offer of news after filing; None when there is no offer."""
    code = result.draft.answers.get(GEMEENTE)
    if not (result.news_offer and code):
        return None
    return {"inline_keyboard": [[{"text": label, "callback_data": data} for label, data in row]
                                for row in offer_buttons(code)]}


async def news_command(update: Update, context: Context) -> None:
    """``/nieuws [postcode]``: what the person gets, or an offer; ``/nieuws uit``: no more."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    person, news = Person.on_telegram(user.id), services(context).news
    if context.args and context.args[0].lower() == messages.NEWS_WORD_OFF:
        await message.reply_text(await news.unsubscribe(person))
        return
    subscribed, offered = await news.choices(person)
    typed = await news.by_postcode(" ".join(context.args)) if context.args else None
    if typed is not None:  # /nieuws 4531: the Signaalpunt(en) of that postcode
        subscribed, offered = [], typed
    if typed == []:
        await message.reply_text(messages.NEWS_NO_POSTCODE)
    elif subscribed:
        names = ", ".join(g.name for g in subscribed)
        await message.reply_text(
            messages.NEWS_CURRENT.format(gemeenten=html.escape(names)),
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton(
                messages.NEWS_BTN_LEAVE + (f": {g.name}" if len(subscribed) > 1 else ""),
                callback_data=NewsButton(NewsAction.LEAVE, g.code).pack())]
                for g in subscribed]))
    elif len(offered) == 1:
        (gemeente,) = offered
        await message.reply_text(
            messages.NEWS_OFFER.format(gemeente=html.escape(gemeente.name)),
            reply_markup=_markup(offer_buttons(gemeente.code)))
    elif offered:
        await message.reply_text(messages.NEWS_PICK, reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton(messages.NEWS_BTN_PICK.format(gemeente=g.name),
                                   callback_data=NewsButton(NewsAction.JOIN, g.code).pack())]
             for g in offered]))
    else:
        await message.reply_text(messages.NEWS_NONE)


async def compose_command(update: Update, context: Context) -> None:
    """``/nieuwsbericht [code] text``: the preview, with "Versturen aan N abonnees"."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    gemeenten = await services(context).admin.manageable(Actor(Person.on_telegram(user.id)))
    if not gemeenten:
        await message.reply_text(messages.NO_ACCESS)
        return
    parts = (message.text or "").split(maxsplit=1)
    text = parts[1] if len(parts) > 1 else ""
    first = text.split(maxsplit=1)
    named = [g for g in gemeenten if first and g.code == first[0].upper()]
    if named:
        text = first[1] if len(first) > 1 else ""
    elif len(gemeenten) > 1 and text.strip():
        await message.reply_text(messages.NEWS_WHICH.format(code=gemeenten[0].code))
        return
    if not text.strip():
        await message.reply_text(messages.NEWS_COMPOSE_HOW.format(code=gemeenten[0].code))
        return
    gemeente = (named or gemeenten)[0]
    try:
        preview = await services(context).news.preview(gemeente.code, text)
    except NewsError as error:
        await message.reply_text(str(error))
        return
    token = secrets.token_hex(4)
    drafts = context.user_data.setdefault(DRAFTS, {}) if context.user_data is not None else {}
    drafts.clear()  # only the latest preview can be sent
    drafts[token] = (gemeente.code, text)
    await message.reply_text(messages.NEWS_PREVIEW.format(count=preview.subscribers))
    await message.reply_text(preview.text, reply_markup=InlineKeyboardMarkup([
        [InlineKeyboardButton(label, callback_data=data)
         for label, data in unsubscribe_buttons(gemeente.code)[0]],
        [InlineKeyboardButton(messages.NEWS_BTN_SEND.format(count=preview.subscribers),
                              callback_data=NewsButton(NewsAction.SEND, gemeente.code,
                                                       token).pack())],
        [InlineKeyboardButton(messages.NEWS_BTN_DISCARD, callback_data=NewsButton(
            NewsAction.DISCARD, gemeente.code, token).pack())]]))


async def on_news_button(update: Update, context: Context, button: NewsButton) -> None:
    """Ja/Nee to an offer, "Afmelden", or a regisseur's "Versturen"/"Annuleren"."""
    query = update.callback_query
    assert query is not None
    person, news = Person.on_telegram(query.from_user.id), services(context).news
    action, code, token = button
    if action is NewsAction.JOIN:
        reply = await news.subscribe(person, code)
    elif action is NewsAction.DECLINE:
        reply = messages.NEWS_DECLINED
    elif action is NewsAction.LEAVE:
        reply = await news.unsubscribe(person, code)
    else:
        await _compose_button(update, context, button)
        return
    await answer_query(query, html.unescape(reply))
    message = query.message if isinstance(query.message, Message) else None
    if action is not NewsAction.LEAVE:
        # The offer's message keeps what it said (after filing: the thanks), the answer below.
        if message is not None and message.text:
            await query.edit_message_text(f"{message.text_html}\n\n{reply}")
        else:  # too old to be shown: the answer on its own
            await context.bot.send_message(query.from_user.id, reply)
    elif message is not None and message.reply_markup is not None:
        # The news stays readable; only the button pressed goes (a preview keeps "Versturen").
        rows = [[button for button in row if button.callback_data != query.data]
                for row in message.reply_markup.inline_keyboard]
        await query.edit_message_reply_markup(
            InlineKeyboardMarkup([row for row in rows if row]) if any(rows) else None)


async def _compose_button(update: Update, context: Context, button: NewsButton) -> None:
    query = update.callback_query
    assert query is not None
    action, code, token = button
    drafts = (context.user_data or {}).get(DRAFTS, {})
    allowed = any(g.code == code for g in await services(context).admin.manageable(
        Actor(Person.on_telegram(query.from_user.id))))
    draft = drafts.pop(token, None) if allowed else None
    if draft is None or draft[0] != code:
        await answer_query(query, html.unescape(
            messages.NO_ACCESS if not allowed else messages.NEWS_EXPIRED), show_alert=True)
        return
    if action is NewsAction.DISCARD:
        reply = messages.NEWS_DISCARDED
    else:
        try:
            count = await services(context).news.send(code, draft[1])
        except NewsError as error:
            reply = str(error)
        else:
            reply = messages.NEWS_SENT.format(count=count)
    await answer_query(query)
    await query.edit_message_reply_markup(None)
    assert query.message is not None
    await context.bot.send_message(query.message.chat.id, reply)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """``/nieuws`` and ``/nieuwsbericht`` in a private chat (buttons: ``.buttons``)."""
    private = filters.ChatType.PRIVATE
    application.add_handlers([
        CommandHandler("nieuws", news_command, filters=private),
        CommandHandler("nieuwsbericht", compose_command, filters=private),
    ])
