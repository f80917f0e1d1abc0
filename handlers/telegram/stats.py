"""``/stats``: monitoring figures for regisseurs and global admins (a short text and one chart).

A global admin (``admins`` in the config) gets the national figures (all gemeenten together);
a regisseur gets one text and one chart per gemeente they are regisseur of. Someone who is
both gets the national figures first, then those of their own gemeente(n). Anyone else gets
"Geen toegang.". ``/stats 12`` shows the last 12 weeks (default 6). The
chart is drawn in a worker thread so the bot keeps answering others meanwhile.
"""

from __future__ import annotations

import asyncio
import html

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.core import messages
from bot.core.admin import Actor
from bot.core.monitoring import Figures, compute
from bot.core.people import Person
from bot.core.periods import Period
from bot.core.workflow import StaffRole
from bot.reporting import charts
from bot.reporting.report import telegram_text
from handlers.telegram.context import Context, services

DEFAULT_WEEKS = 6
MAX_WEEKS = 104


def parse_weeks(args: list[str] | None) -> int | None:
    """The number of weeks asked for (default 6), or None when the argument is not one."""
    if not args:
        return DEFAULT_WEEKS
    if len(args) == 1 and args[0].isdigit() and 1 <= int(args[0]) <= MAX_WEEKS:
        return int(args[0])
    return None


async def stats_command(update: Update, context: Context) -> None:
    """``/stats [weeks]``: figures and a chart, national for a global admin, and per gemeente.

    National first (global admins), then each gemeente I am regisseur of.
    """
    assert update.effective_user is not None and update.effective_chat is not None
    chat_id = update.effective_chat.id
    weeks = parse_weeks(context.args)
    results: list[Figures] = []
    person = Person.on_telegram(update.effective_user.id)
    national = services(context).admin.is_global(Actor(person))
    async with services(context).reading_uow() as uow:
        codes: list[str | None] = [None] if national else []
        codes += [member.gemeente_code for member in
                  await uow.staff.list_memberships(person=person)
                  if member.role is StaffRole.REGISSEUR]
        if codes and weeks is not None:
            period = Period.last_weeks(weeks)
            results = [await compute(uow.monitoring, gemeente_code=code, period=period)
                       for code in codes]
    if not codes:
        await context.bot.send_message(chat_id, messages.NO_ACCESS)
        return
    if weeks is None:
        await context.bot.send_message(chat_id, messages.STATS_USAGE)
        return
    for figures in results:
        image = await asyncio.to_thread(charts.overview, figures)
        await context.bot.send_message(chat_id, telegram_text(figures))
        caption = messages.STATS_CAPTION.format(scope=html.escape(figures.scope),
                                                period=html.escape(figures.period.label))
        await context.bot.send_photo(chat_id, image, filename="signalen.png", caption=caption)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the ``/stats`` command (private chats and staff groups)."""
    application.add_handler(CommandHandler(
        "stats", stats_command, filters=filters.ChatType.PRIVATE | filters.ChatType.GROUPS))
