"""The signaler's side of the follow-up: relayed questions answered or declined, their list."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.core import messages
from bot.core.clock import utcnow
from bot.core.outbox import OutboxKind
from bot.core.people import Person
from bot.core.workflow import EventAction

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

MAX_NOTE = 1000


class SignalerSide:
    """What a signaler does with the questions staff relay, and their own list."""

    def __init__(self, uow: Callable[[], UnitOfWork], *,
                 on_commit: Callable[[], None] = lambda: None) -> None:
        self._uow = uow
        self._on_commit = on_commit

    async def answer(self, signaler: Person, text: str, *, reply_to_message_id: int | None,
                     update_id: int | None = None) -> str | None:
        """A signaler's answer to an open question; None when they have none open.

        The question replied to (``reply_to_message_id``: the id the channel gave the message,
        on Signal its timestamp), else their newest open one.
        """
        async with self._uow() as uow:
            known = await uow.signalers.get(channel=signaler.channel,
                                            external_id=signaler.external_id)
            if known is None:
                return None
            question = await uow.questions.get_open_for_signaler(
                signaler_id=known.id, outbox_message_id=reply_to_message_id)
            if question is None:
                return None
            if not await self._first_delivery(uow, signaler, update_id):
                return ""
            text = text.strip()[:MAX_NOTE]
            await uow.questions.close(question_id=question.id, result="answered", now=utcnow())
            await uow.events.add(signal_id=question.signal_id, action=EventAction.ANSWER,
                                 detail={"text": text})
            signal = await uow.signals.get(signal_id=question.signal_id)
            asker = await uow.staff.get(staff_id=question.asker_id or 0)
            if signal is not None and asker is not None:
                await uow.outbox.add(
                    **asker.person.address.outbox_columns(), kind=OutboxKind.ANSWER,
                    signal_id=signal.id,
                    text=messages.ANSWER_TO_STAFF.format(reference=signal.reference,
                                                         answer=html.escape(text)))
            await uow.commit()
        self._on_commit()
        return messages.ANSWER_THANKS

    @staticmethod
    async def _first_delivery(uow: UnitOfWork, person: Person, update_id: int | None) -> bool:
        """Record the update; False when it was delivered before (it took effect then)."""
        return update_id is None or await uow.updates.record(channel=person.channel,
                                                             update_id=update_id)

    async def decline_questions(self, signaler: Person, question_id: int | None) -> str:
        """The signaler wants no more questions: close theirs and refuse new ones.

        ``question_id``: the question whose button was pressed (it must be theirs); None for
        a typed command.
        """
        async with self._uow() as uow:
            known = await uow.signalers.get(channel=signaler.channel,
                                            external_id=signaler.external_id)
            if question_id is None:
                if known is None:
                    return messages.MY_SIGNALS_NONE
            else:
                question = await uow.questions.get(question_id=question_id)
                signal = await uow.signals.get(signal_id=question.signal_id) if question else None
                if known is None or signal is None or signal.signaler_id != known.id:
                    return messages.NO_ACCESS
            known.declines_questions = True
            for open_question in await uow.questions.list_open_for_signaler(
                    signaler_id=known.id):
                await uow.questions.close(question_id=open_question.id, result="declined",
                                          now=utcnow())
                await uow.events.add(signal_id=open_question.signal_id,
                                     action=EventAction.DECLINED)
            await uow.commit()
        return messages.QUESTIONS_DECLINED

    async def my_signals(self, signaler: Person) -> str:
        """``/mijnsignalen``: a signaler's own signals with a plain status label."""
        async with self._uow() as uow:
            known = await uow.signalers.get(channel=signaler.channel,
                                            external_id=signaler.external_id)
            signals = await uow.signals.list_by_signaler(signaler_id=known.id) if known else []
        if not signals:
            return messages.MY_SIGNALS_NONE
        lines = [messages.MY_SIGNALS_TITLE] + [
            messages.MY_SIGNALS_LINE.format(
                reference=s.reference, date=s.created_at.strftime("%d-%m-%Y"),
                label=messages.SIGNALER_STATE_LABELS[s.status]) for s in signals]
        return "\n".join(lines)
