"""What every staff action shares: who may act and where data may show; lists and views.

A staff member is a ``Person`` (channel, external id); they act in a chat on their channel:
their own, or on Telegram a team group of their gemeente.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core import messages, staff_commands
from bot.core.alerts import Alerts
from bot.core.buttons import StaffAction
from bot.core.cards import card_buttons, history, list_line, staff_button
from bot.core.clock import utcnow
from bot.core.outbox import Buttons
from bot.core.people import TELEGRAM, Address, Person
from bot.core.signaler_side import SignalerSide
from bot.core.workflow import (
    OWNER_OR_REGISSEUR,
    REGISSEUR_ONLY,
    STATE_LABELS,
    Action,
    EventAction,
    NoAccess,
    StaffRole,
    handles,
)

if TYPE_CHECKING:
    from storage.models import Signal, Staff
    from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Reply:
    """What the acting person sees: a pop-up ``toast`` and/or a message with buttons."""

    text: str = ""
    buttons: Buttons = ()
    toast: str = ""
    ask_reply: bool = False  # the message asks for a typed reply (a note or a question)
    duplicate: bool = False  # a redelivered update that took effect before: show nothing
    outbox_id: int | None = None  # a reply with personal data, queued: deliver it now
    forget_typed: bool = False  # the typed note or question is stored: delete it in the chat


class StaffLists(SignalerSide):
    """``/open``, ``/mijn``, ``/signaal``, and the checks every staff action makes."""

    def __init__(self, uow: Callable[[], UnitOfWork], alerts: Alerts, *,
                 question_ttl: timedelta, on_commit: Callable[[], None] = lambda: None) -> None:
        super().__init__(uow, on_commit=on_commit)
        self.alerts = alerts
        self._question_ttl = question_ttl

    async def list_signals(self, person: Person, *, mine: bool, chat: str | None = None
                           ) -> Reply | None:
        """``/open`` and ``/mijn`` in ``chat``; None when the person is not staff anywhere.

        In a team group only that group's gemeente(n); elsewhere but the private chat, nothing.
        """
        async with self._uow() as uow:
            memberships = await uow.staff.list_memberships(person=person)
            if not memberships:
                return None
            here = Press(person, chat or person.external_id)
            shown = [m for m in memberships if await self._may_show(uow, m.gemeente_code, here)]
            if not shown:
                return Reply(text=messages.ONLY_HERE)
            now, lines, buttons = utcnow(), [], []
            for member in shown:
                signals = (await uow.signals.list_owned(staff_id=member.id) if mine
                           else await uow.signals.list_open(gemeente_code=member.gemeente_code))
                names = await uow.staff.names(gemeente_code=member.gemeente_code)
                signals = [s for s in signals if handles(member.role, s.kind)]
                for signal in signals[:50]:
                    lines.append(list_line(signal, now, names.get(signal.owner_id or 0)))
                    buttons.append((staff_button(signal.reference or "", StaffAction.DETAILS,
                                                 signal.id),))
        if not lines:
            return Reply(text=messages.MINE_NONE if mine else messages.OPEN_NONE)
        return Reply(text="\n".join(lines), buttons=tuple(buttons[:20]))

    async def show(self, person: Person, reference: str, *, chat: str | None = None
                   ) -> Reply | None:
        """``/signaal SP-…`` in ``chat``: one signal with its history.

        None when the person is not staff anywhere.
        """
        here = Press(person, chat or person.external_id)
        async with self._uow() as uow:
            if not await uow.staff.list_memberships(person=person):
                return None
            stored = staff_commands.reference(reference)
            signal = await uow.signals.get_by_reference(reference=stored) if stored else None
            try:
                if signal is None:
                    raise NoAccess
                staff = await self._authorize(uow, person, signal, None)
            except NoAccess:
                return Reply(text=messages.NOT_FOUND)
            if not await self._may_show(uow, signal.gemeente_code, here):
                return Reply(text=messages.ONLY_HERE)
            reply = await self.view(uow, signal, staff, chat=here.address)
            await uow.commit()
            return reply

    async def view(self, uow: UnitOfWork, signal: Signal, viewer: Staff, *,
                   chat: Address) -> Reply:
        """The full card with history and the buttons that fit now; the view is audited."""
        await uow.events.add(signal_id=signal.id, action=EventAction.VIEW, actor_id=viewer.id)
        text = await self.alerts.card(uow, signal) + "\n\n" + history(
            await uow.events.list_for(signal_id=signal.id))
        return await self._recorded(uow, chat, signal, text, card_buttons(signal))

    # -- shared steps

    @staticmethod
    async def _may_show(uow: UnitOfWork, gemeente_code: str, here: Press) -> bool:
        """Whether personal data of this gemeente may be shown where the person acts.

        Their own chat, or a Telegram team group of the gemeente.
        """
        return here.chat == here.person.external_id or (
            here.person.channel == TELEGRAM and await uow.gemeenten.may_see(
                code=gemeente_code, chat_id=int(here.chat)))

    async def _recorded(self, uow: UnitOfWork, chat: Address, signal: Signal, text: str,
                        buttons: Buttons = ()) -> Reply:
        """A reply with personal data: queued and recorded like every copy."""
        outbox_id = await self.alerts.reply(uow, to=chat, text=text, buttons=buttons,
                                            signal_id=signal.id)
        return Reply(outbox_id=outbox_id)

    @staticmethod
    async def _not_now(uow: UnitOfWork, signal: Signal) -> str:
        """The refusal of an action that no longer fits the signal's state, as it is now."""
        await uow.signals.refresh(signal)
        return messages.NOT_NOW.format(reference=signal.reference,
                                       state=STATE_LABELS[signal.status].lower())

    async def _authorize(self, uow: UnitOfWork, person: Person, signal: Signal,
                         action: Action | None) -> Staff:
        """The person's active staff record of the signal's gemeente, with a role for it.

        The role must handle the report's kind (``workflow.HANDLED_BY``).
        """
        staff = await uow.staff.get_active(person=person, gemeente_code=signal.gemeente_code)
        if staff is None or not handles(staff.role, signal.kind):
            raise NoAccess
        if staff.role is not StaffRole.REGISSEUR and (
                action in REGISSEUR_ONLY
                or (action in OWNER_OR_REGISSEUR and signal.owner_id != staff.id)):
            raise NoAccess
        return staff


@dataclass(frozen=True)
class Press:
    """Who acts, and in which chat on their channel (their own, or a group)."""

    person: Person
    chat: str

    @property
    def address(self) -> Address:
        """The chat, on the person's channel."""
        return Address(self.person.channel, self.chat)
