"""``/kaart``: a regisseur keeps the gemeente's sociale kaart in the chat.

``/kaart [code]`` lists the activities, a page at a time, each with a button to take it off
(after a confirmation). ``/kaart [code]`` with CSV lines below it adds or updates activities,
all or nothing, with the same problems per line as ``signaalbot kaart import``. Who may: the
gemeente's regisseurs and the global admins (``AdminService.manageable``), checked at every
press.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, filters

from bot.core import messages
from bot.core.admin import Actor
from bot.core.buttons import KaartAction, KaartButton
from bot.core.kaart_csv import CsvProblems, parse_text, shown
from bot.core.people import Person
from bot.core.sociale_kaart import TAGS, Activity, activity_key
from handlers.telegram.context import Context, answer_query, services
from handlers.telegram.intake import plain

if TYPE_CHECKING:
    from storage.models import Gemeente

PAGE = 8  # activities per page (their remove buttons fit easily)
PROBLEMS_SHOWN = 15  # a chat message holds 4096 characters


def _button(label: str, action: KaartAction, code: str, arg: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(label, callback_data=KaartButton(action, code, arg).pack())]


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    return InlineKeyboardMarkup(rows) if rows else None


async def _gemeenten(context: Context, user_id: int) -> list[Gemeente]:
    return await services(context).admin.manageable(Actor(Person.on_telegram(user_id)))


async def kaart_command(update: Update, context: Context) -> None:
    """``/kaart [code]``, perhaps with CSV lines below it."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    gemeenten = await _gemeenten(context, user.id)
    head, _, body = (message.text or "").partition("\n")
    args = head.split()[1:]
    if not gemeenten or (args and not any(g.code == args[0].upper() for g in gemeenten)):
        await message.reply_text(messages.NO_ACCESS)
        return
    if args:
        gemeente = next(g for g in gemeenten if g.code == args[0].upper())
    elif len(gemeenten) == 1:
        gemeente = gemeenten[0]
    elif body.strip():
        await message.reply_text(messages.KAART_WHICH.format(code=gemeenten[0].code))
        return
    else:
        rows = [_button(f"{g.name} ({g.code})", KaartAction.PAGE, g.code, "0")
                for g in gemeenten[:50]]
        await message.reply_text(messages.KAART_PICK, reply_markup=InlineKeyboardMarkup(rows))
        return
    notice = ""
    if body.strip():
        try:
            activities = parse_text(body)
        except CsvProblems as problems:
            await message.reply_text(messages.KAART_NOT_SAVED.format(
                count=len(problems.problems),
                problems="\n".join(shown(problems.problems, PROBLEMS_SHOWN))))
            return
        saved = await services(context).kaart.save(gemeente.code, activities)
        notice = messages.KAART_SAVED.format(added=saved.added, updated=saved.updated) + "\n\n"
    text, rows = await _page(context, gemeente, 0)
    await message.reply_text(notice + text, reply_markup=_markup(rows))


async def on_kaart_button(update: Update, context: Context, button: KaartButton) -> None:
    """A button of the list: another page, or taking an activity off (asked first)."""
    query = update.callback_query
    assert query is not None
    action, code, arg = button
    gemeente = next((g for g in await _gemeenten(context, query.from_user.id)
                     if g.code == code), None)
    if gemeente is None:
        await answer_query(query, messages.NO_ACCESS)
        return
    kaart = services(context).kaart
    page = int(arg) if action is KaartAction.PAGE and arg.isdigit() else 0
    activity = next((a for a in await kaart.activities(code) if activity_key(a.name) == arg),
                    None)
    toast: str | None = None
    if action is KaartAction.ASK_REMOVE and activity is not None:
        await answer_query(query)
        await query.edit_message_text(
            messages.KAART_CONFIRM.format(name=html.escape(activity.name)),
            reply_markup=InlineKeyboardMarkup([
                _button(messages.KAART_BTN_REMOVE_YES, KaartAction.REMOVE, code, arg),
                _button(messages.KAART_BTN_BACK, KaartAction.PAGE, code, "0")]))
        return
    if action is KaartAction.REMOVE and activity is not None:
        await kaart.remove(code, activity.name)
        toast = messages.KAART_REMOVED.format(name=html.escape(activity.name))
    elif action is not KaartAction.PAGE:
        toast = messages.KAART_GONE
    text, rows = await _page(context, gemeente, page)
    await answer_query(query, plain(toast) if toast else None)
    await query.edit_message_text(text, reply_markup=_markup(rows))


async def _page(context: Context, gemeente: Gemeente, page: int
                ) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """One page of the list, its remove buttons, paging, and how to add."""
    activities = await services(context).kaart.activities(gemeente.code)
    pages = max(1, -(-len(activities) // PAGE))
    page = min(page, pages - 1)
    shown_here = activities[page * PAGE:(page + 1) * PAGE]
    lines = [messages.KAART_TITLE.format(name=html.escape(gemeente.name),
                                         count=len(activities))]
    if pages > 1:
        lines.append(messages.KAART_PAGE.format(page=page + 1, pages=pages))
    lines += [_line(page * PAGE + number, activity)
              for number, activity in enumerate(shown_here, 1)] or [messages.KAART_EMPTY]
    lines.append("\n" + messages.KAART_HOW.format(code=gemeente.code, pc4=_sample_pc4(
        activities), tags=", ".join(TAGS)))
    rows = [_button(messages.KAART_BTN_REMOVE.format(name=activity.name[:40]),
                    KaartAction.ASK_REMOVE, gemeente.code, activity_key(activity.name))
            for activity in shown_here]
    paging = [*(_button(messages.KAART_BTN_PREVIOUS, KaartAction.PAGE, gemeente.code,
                        str(page - 1)) if page > 0 else []),
              *(_button(messages.KAART_BTN_NEXT, KaartAction.PAGE, gemeente.code,
                        str(page + 1)) if page < pages - 1 else [])]
    return "\n".join(lines), [*rows, *([paging] if paging else [])]


def _line(number: int, activity: Activity) -> str:
    area = str(activity.pc4) if activity.pc4 is not None else messages.KAART_WHOLE
    tags = ", ".join(tag for tag in TAGS if tag in activity.tags)
    return messages.KAART_LINE.format(number=number, name=html.escape(activity.name),
                                      area=area, tags=tags)


def _sample_pc4(activities: list[Activity]) -> str:
    return next((str(a.pc4) for a in activities if a.pc4 is not None), "")


def register(application: Application) -> None:  # type: ignore[type-arg]
    """``/kaart`` in a private chat (its buttons: ``handlers.telegram.buttons``)."""
    application.add_handler(
        CommandHandler("kaart", kaart_command, filters=filters.ChatType.PRIVATE))
