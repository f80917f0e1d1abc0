"""Retention and the signaler's right to be forgotten.

After a signal is closed, its personal fields are erased once the gemeente's
``retention_days`` have passed: address, description, the signaler's contact details, the
link to the signaler, staff notes and relayed questions and answers, and every copy of them
in a chat (``bot.core.alerts``). What remains is an anonymous record for monitoring (gemeente,
role, signs, timings, outcome). Signalers without signals left are deleted. News sent to a
person keeps their chat ``NEWS_COPIES_KEPT`` (to take a message back), then forgets it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.core import messages
from bot.core.alerts import STAFF_COPIES, Alerts
from bot.core.clock import utcnow
from bot.core.news import NEWS_COPIES_KEPT
from bot.core.outbox import SIGNALER_KINDS, OutboxKind
from bot.core.questionnaire import ABOUT_THE_WRITER, Marker, Questionnaire
from bot.core.workflow import EventAction

if TYPE_CHECKING:
    from storage.models import Signal
    from storage.uow import UnitOfWork

# History entries whose detail holds free text typed by people.
TEXT_EVENTS = frozenset({EventAction.NOTE, EventAction.QUESTION, EventAction.ANSWER})


@dataclass
class PurgeReport:
    """What a retention run erased (or, in a dry run, would erase).

    ``unerased`` lists copies that the channel would neither blank nor delete (Telegram keeps
    them): ``(reference, chat, reason)``; a signaler's chat is never named, only "melder".
    """

    signals: list[str] = field(default_factory=list)
    dry_run: bool = False
    unerased: list[tuple[str, str, str]] = field(default_factory=list)


class Privacy:
    """Erasing personal data on time, and on request."""

    def __init__(self, uow: Callable[[], UnitOfWork], alerts: Alerts, *,
                 on_commit: Callable[[], None] = lambda: None) -> None:
        """``on_commit`` is called after a change queued messages (blanking copies).

        The personal fields are those of every questionnaire of ``alerts``' engine.
        """
        self._uow = uow
        self._alerts = alerts
        self._on_commit = on_commit
        engine = alerts.engine
        self._personal = frozenset(
            q.id for questionnaire in (engine.questionnaire, *engine.flows.values())
            for q in questionnaire.questions if q.personal)

    async def purge(self, now: datetime | None = None, *, dry_run: bool = False) -> PurgeReport:
        """Erase the personal fields of closed signals past their gemeente's retention."""
        now = now or utcnow()
        report = PurgeReport(dry_run=dry_run)
        async with self._uow() as uow:
            for signal in await uow.signals.list_closed_unerased():
                gemeente = await uow.gemeenten.get(code=signal.gemeente_code)
                days = gemeente.retention_days if gemeente else 30.0
                assert signal.closed_at is not None
                if signal.closed_at + timedelta(days=days) > now:
                    continue
                report.signals.append(signal.reference or str(signal.id))
                if not dry_run:
                    await self._erase(uow, signal, now)
            if report.signals and not dry_run:
                await uow.signalers.delete_without_signals()
            if not dry_run:
                await uow.news.forget_old_copies(before=now - NEWS_COPIES_KEPT)
                await uow.commit()
            report.unerased = [(reference or "?", str(row.chat_id or messages.SIGNALER_CHAT),
                                row.last_error or "")
                               for row, reference, _ in await uow.outbox.failed_erasures()]
        if report.signals and not dry_run:
            self._on_commit()
        return report

    async def _erase(self, uow: UnitOfWork, signal: Signal, now: datetime) -> None:
        answers = signal.answers or {}
        signal.answers = {k: v for k, v in answers.items() if k not in self._personal}
        signal.signaler_id = None
        signal.erased_at = now
        await uow.events.erase_text(signal_id=signal.id, actions=TEXT_EVENTS)
        await uow.questions.erase_for_signal(signal_id=signal.id)
        reference = signal.reference or ""
        await self._alerts.erase(uow, signal, stub=messages.ALERT_ERASED.format(
            reference=reference))
        await self._alerts.erase(uow, signal, kinds=frozenset({OutboxKind.QUESTION}),
                                 stub=messages.QUESTION_ERASED.format(reference=reference))
        for row in await uow.outbox.list_for_signal(signal_id=signal.id, kinds=SIGNALER_KINDS):
            if row.failed_at is not None:  # never delivered: nothing to erase in a chat
                await uow.outbox.delete(row)

    @staticmethod
    def _without_contact(questionnaire: Questionnaire, answers: dict[str, Any]
                         ) -> dict[str, Any]:
        """The answers without the consent to contact and what was asked only because of it."""
        consent = questionnaire.marked(Marker.CONSENT).id
        kept = {k: v for k, v in answers.items() if k != consent}

        def because_of_consent(question_id: str) -> bool:
            question = questionnaire.get(question_id)
            return (question is not None and question.applies(answers)
                    and not question.applies(kept))

        return {k: v for k, v in kept.items() if not because_of_consent(k)}

    async def forget_signaler(self, channel: str, external_id: str) -> int:
        """``/vergeetmij``: drop the person's contact details and link from their signals.

        The signals themselves stay, so the follow-up can go on; their alerts are edited to
        show them without the contact details, and other copies that showed them are blanked.
        A report about the person who wrote it (a self-report, a volunteer sign-up) loses all
        its personal fields, as on retention, and every copy of it is blanked.
        Messages to the person (queued, or kept to be erased later) go too, and so do their
        news opt-ins: nothing stored identifies them any more. Returns how many signals were
        touched.
        """
        async with self._uow() as uow:
            signaler = await uow.signalers.get(channel=channel, external_id=external_id)
            draft = await uow.drafts.get(channel=channel, external_id=external_id)
            if draft is not None:
                await uow.drafts.delete(draft)
            await uow.news.end(channel=channel, external_id=external_id)
            await uow.news.forget_copies(channel=channel, external_id=external_id)
            if signaler is None:
                await uow.commit()
                return 0
            now = utcnow()
            for question in await uow.questions.list_open_for_signaler(signaler_id=signaler.id):
                await uow.questions.close(question_id=question.id, result="forgotten", now=now)
            signals = await uow.signals.list_by_signaler(signaler_id=signaler.id, limit=None)
            for signal in signals:
                if signal.kind not in ABOUT_THE_WRITER:
                    questionnaire = self._alerts.engine.flow(signal.questionnaire).questionnaire
                    signal.answers = self._without_contact(questionnaire, signal.answers or {})
                elif signal.erased_at is None:  # about the writer: all of it, everywhere
                    await self._erase(uow, signal, now)
                signal.signaler_id = None
                signal.status_token_hash = None  # a web signaler's status link
                await uow.events.add(signal_id=signal.id, action=EventAction.FORGOTTEN, at=now)
                await uow.outbox.delete_for_signal(signal_id=signal.id, kinds=SIGNALER_KINDS)
                if signal.erased_at is None:
                    await self._alerts.refresh(uow, signal)
                    await self._alerts.erase(
                        uow, signal, kinds=STAFF_COPIES - {OutboxKind.ALERT},
                        stub=messages.COPY_OUTDATED.format(reference=signal.reference))
            await uow.signalers.delete(signaler)
            await uow.commit()
        self._on_commit()
        return len(signals)
