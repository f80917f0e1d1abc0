"""``/kaart``: a regisseur keeps the gemeente's sociale kaart in the chat.

``/kaart [code]`` lists the activities, a page at a time, each with a button to take it off
(after a confirmation). ``/kaart [code]`` with CSV lines below it, or a CSV file (the code in
its caption when they keep more than one kaart), adds or updates activities, all or nothing,
with the same problems per line as ``signaalbot kaart import``. Who may: the
gemeente's regisseurs and the global admins (``AdminService.manageable``), checked at every
press.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.core import messages
from bot.core.admin import Actor
from bot.core.buttons import KaartAction, KaartButton
from bot.core.kaart_csv import CsvProblems, parse, parse_text, shown
from bot.core.people import Person
from bot.core.sociale_kaart import TAGS, Activity, activity_key
from handlers.telegram import intake
from handlers.telegram.context import Context, answer_query, services

if TYPE_CHECKING:
    from storage.models import Gemeente

PAGE = 8  # activities per page (their remove buttons fit easily)
PROBLEMS_SHOWN = 15  # a chat message holds 4096 characters
FILE_MAX = 1_000_000  # bytes: a kaart of 2000 activities is far smaller


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
    head, _, body = (message.text or "").partition("\n")
    gemeente = await _which(message, context, user.id, head.split()[1:],
                            pick=not body.strip())
    if gemeente is None:
        return
    if body.strip():
        await _save(message, context, gemeente, lambda: parse_text(body))
        return
    text, rows = await _page(context, gemeente, 0)
    await message.reply_text(text, reply_markup=_markup(rows))


async def on_document(update: Update, context: Context) -> None:
    """A CSV file from a regisseur adds to their kaart; anyone else's document is refused."""
    message, user = update.message, update.effective_user
    assert message is not None and message.document is not None and user is not None
    if not await _gemeenten(context, user.id):
        await intake.on_other(update, context)
        return
    gemeente = await _which(message, context, user.id, (message.caption or "").split()[-1:],
                            pick=False)
    if gemeente is None:
        return
    document = message.document
    if (document.file_size or 0) > FILE_MAX:
        await message.reply_text(messages.KAART_FILE_TOO_BIG.format(max=FILE_MAX // 1000))
        return
    if not (document.file_name or "").lower().endswith((".csv", ".txt")):
        await message.reply_text(messages.KAART_NOT_CSV)
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    await _save(message, context, gemeente, lambda: parse(data))


async def _which(message: Message, context: Context, user_id: int, args: list[str], *,
                 pick: bool) -> Gemeente | None:
    """The gemeente a command or file is for: named, or the only one the person keeps.

    Otherwise they are told what to do (None): no access, name it, or pick one (``pick``).
    """
    gemeenten = await _gemeenten(context, user_id)
    named = [g for g in gemeenten if args and g.code == args[0].upper()]
    if named or (len(gemeenten) == 1 and not args):
        return (named or gemeenten)[0]
    if not gemeenten or args:
        await message.reply_text(messages.NO_ACCESS)
    elif pick:
        rows = [_button(f"{g.name} ({g.code})", KaartAction.PAGE, g.code, "0")
                for g in gemeenten[:50]]
        await message.reply_text(messages.KAART_PICK, reply_markup=InlineKeyboardMarkup(rows))
    else:
        await message.reply_text(messages.KAART_WHICH.format(code=gemeenten[0].code))
    return None


async def _save(message: Message, context: Context, gemeente: Gemeente,
                read: Callable[[], list[Activity]]) -> None:
    """Add or update what ``read`` finds, all or nothing; then the list, or every problem."""
    try:
        activities = read()
    except CsvProblems as problems:
        await message.reply_text(messages.KAART_NOT_SAVED.format(
            count=len(problems.problems),
            problems="\n".join(shown(problems.problems, PROBLEMS_SHOWN))))
        return
    saved = await services(context).kaart.save(gemeente.code, activities)
    text, rows = await _page(context, gemeente, 0)
    await message.reply_text(
        messages.KAART_SAVED.format(added=saved.added, updated=saved.updated) + "\n\n" + text,
        reply_markup=_markup(rows))


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
    await answer_query(query, intake.plain(toast) if toast else None)
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
    """``/kaart`` and CSV files in a private chat (buttons: ``handlers.telegram.buttons``)."""
    private = filters.ChatType.PRIVATE
    application.add_handlers([
        CommandHandler("kaart", kaart_command, filters=private),
        MessageHandler(private & filters.Document.ALL & ~filters.UpdateType.EDITED, on_document),
    ])
