"""Telegram handlers for admins (``/admin``) and for invitation links (``/start inv_…``).

Every button is checked again by ``bot.core.admin.AdminService``: a gemeente admin can only touch
their own gemeente, anyone else gets "Geen toegang".
"""

from __future__ import annotations

import html

from telegram import ChatMember, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ChatMemberHandler,
    CommandHandler,
    filters,
)

from bot.core import messages
from bot.core.admin import INVITE_PREFIX, Actor, AdminError, AdminService
from bot.core.buttons import AdminAction, AdminButton
from bot.core.people import Person
from bot.core.workflow import NoAccess, StaffRole
from handlers.telegram.context import Context, answer_query, services

Rows = list[list[InlineKeyboardButton]]


def _button(label: str, action: AdminAction, code: str,
            arg: str = "") -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(label, callback_data=AdminButton(action, code, arg).pack())]


async def admin_command(update: Update, context: Context) -> None:
    """``/admin``: the gemeenten this person may administer."""
    assert update.effective_user is not None and update.effective_message is not None
    gemeenten = await services(context).admin.manageable(
        Actor(Person.on_telegram(update.effective_user.id)))
    if not gemeenten:
        await update.effective_message.reply_text(messages.NO_ACCESS)
        return
    rows = [_button(f"{g.name} ({g.code})", AdminAction.PANEL, g.code) for g in gemeenten[:50]]
    await update.effective_message.reply_text(messages.ADMIN_PICK,
                                              reply_markup=InlineKeyboardMarkup(rows))


async def on_admin_button(update: Update, context: Context, button: AdminButton) -> None:
    """An admin menu button; checked again by ``AdminService``."""
    query = update.callback_query
    assert query is not None
    actor = Actor(Person.on_telegram(query.from_user.id))
    admin = services(context).admin
    try:
        text, rows = await _act(context, admin, actor, button)
    except NoAccess:
        await answer_query(query, messages.NO_ACCESS)
        return
    except AdminError as error:
        await answer_query(query, str(error)[:190], show_alert=True)
        return
    await answer_query(query)
    await context.bot.send_message(query.message.chat.id if query.message else query.from_user.id,
                                   text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def _act(context: Context, admin: AdminService, actor: Actor,
               button: AdminButton) -> tuple[str, Rows]:
    action, code, arg = button
    if action is AdminAction.PANEL:
        return await _panel(admin, actor, code)
    if action is AdminAction.STAFF:
        staff = await admin.list_staff(actor, code)
        lines = [f"{html.escape(m.name)} — {messages.STAFF_ROLE_LABELS[m.role]}"
                 for m in staff] or [messages.ADMIN_NO_STAFF]
        rows = [_button(f"❌ {m.name}", AdminAction.REMOVE_STAFF, code, str(m.id))
                for m in staff]
        return "\n".join(lines), rows
    if action is AdminAction.REMOVE_STAFF and arg.isdigit():
        member = next((m for m in await admin.list_staff(actor, code) if m.id == int(arg)), None)
        if member is None:
            raise AdminError(f"no staff member {arg} of {code}")
        removal = await admin.remove_staff(actor, code, member.person)
        text = messages.ADMIN_REMOVED
        if removal.team_groups:
            text += "\n\n" + messages.ADMIN_REMOVED_GROUPS.format(
                groups=", ".join(map(str, removal.team_groups)))
        return text, []
    if action is AdminAction.INVITE:
        invitation = await admin.invite(actor, code, arg, context.bot.username)
        role = messages.STAFF_ROLE_LABELS[invitation.role]
        return messages.ADMIN_INVITE.format(role=html.escape(role),
                                            link=html.escape(invitation.link)), []
    if action is AdminAction.SET_ACTIVE and arg in ("0", "1"):
        await admin.set_active(actor, code, arg == "1")
        return await _panel(admin, actor, code)
    raise NoAccess(action)


async def _panel(admin: AdminService, actor: Actor, code: str) -> tuple[str, Rows]:
    staff = await admin.list_staff(actor, code)  # also checks the actor's rights
    gemeente = next(g for g in await admin.manageable(actor) if g.code == code)
    text = messages.ADMIN_PANEL.format(
        name=html.escape(gemeente.name), code=code,
        state=messages.ADMIN_ON if gemeente.active else messages.ADMIN_OFF, staff=len(staff))
    if unerased := await admin.unerased(actor, code):
        text += messages.ADMIN_UNERASED.format(count=len(unerased), copies="\n".join(
            messages.ADMIN_UNERASED_LINE.format(reference=html.escape(reference), chat=chat)
            for reference, chat in unerased[:20]))
    rows = [
        _button(messages.ADMIN_BTN_STAFF, AdminAction.STAFF, code),
        _button(messages.ADMIN_BTN_INVITE_REGISSEUR, AdminAction.INVITE, code, StaffRole.REGISSEUR),
        _button(messages.ADMIN_BTN_INVITE_TEAM, AdminAction.INVITE, code, StaffRole.TEAM),
        _button(messages.ADMIN_BTN_INVITE_COORDINATOR, AdminAction.INVITE, code,
                StaffRole.COORDINATOR),
        _button(messages.ADMIN_BTN_OFF if gemeente.active else messages.ADMIN_BTN_ON,
                AdminAction.SET_ACTIVE, code, "0" if gemeente.active else "1"),
    ]
    return text, rows


async def redeem_invite(update: Update, context: Context, payload: str) -> None:
    """``/start inv_<token>``: join a gemeente's team, once."""
    assert update.effective_user is not None and update.effective_message is not None
    user = update.effective_user
    staff = await services(context).admin.redeem(payload.removeprefix(INVITE_PREFIX),
                                                 Person.on_telegram(user.id), user.full_name)
    if staff is None:
        await update.effective_message.reply_text(messages.INVITE_INVALID)
        return
    await update.effective_message.reply_text(messages.INVITE_WELCOME.format(
        role=html.escape(messages.STAFF_ROLE_LABELS[staff.role]),
        gemeente=html.escape(staff.gemeente_code)))


async def on_membership(update: Update, context: Context) -> None:
    """The bot was added to a group (again), or removed from it: alerts follow."""
    change = update.my_chat_member
    assert change is not None
    member = change.new_chat_member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR)
    await services(context).admin.reachable(change.chat.id, reachable=member)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """``/admin`` (buttons: ``handlers.telegram.buttons``) and the bot's membership of groups."""
    application.add_handlers([
        CommandHandler("admin", admin_command, filters=filters.ChatType.PRIVATE),
        ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER),
    ])
