"""Due-time work: escalate unclaimed signals, remind silent owners, expire relayed questions.

Due times live in the database (``signals.due_at``, ``relayed_questions.expires_at``), so
a restart loses nothing; the bot's job queue calls ``run_due`` every minute.

Escalation counts plain hours, not working hours: signals also arrive at weekends and on
holidays, and a plain clock is predictable for everyone. A signal still unclaimed after the
gemeente's ``escalation_hours`` reminds the regisseur(s); after the same period again, the
gemeente's backup contacts. A claimed signal without any status for ``silent_days``
reminds its owner, and again after each further period.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core import messages
from bot.core.cards import card_buttons
from bot.core.clock import utcnow
from bot.core.outbox import OutboxKind
from bot.core.people import TELEGRAM, Address
from bot.core.workflow import EventAction, StaffRole, State

if TYPE_CHECKING:
    from storage.models import Signal
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

PROCESSED_UPDATES_KEPT = timedelta(days=2)  # Telegram keeps unconfirmed updates for a day


@dataclass
class DueReport:
    """What one run did."""

    escalated: int = 0
    reminded: int = 0
    questions_expired: int = 0
    drafts_purged: int = 0


class FollowUp:
    """Runs what is due; safe to run from several processes at once.

    Each change is conditional on what was read (a signal's state and due time): one wins.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], *,
                 on_commit: Callable[[], None] = lambda: None) -> None:
        self._uow = uow
        self._on_commit = on_commit

    async def run_due(self, now: datetime | None = None) -> DueReport:
        """Do everything that is due at ``now`` (default: the current time)."""
        now = now or utcnow()
        report = DueReport()
        async with self._uow() as uow:
            for signal in await uow.signals.list_due(now=now):
                if signal.status is State.NEW:
                    report.escalated += await self._escalate(uow, signal, now)
                else:
                    report.reminded += await self._remind_owner(uow, signal, now)
            for question in await uow.questions.list_expired(now=now):
                if await uow.questions.close(question_id=question.id, result="expired", now=now):
                    await uow.events.add(signal_id=question.signal_id, action=EventAction.NO_ANSWER,
                                         at=now)
                    report.questions_expired += 1
            report.drafts_purged = await uow.drafts.purge_expired(now=now)
            await uow.updates.purge(before=now - PROCESSED_UPDATES_KEPT)
            await uow.commit()
        if report.escalated or report.reminded:
            self._on_commit()
            log.info("follow-up: %s", report)
        return report

    async def _escalate(self, uow: UnitOfWork, signal: Signal, now: datetime) -> int:
        gemeente = await uow.gemeenten.get(code=signal.gemeente_code)
        assert gemeente is not None
        level = signal.escalation_level + 1
        hours = round((now - signal.created_at).total_seconds() / 3600)
        blocked = await uow.blocks.blocked(now=now)
        elsewhere: list[Address] = []  # staff on other channels, in their own chat
        if level == 1:
            team = await uow.staff.list_team(gemeente_code=signal.gemeente_code)
            regisseurs = [m.person.address for m in team if m.role is StaffRole.REGISSEUR]
            chats = [int(a.chat) for a in regisseurs
                     if a.channel == TELEGRAM and int(a.chat) not in blocked]
            elsewhere = [a for a in regisseurs if a.channel != TELEGRAM]
            text = messages.REMINDER_UNCLAIMED.format(reference=signal.reference, hours=hours)
            next_due: datetime | None = now + timedelta(hours=gemeente.escalation_hours)
        else:
            chats = [c for c in gemeente.backup_chat_ids if c not in blocked]
            text = messages.REMINDER_ESCALATED.format(reference=signal.reference, hours=hours,
                                                      gemeente=html.escape(gemeente.name))
            next_due = None
        if not chats and not elsewhere:
            chats = await uow.gemeenten.list_fallback_chats(code=signal.gemeente_code, now=now)
        if not await uow.signals.change_state(signal_id=signal.id, expected=State.NEW,
                                              was_due=signal.due_at,
                                              escalation_level=level, due_at=next_due):
            return 0
        await _remind(uow, chats, elsewhere, signal, text)
        await uow.events.add(signal_id=signal.id, action=EventAction.ESCALATE, at=now,
                             detail={"level": level})
        return 1

    async def _remind_owner(self, uow: UnitOfWork, signal: Signal, now: datetime) -> int:
        gemeente = await uow.gemeenten.get(code=signal.gemeente_code)
        owner = await uow.staff.get(staff_id=signal.owner_id) if signal.owner_id else None
        assert gemeente is not None
        if not await uow.signals.change_state(
                signal_id=signal.id, expected=signal.status, was_due=signal.due_at,
                due_at=now + timedelta(days=gemeente.silent_days)):
            return 0
        days = max(1, (now - signal.last_activity_at).days)
        chats: list[int] = []
        elsewhere: list[Address] = []
        if owner is not None and owner.active and owner.channel != TELEGRAM:
            elsewhere.append(owner.person.address)
        elif owner is not None and owner.active and int(owner.external_id) not in (
                await uow.blocks.blocked(now=now)):
            chats.append(int(owner.external_id))
        else:
            chats = await uow.gemeenten.list_fallback_chats(code=signal.gemeente_code, now=now)
        await _remind(uow, chats, elsewhere, signal,
                      messages.REMINDER_SILENT.format(reference=signal.reference, days=days))
        await uow.events.add(signal_id=signal.id, action=EventAction.REMINDER, at=now)
        return 1


async def _remind(uow: UnitOfWork, chats: list[int], elsewhere: list[Address], signal: Signal,
                  text: str) -> None:
    """Queue a reminder to Telegram chats and to staff chats on other channels."""
    await uow.outbox.add_to_chats(chats, kind=OutboxKind.REMINDER, text=text,
                                  buttons=card_buttons(signal), signal_id=signal.id,
                                  addresses=elsewhere)
