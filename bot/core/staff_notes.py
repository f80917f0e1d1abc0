"""Notes and questions relayed to the signaler: asked for by a button, or typed in one go.

A note is recorded in the signal's history. A question goes to the signaler in their own
chat, on their channel (one the bot can reach later: not the console), and their answer
comes back to the staff member who asked (``SignalerSide.answer``).
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core import messages
from bot.core.buttons import DeclineButton
from bot.core.clock import utcnow
from bot.core.language import use_language
from bot.core.outbox import OutboxKind
from bot.core.people import SIGNAL, TELEGRAM, Person
from bot.core.signaler_side import MAX_NOTE
from bot.core.staff_lists import Press, Reply, StaffLists
from bot.core.workflow import Action, EventAction, NoAccess, TransitionNotAllowed, transition

if TYPE_CHECKING:
    from storage.models import Signal, Staff
    from storage.uow import UnitOfWork

# Channels where the bot can write to a signaler later and read a reply to that message.
QUESTION_CHANNELS = frozenset({TELEGRAM, SIGNAL})


class StaffNotes(StaffLists):
    """Notes and relayed questions: the prompts for them, and the typed text that fulfils them."""

    async def typed(self, person: Person, text: str, *, update_id: int | None = None
                    ) -> Reply | None:
        """Fulfil a pending note or question; None when nothing was pending."""
        async with self._uow() as uow:
            pending = next((m for m in await uow.staff.list_memberships(person=person)
                            if m.pending), None)
            if pending is None:
                return None
            if not await self._first_delivery(uow, person, update_id):
                return Reply(duplicate=True)
            text = text.strip()
            refusal = too_long(text)
            if refusal is not None:
                return refusal
            task, pending.pending = pending.pending or {}, None
            signal = await uow.signals.get(signal_id=int(task["signal_id"]))
            write = self._question if task.get("kind") == "question" else self._note
            try:
                if signal is None:
                    raise NoAccess
                reply = await write(uow, Press(person, person.external_id), signal, text)
            except NoAccess:
                reply = Reply(text=messages.NO_ACCESS)
            except TransitionNotAllowed:
                assert signal is not None
                reply = Reply(text=await self._not_now(uow, signal))
            await uow.commit()
        self._on_commit()
        return reply

    # -- button handlers (``StaffService``): ask for the text

    async def _note_prompt(self, uow: UnitOfWork, who: Press, signal: Signal, _: str) -> Reply:
        staff = await self._authorize(uow, who.person, signal, None)
        if signal.erased_at is not None:
            return Reply(text=messages.ERASED_NO_TEXT.format(reference=signal.reference))
        staff.pending = {"kind": "note", "signal_id": signal.id}
        return Reply(text=messages.ASK_NOTE.format(reference=signal.reference), ask_reply=True)

    async def _ask_prompt(self, uow: UnitOfWork, who: Press, signal: Signal, _: str) -> Reply:
        staff = await self._authorize(uow, who.person, signal, Action.ASK)
        transition(signal.status, Action.ASK)
        problem = await self._unreachable(uow, signal)
        if problem:
            return Reply(toast=problem)
        staff.pending = {"kind": "question", "signal_id": signal.id}
        return Reply(text=messages.ASK_QUESTION.format(reference=signal.reference), ask_reply=True)

    # -- the same shape, with the text: a typed reply to a prompt, or a command in one go

    async def _note(self, uow: UnitOfWork, who: Press, signal: Signal, text: str) -> Reply:
        staff = await self._authorize(uow, who.person, signal, None)
        if signal.erased_at is not None:
            return Reply(text=messages.ERASED_NO_TEXT.format(reference=signal.reference))
        await uow.events.add(signal_id=signal.id, action=EventAction.NOTE, actor_id=staff.id,
                             detail={"text": text})
        return _stored(await self._recorded(uow, who.person.address, signal,
                                            messages.NOTE_SAVED.format(
                                                reference=signal.reference,
                                                note=html.escape(text))))

    async def _question(self, uow: UnitOfWork, who: Press, signal: Signal, text: str) -> Reply:
        staff = await self._authorize(uow, who.person, signal, Action.ASK)
        if signal.erased_at is not None:
            return Reply(text=messages.ERASED_NO_TEXT.format(reference=signal.reference))
        transition(signal.status, Action.ASK)
        return _stored(await self._relay_question(uow, signal, staff, text))

    async def _relay_question(self, uow: UnitOfWork, signal: Signal, staff: Staff,
                              text: str) -> Reply:
        problem = await self._unreachable(uow, signal)
        if problem:
            return Reply(text=problem)
        signaler = await uow.signalers.get_by_id(signaler_id=signal.signaler_id or 0)
        assert signaler is not None
        now = utcnow()
        question = await uow.questions.add(
            signal_id=signal.id, asker_id=staff.id, text=text, asked_at=now,
            expires_at=now + self._question_ttl)
        with use_language(signaler.language):
            row = await uow.outbox.add(
                channel=signaler.channel, recipient=signaler.external_id,
                kind=OutboxKind.QUESTION, signal_id=signal.id,
                text=messages.RELAYED_QUESTION.format(reference=signal.reference,
                                                      question=html.escape(text)),
                buttons=(((messages.BTN_DECLINE_QUESTIONS, DeclineButton(question.id).pack()),),))
        question.outbox_id = row.id
        await uow.events.add(signal_id=signal.id, action=EventAction.QUESTION, actor_id=staff.id,
                             detail={"text": text})
        return await self._recorded(uow, staff.person.address, signal,
                                    messages.QUESTION_SENT.format(
                                        reference=signal.reference, question=html.escape(text)))

    async def _unreachable(self, uow: UnitOfWork, signal: Signal) -> str | None:
        signaler = await uow.signalers.get_by_id(signaler_id=signal.signaler_id or 0)
        if signaler is None or signaler.channel not in QUESTION_CHANNELS:
            return messages.NO_SIGNALER.format(reference=signal.reference)
        if signaler.declines_questions:
            return messages.SIGNALER_DECLINES.format(reference=signal.reference)
        return None


def too_long(text: str) -> Reply | None:
    """The refusal of a note or question longer than ``MAX_NOTE``; None when it fits."""
    if len(text) <= MAX_NOTE:
        return None
    return Reply(text=messages.TEXT_TOO_LONG_STAFF.format(length=len(text), limit=MAX_NOTE))


def _stored(reply: Reply) -> Reply:
    """Stored, and shown back in a recorded copy: the typed message itself can go."""
    return replace(reply, forget_typed=reply.outbox_id is not None)
