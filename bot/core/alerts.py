"""Every copy of a signal's personal data in a staff chat: who gets it, and erasing it again.

Alerts, assigned cards, Details and ``/signaal`` replies, relayed answers and the
confirmations that show a note or a question leave through the outbox, which records each copy
(chat and message id) once it is sent. A copy goes only to a chat that may see the signal: a
team group of its gemeente, or the private chat of active staff there
(``GemeenteRepository.may_see``), checked when it is queued and again just before it is sent
(``bot.core.outbox``). When the data must go (retention, ``/vergeetmij``, a staff member removed),
every copy concerned is blanked in its chat, or deleted where the channel will not edit it.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING

from bot.core import messages
from bot.core.cards import card, card_buttons
from bot.core.clock import utcnow
from bot.core.engine import Engine
from bot.core.language import in_gemeente_language
from bot.core.outbox import REPLY_LEASE, DeliveryError, Failure, OutboxKind
from bot.core.people import TELEGRAM, Address, Person
from bot.core.texts import text_for
from bot.core.workflow import KAART_ACTIONS, EventAction, State, handles

if TYPE_CHECKING:
    from storage.models import Outbox, Signal
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

STAFF_COPIES = frozenset({OutboxKind.ALERT, OutboxKind.ASSIGNED, OutboxKind.ANSWER,
                          OutboxKind.REPLY})


class Alerts:
    """Queues, re-routes, refreshes and erases the copies of signals in staff chats."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @in_gemeente_language
    async def card(self, uow: UnitOfWork, signal: Signal) -> str:
        """The alert text of a signal as it stands now."""
        gemeente = await uow.gemeenten.get(code=signal.gemeente_code)
        owner = await uow.staff.get(staff_id=signal.owner_id) if signal.owner_id else None
        kaart_events = [event for event, _ in await uow.events.list_for(signal_id=signal.id)
                        if event.action in (EventAction.SUGGEST, EventAction.LINK)
                        ] if signal.kind in KAART_ACTIONS else []
        return card(self.engine.flow(signal.questionnaire), signal,
                    gemeente_name=gemeente.name if gemeente else "",
                    owner_name=owner.name if owner else None,
                    footer=await text_for(uow, signal.gemeente_code, "alert_footer"),
                    kaart_events=kaart_events)

    async def file(self, uow: UnitOfWork, signal: Signal) -> None:
        """Queue the alerts of a new report to every chat of its gemeente that may see it.

        For a signal or self-report those are its Telegram alert chats, and the own chat of
        its staff on other channels (which have no team groups) who handle it. A volunteer
        sign-up goes to the own chats of those who handle it (``workflow.HANDLED_BY``): the
        volunteer coordinators and the regisseurs, not the team groups.
        """
        if signal.kind == "vrijwilliger":
            members = [m for m in await uow.staff.list_team(gemeente_code=signal.gemeente_code)
                       if handles(m.role, signal.kind)]
            chats = [int(m.external_id) for m in members if m.channel == TELEGRAM]
            elsewhere = [m for m in members if m.channel != TELEGRAM]
        else:
            chats = await uow.gemeenten.list_alert_chats(code=signal.gemeente_code)
            if not chats:  # every alert chat blocked the bot: make sure someone hears of it
                chats = await self._allowed_fallback(uow, signal)
            elsewhere = [m for m in await uow.staff.list_elsewhere(
                gemeente_code=signal.gemeente_code, channel=TELEGRAM)
                if handles(m.role, signal.kind)]
        if chats or elsewhere:
            text, buttons = await self.card(uow, signal), card_buttons(signal)
            await uow.outbox.add_to_chats(chats, kind=OutboxKind.ALERT, text=text,
                                          buttons=buttons, signal_id=signal.id,
                                          addresses=[m.person.address for m in elsewhere])
        else:
            await self._nobody(uow, signal)

    async def refresh(self, uow: UnitOfWork, signal: Signal) -> None:
        """Make every live alert of the signal show where it stands now.

        Each gets an edit; one still on its way goes out as it is now (and the edit, which
        waits for it, then changes nothing, unless it was already being sent).
        """
        text, buttons = await self.card(uow, signal), card_buttons(signal)
        for alert in await uow.outbox.live_alerts(signal_id=signal.id):
            if alert.sent_at is None:
                await uow.outbox.rewrite(alert, text=text, buttons=buttons)
            await uow.outbox.add(channel=alert.channel, chat_id=alert.chat_id,
                                 address=alert.address, kind=OutboxKind.ALERT_EDIT, text=text,
                                 buttons=buttons, edit_of=alert.id, signal_id=signal.id)

    async def reply(self, uow: UnitOfWork, *, to: Address, text: str, signal_id: int,
                    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()) -> int:
        """A reply with personal data, recorded like every copy; returns its outbox id.

        The handler sends it at once (``Dispatcher.deliver_now``); if that fails or the
        process dies, the dispatcher sends it after ``REPLY_LEASE``.
        """
        row = await uow.outbox.add(**to.outbox_columns(), kind=OutboxKind.REPLY, text=text,
                                   buttons=buttons, signal_id=signal_id,
                                   due=utcnow() + REPLY_LEASE)
        return row.id

    async def erase(self, uow: UnitOfWork, signal: Signal, *, stub: str,
                    kinds: frozenset[str] = STAFF_COPIES) -> None:
        """Blank every copy of the signal of these kinds in its chat (unsent ones never go).

        With the alerts go their edits still on the way (to a channel another process serves,
        say): they would show the data again.
        """
        now = utcnow()
        for row in await uow.outbox.list_copies(kinds=kinds, signal_id=signal.id):
            await uow.outbox.erase(row, stub=stub, now=now)
        if OutboxKind.ALERT in kinds:
            await uow.outbox.drop_unsent(kinds=(OutboxKind.ALERT_EDIT,), signal_id=signal.id,
                                         now=now)

    async def reroute(self, uow: UnitOfWork, row: Outbox, error: DeliveryError) -> None:
        """A message could not go: follow a group's new id, or let someone else hear.

        A Telegram chat that cannot be reached is blocked for a while. An alert of an open
        signal (to any staff chat, on any channel) goes to the gemeente's other chats that may
        see it and have no live alert of it yet; when none has one, the backup contacts get a
        notice without personal data.
        """
        now = utcnow()
        if row.chat_id is None and row.address is None:  # a signaler: no one else to tell
            return
        if row.chat_id is not None:  # a Telegram chat: a group's new id, a blocked chat
            if error.failure is Failure.MIGRATED and error.new_chat_id is not None:
                await self._follow_migration(uow, row.chat_id, error.new_chat_id)
                return
            if error.failure is Failure.BLOCKED and not row.edit_of:
                await uow.blocks.block(chat_id=row.chat_id, now=now)
        signal = await uow.signals.get(signal_id=row.signal_id) if row.signal_id else None
        if signal is None or signal.status is State.CLOSED or signal.erased_at is not None:
            return
        if row.kind == OutboxKind.ALERT:
            chats = [c for c in await self._allowed_fallback(uow, signal) if c != row.chat_id
                     ] if signal.kind != "vrijwilliger" else []  # not for the team groups
            text, buttons = await self.card(uow, signal), card_buttons(signal)
            for chat in chats:
                await uow.outbox.add_alert(chat_id=chat, text=text, signal_id=signal.id,
                                           buttons=buttons)
            if not await uow.outbox.live_alerts(signal_id=signal.id):
                await self._nobody(uow, signal)
            log.warning("an alert of signal %d could not be delivered; re-routed", signal.id)
        elif row.kind == OutboxKind.REMINDER:
            had = {other.chat_id for other in await uow.outbox.list_for_signal(
                signal_id=signal.id, kinds=(OutboxKind.REMINDER,)) if other.failed_at is None}
            for chat in await uow.gemeenten.list_fallback_chats(code=signal.gemeente_code):
                if chat != row.chat_id and chat not in had:
                    await uow.outbox.add(chat_id=chat, kind=OutboxKind.REMINDER, text=row.text,
                                         buttons=row.buttons, signal_id=signal.id)

    async def _allowed_fallback(self, uow: UnitOfWork, signal: Signal) -> list[int]:
        """The gemeente's fallback chats that may see its signals."""
        code = signal.gemeente_code
        return [chat for chat in await uow.gemeenten.list_fallback_chats(code=code)
                if await uow.gemeenten.may_see(code=code, chat_id=chat)]

    async def _nobody(self, uow: UnitOfWork, signal: Signal) -> None:
        """No chat that may see the signal can be reached: tell the backup contacts, once."""
        if await uow.outbox.list_for_signal(signal_id=signal.id, kinds=(OutboxKind.NOTICE,)):
            return
        gemeente = await uow.gemeenten.get(code=signal.gemeente_code)
        backups = gemeente.backup_chat_ids if gemeente else []
        text = messages.ALERT_UNDELIVERABLE.format(
            reference=signal.reference, gemeente=html.escape(gemeente.name if gemeente else ""))
        await uow.outbox.add_to_chats(backups, kind=OutboxKind.NOTICE, text=text,
                                      signal_id=signal.id)
        log.warning("signal %d reaches no staff chat; %d backup contact(s) told", signal.id,
                    len(backups))

    async def _follow_migration(self, uow: UnitOfWork, old: int, new: int) -> None:
        """A group became a supergroup: same team, new id; its open alerts are sent anew."""
        await uow.gemeenten.move_chat(old=old, new=new)
        await uow.outbox.move_chat(old=old, new=new)
        await uow.blocks.unblock(chat_id=old)
        for alert in await uow.outbox.list_copies(kinds=(OutboxKind.ALERT,), chat_id=old):
            await uow.outbox.mark_failed(outbox_id=alert.id, error="group became a supergroup",
                                         permanent=True)
            signal = await uow.signals.get(signal_id=alert.signal_id or 0)
            if signal is not None and signal.status is not State.CLOSED and not signal.erased_at:
                await uow.outbox.add_alert(chat_id=new, text=await self.card(uow, signal),
                                           signal_id=signal.id, buttons=card_buttons(signal))
        log.info("a team group became a supergroup; its alerts follow it")


async def revoke(uow: UnitOfWork, *, person: Person, gemeente_code: str) -> list[int]:
    """A staff member lost access: blank their copies of this gemeente's signals.

    Messages on their way to their private chat never go. Returns the gemeente's team groups,
    which they may still be a member of (Telegram's membership is not the bot's).
    """
    gemeente = await uow.gemeenten.get(code=gemeente_code)
    stub = messages.COPY_REVOKED.format(
        gemeente=html.escape(gemeente.name if gemeente else gemeente_code))
    now = utcnow()
    chat = person.address.outbox_columns()
    for row in await uow.outbox.list_copies(kinds=STAFF_COPIES, gemeente_code=gemeente_code,
                                            **chat):
        await uow.outbox.erase(row, stub=stub, now=now)
    return await uow.gemeenten.team_groups(code=gemeente_code)
