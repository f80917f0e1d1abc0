"""The staff side: claim, assign, status, close, questions to the signaler, lists.

Every action checks, in its own transaction, who acts (active staff of the signal's
gemeente, with the right role) and that the signal's state allows it (``bot.core.workflow``).
Messages to other people (alert edits, feedback, relayed questions) go to the outbox in the
same transaction; the reply to the acting person is returned as a ``Reply``. A reply that
shows personal data is queued too (``Reply.outbox_id``), so it is recorded like every copy,
and only where the signal may be seen: the person's private chat or a team group of its
gemeente.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.core import messages
from bot.core.alerts import Alerts
from bot.core.buttons import DeclineButton, StaffAction, StaffButton
from bot.core.cards import card_buttons, choices, history, list_line, staff_button
from bot.core.clock import utcnow
from bot.core.outbox import Buttons, OutboxKind
from bot.core.texts import text_for
from bot.core.workflow import (
    FIRST_CONTACT,
    OUTCOMES,
    OWNER_OR_REGISSEUR,
    REFERRALS,
    REGISSEUR_ONLY,
    SIGNALER_LABELS,
    STATE_LABELS,
    STATUSES,
    Action,
    EventAction,
    NoAccess,
    StaffRole,
    State,
    TransitionNotAllowed,
    transition,
)

if TYPE_CHECKING:
    from storage.models import Signal, Staff
    from storage.uow import UnitOfWork

MAX_NOTE = 1000


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


class StaffService:
    """Staff actions on signals, and the signaler's side of relayed questions."""

    def __init__(self, uow: Callable[[], UnitOfWork], alerts: Alerts, *,
                 question_ttl: timedelta, on_commit: Callable[[], None] = lambda: None) -> None:
        self._uow = uow
        self.alerts = alerts
        self._question_ttl = question_ttl
        self._on_commit = on_commit

    # -- buttons

    async def press(self, telegram_id: int, button: StaffButton, *, chat_id: int,
                    update_id: int | None = None) -> Reply:
        """A staff button pressed in ``chat_id``; one that is not theirs gets "Geen toegang"."""
        handler, arg = _BUTTONS[button.action], button.arg
        async with self._uow() as uow:
            if update_id is not None and not await uow.updates.record(
                    channel="telegram", update_id=update_id):
                return Reply(duplicate=True)
            signal = await uow.signals.get(signal_id=button.signal_id)
            if signal is None:
                return Reply(toast=messages.NO_ACCESS)
            try:
                reply = await handler(self, uow, _Press(telegram_id, chat_id), signal, arg)
            except NoAccess:
                return Reply(toast=messages.NO_ACCESS)
            except TransitionNotAllowed:
                await uow.signals.refresh(signal)
                state = STATE_LABELS[signal.status].lower()
                return Reply(toast=messages.NOT_NOW.format(reference=signal.reference,
                                                           state=state))
            await uow.commit()
        self._on_commit()
        return reply

    async def _authorize(self, uow: UnitOfWork, telegram_id: int, signal: Signal,
                         action: Action | None) -> Staff:
        staff = await uow.staff.get_active(telegram_id=telegram_id,
                                           gemeente_code=signal.gemeente_code)
        if staff is None:
            raise NoAccess
        if staff.role is not StaffRole.REGISSEUR and (
                action in REGISSEUR_ONLY
                or (action in OWNER_OR_REGISSEUR and signal.owner_id != staff.id)):
            raise NoAccess
        return staff

    async def _claim(self, uow: UnitOfWork, who: _Press, signal: Signal, _: str) -> Reply:
        staff = await self._authorize(uow, who.telegram_id, signal, Action.CLAIM)
        try:
            await self._move(uow, signal, Action.CLAIM, staff, owner=staff)
        except TransitionNotAllowed:  # somebody was first, perhaps by a millisecond
            await uow.signals.refresh(signal)
            owner = await uow.staff.get(staff_id=signal.owner_id) if signal.owner_id else None
            return Reply(toast=messages.ALREADY_CLAIMED.format(
                reference=signal.reference, name=owner.name if owner else messages.SOMEONE_ELSE))
        return Reply(toast=messages.CLAIMED.format(reference=signal.reference))

    async def _assign_menu(self, uow: UnitOfWork, who: _Press, signal: Signal, _: str) -> Reply:
        await self._authorize(uow, who.telegram_id, signal, Action.ASSIGN)
        transition(signal.status, Action.ASSIGN)
        team = await uow.staff.list_team(gemeente_code=signal.gemeente_code)
        options = {str(member.id): member.name for member in team}
        return Reply(text=messages.PICK_ASSIGNEE.format(reference=signal.reference),
                     buttons=choices(StaffAction.ASSIGN_TO, signal.id, options))

    async def _assign(self, uow: UnitOfWork, who: _Press, signal: Signal, arg: str) -> Reply:
        staff = await self._authorize(uow, who.telegram_id, signal, Action.ASSIGN)
        target = await uow.staff.get(staff_id=int(arg)) if arg.isdigit() else None
        if target is None or not target.active or target.gemeente_code != signal.gemeente_code:
            raise NoAccess
        await self._move(uow, signal, Action.ASSIGN, staff, owner=target,
                         detail={"to": target.name})
        text = (messages.ASSIGNED_TO_YOU.format(name=html.escape(staff.name),
                                                reference=signal.reference)
                + "\n\n" + await self.alerts.card(uow, signal))
        await uow.outbox.add(chat_id=target.telegram_id, kind=OutboxKind.ASSIGNED, text=text,
                             buttons=card_buttons(signal), signal_id=signal.id)
        return Reply(text=messages.ASSIGNED.format(reference=signal.reference,
                                                   name=html.escape(target.name)))

    async def _status_menu(self, uow: UnitOfWork, who: _Press, signal: Signal, _: str) -> Reply:
        await self._authorize(uow, who.telegram_id, signal, Action.STATUS)
        transition(signal.status, Action.STATUS)
        return Reply(text=messages.PICK_STATUS.format(reference=signal.reference),
                     buttons=choices(StaffAction.SET_STATUS, signal.id, STATUSES))

    async def _status(self, uow: UnitOfWork, who: _Press, signal: Signal, arg: str) -> Reply:
        staff = await self._authorize(uow, who.telegram_id, signal, Action.STATUS)
        if arg not in STATUSES:
            raise NoAccess
        transition(signal.status, Action.STATUS)
        if arg == "doorverwezen":
            return Reply(text=messages.PICK_REFERRAL,
                         buttons=choices(StaffAction.SET_REFERRAL, signal.id, REFERRALS))
        return await self._record_status(uow, signal, staff, arg, None)

    async def _referral(self, uow: UnitOfWork, who: _Press, signal: Signal, arg: str) -> Reply:
        staff = await self._authorize(uow, who.telegram_id, signal, Action.STATUS)
        if arg not in REFERRALS:
            raise NoAccess
        return await self._record_status(uow, signal, staff, "doorverwezen", arg)

    async def _record_status(self, uow: UnitOfWork, signal: Signal, staff: Staff, status: str,
                             referral: str | None) -> Reply:
        values: dict[str, Any] = {}
        if status in FIRST_CONTACT and signal.first_contact_at is None:
            values["first_contact_at"] = utcnow()
        await self._move(uow, signal, Action.STATUS, staff, values=values,
                         detail={"status": status, "referral": referral})
        label = STATUSES[status] + (f" ({REFERRALS[referral]})" if referral else "")
        return Reply(text=messages.STATUS_SAVED.format(reference=signal.reference, status=label),
                     buttons=((staff_button(messages.BTN_NOTE, StaffAction.NOTE, signal.id),),))

    async def _close_menu(self, uow: UnitOfWork, who: _Press, signal: Signal, _: str) -> Reply:
        await self._authorize(uow, who.telegram_id, signal, Action.CLOSE)
        transition(signal.status, Action.CLOSE)
        return Reply(text=messages.PICK_OUTCOME.format(reference=signal.reference),
                     buttons=choices(StaffAction.CONFIRM_CLOSE, signal.id, OUTCOMES))

    async def _close_confirm(self, uow: UnitOfWork, who: _Press, signal: Signal, arg: str) -> Reply:
        await self._authorize(uow, who.telegram_id, signal, Action.CLOSE)
        if arg not in OUTCOMES:
            raise NoAccess
        transition(signal.status, Action.CLOSE)
        return Reply(text=messages.CONFIRM_CLOSE.format(reference=signal.reference,
                                                        outcome=OUTCOMES[arg]),
                     buttons=((staff_button(messages.BTN_CONFIRM_CLOSE, StaffAction.CLOSE,
                                            signal.id, arg),
                               staff_button(messages.BTN_BACK, StaffAction.CLOSE_MENU,
                                            signal.id)),))

    async def _close(self, uow: UnitOfWork, who: _Press, signal: Signal, arg: str) -> Reply:
        staff = await self._authorize(uow, who.telegram_id, signal, Action.CLOSE)
        if arg not in OUTCOMES:
            raise NoAccess
        await self._move(uow, signal, Action.CLOSE, staff, detail={"outcome": arg},
                         values={"outcome": arg, "closed_at": utcnow(), "due_at": None})
        return Reply(text=messages.CLOSED.format(reference=signal.reference,
                                                 outcome=OUTCOMES[arg]),
                     buttons=((staff_button(messages.BTN_NOTE, StaffAction.NOTE, signal.id),),))

    async def _note_prompt(self, uow: UnitOfWork, who: _Press, signal: Signal, _: str) -> Reply:
        staff = await self._authorize(uow, who.telegram_id, signal, None)
        if signal.erased_at is not None:
            return Reply(text=messages.ERASED_NO_TEXT.format(reference=signal.reference))
        staff.pending = {"kind": "note", "signal_id": signal.id}
        return Reply(text=messages.ASK_NOTE.format(reference=signal.reference), ask_reply=True)

    async def _ask_prompt(self, uow: UnitOfWork, who: _Press, signal: Signal, _: str) -> Reply:
        staff = await self._authorize(uow, who.telegram_id, signal, Action.ASK)
        transition(signal.status, Action.ASK)
        problem = await self._unreachable(uow, signal)
        if problem:
            return Reply(toast=problem)
        staff.pending = {"kind": "question", "signal_id": signal.id}
        return Reply(text=messages.ASK_QUESTION.format(reference=signal.reference), ask_reply=True)

    async def _details(self, uow: UnitOfWork, who: _Press, signal: Signal, _: str) -> Reply:
        staff = await self._authorize(uow, who.telegram_id, signal, None)
        if not await self._may_show(uow, signal.gemeente_code, who):
            return Reply(toast=messages.ONLY_HERE)
        return await self.view(uow, signal, staff, chat_id=who.chat_id)

    # -- typed text from staff (a note or a question they were asked to type)

    async def typed(self, telegram_id: int, text: str, *, update_id: int | None = None
                    ) -> Reply | None:
        """Fulfil a pending note or question; None when nothing was pending."""
        async with self._uow() as uow:
            pending = next((m for m in await uow.staff.list_memberships(telegram_id=telegram_id)
                            if m.pending), None)
            if pending is None:
                return None
            if update_id is not None and not await uow.updates.record(
                    channel="telegram", update_id=update_id):
                return Reply(duplicate=True)
            text = text.strip()
            if len(text) > MAX_NOTE:
                return Reply(text=messages.TEXT_TOO_LONG_STAFF.format(length=len(text),
                                                                      limit=MAX_NOTE))
            task, pending.pending = pending.pending or {}, None
            signal = await uow.signals.get(signal_id=int(task["signal_id"]))
            try:
                if signal is None:
                    raise NoAccess
                kind = task.get("kind")
                action = Action.ASK if kind == "question" else None
                staff = await self._authorize(uow, telegram_id, signal, action)
                if signal.erased_at is not None:
                    reply = Reply(text=messages.ERASED_NO_TEXT.format(reference=signal.reference))
                elif kind == "question":
                    reply = await self._relay_question(uow, signal, staff, text)
                else:
                    await uow.events.add(signal_id=signal.id, action=EventAction.NOTE,
                                         actor_id=staff.id, detail={"text": text})
                    reply = await self._recorded(uow, telegram_id, signal, messages.NOTE_SAVED
                                                 .format(reference=signal.reference,
                                                         note=html.escape(text)))
            except NoAccess:
                reply = Reply(text=messages.NO_ACCESS)
            # Stored, and shown back in a recorded copy: the typed message itself can go.
            reply = replace(reply, forget_typed=reply.outbox_id is not None)
            await uow.commit()
        self._on_commit()
        return reply

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
        row = await uow.outbox.add(
            recipient=signaler.external_id, kind=OutboxKind.QUESTION, signal_id=signal.id,
            text=messages.RELAYED_QUESTION.format(reference=signal.reference,
                                                  question=html.escape(text)),
            buttons=(((messages.BTN_DECLINE_QUESTIONS, DeclineButton(question.id).pack()),),))
        question.outbox_id = row.id
        await uow.events.add(signal_id=signal.id, action=EventAction.QUESTION, actor_id=staff.id,
                             detail={"text": text})
        return await self._recorded(uow, staff.telegram_id, signal, messages.QUESTION_SENT.format(
            reference=signal.reference, question=html.escape(text)))

    async def _unreachable(self, uow: UnitOfWork, signal: Signal) -> str | None:
        signaler = await uow.signalers.get_by_id(signaler_id=signal.signaler_id or 0)
        if signaler is None or signaler.channel != "telegram":
            return messages.NO_SIGNALER.format(reference=signal.reference)
        if signaler.declines_questions:
            return messages.SIGNALER_DECLINES.format(reference=signal.reference)
        return None

    # -- the signaler's side of a relayed question

    async def answer(self, signaler_telegram_id: int, text: str, *,
                     reply_to_message_id: int | None, update_id: int | None = None) -> str | None:
        """A signaler's answer to an open question; None when they have none open."""
        async with self._uow() as uow:
            signaler = await uow.signalers.get(channel="telegram",
                                               external_id=str(signaler_telegram_id))
            if signaler is None:
                return None
            question = await uow.questions.get_open_for_signaler(
                signaler_id=signaler.id, outbox_message_id=reply_to_message_id)
            if question is None:
                return None
            if update_id is not None and not await uow.updates.record(
                    channel="telegram", update_id=update_id):
                return ""
            text = text.strip()[:MAX_NOTE]
            await uow.questions.close(question_id=question.id, result="answered", now=utcnow())
            await uow.events.add(signal_id=question.signal_id, action=EventAction.ANSWER,
                                 detail={"text": text})
            signal = await uow.signals.get(signal_id=question.signal_id)
            asker = await uow.staff.get(staff_id=question.asker_id or 0)
            if signal is not None and asker is not None:
                await uow.outbox.add(
                    chat_id=asker.telegram_id, kind=OutboxKind.ANSWER, signal_id=signal.id,
                    text=messages.ANSWER_TO_STAFF.format(reference=signal.reference,
                                                         answer=html.escape(text)))
            await uow.commit()
        self._on_commit()
        return messages.ANSWER_THANKS

    async def decline_questions(self, signaler_telegram_id: int, question_id: int) -> str:
        """The signaler wants no more questions: close theirs and refuse new ones."""
        async with self._uow() as uow:
            signaler = await uow.signalers.get(channel="telegram",
                                               external_id=str(signaler_telegram_id))
            question = await uow.questions.get(question_id=question_id)
            signal = await uow.signals.get(signal_id=question.signal_id) if question else None
            if signaler is None or signal is None or signal.signaler_id != signaler.id:
                return messages.NO_ACCESS
            signaler.declines_questions = True
            for open_question in await uow.questions.list_open_for_signaler(
                    signaler_id=signaler.id):
                await uow.questions.close(question_id=open_question.id, result="declined",
                                          now=utcnow())
                await uow.events.add(signal_id=open_question.signal_id,
                                     action=EventAction.DECLINED)
            await uow.commit()
        return messages.QUESTIONS_DECLINED

    async def my_signals(self, signaler_telegram_id: int) -> str:
        """``/mijnsignalen``: a signaler's own signals with a plain status label."""
        async with self._uow() as uow:
            signaler = await uow.signalers.get(channel="telegram",
                                               external_id=str(signaler_telegram_id))
            signals = await uow.signals.list_by_signaler(
                signaler_id=signaler.id) if signaler else []
        if not signals:
            return messages.MY_SIGNALS_NONE
        lines = [messages.MY_SIGNALS_TITLE] + [
            messages.MY_SIGNALS_LINE.format(
                reference=s.reference, date=s.created_at.strftime("%d-%m-%Y"),
                label=SIGNALER_LABELS[s.status]) for s in signals]
        return "\n".join(lines)

    # -- commands

    async def list_signals(self, telegram_id: int, *, mine: bool, chat_id: int
                           ) -> Reply | None:
        """``/open`` and ``/mijn`` in ``chat_id``; None when the person is not staff anywhere.

        In a team group only that group's gemeente(n); elsewhere but the private chat, nothing.
        """
        async with self._uow() as uow:
            memberships = await uow.staff.list_memberships(telegram_id=telegram_id)
            if not memberships:
                return None
            here = _Press(telegram_id, chat_id)
            shown = [m for m in memberships if await self._may_show(uow, m.gemeente_code, here)]
            if not shown:
                return Reply(text=messages.ONLY_HERE)
            now, lines, buttons = utcnow(), [], []
            for member in shown:
                signals = (await uow.signals.list_owned(staff_id=member.id) if mine
                           else await uow.signals.list_open(gemeente_code=member.gemeente_code))
                names = await uow.staff.names(gemeente_code=member.gemeente_code)
                for signal in signals[:50]:
                    lines.append(list_line(signal, now, names.get(signal.owner_id or 0)))
                    buttons.append((staff_button(signal.reference or "", StaffAction.DETAILS,
                                                 signal.id),))
        if not lines:
            return Reply(text=messages.MINE_NONE if mine else messages.OPEN_NONE)
        return Reply(text="\n".join(lines), buttons=tuple(buttons[:20]))

    async def show(self, telegram_id: int, reference: str, *, chat_id: int) -> Reply | None:
        """``/signaal SP-…`` in ``chat_id``: one signal with its history.

        None when the person is not staff anywhere.
        """
        async with self._uow() as uow:
            if not await uow.staff.list_memberships(telegram_id=telegram_id):
                return None
            signal = await uow.signals.get_by_reference(reference=reference.strip().upper())
            try:
                if signal is None:
                    raise NoAccess
                staff = await self._authorize(uow, telegram_id, signal, None)
            except NoAccess:
                return Reply(text=messages.NOT_FOUND)
            if not await self._may_show(uow, signal.gemeente_code, _Press(telegram_id, chat_id)):
                return Reply(text=messages.ONLY_HERE)
            reply = await self.view(uow, signal, staff, chat_id=chat_id)
            await uow.commit()
            return reply

    async def view(self, uow: UnitOfWork, signal: Signal, viewer: Staff, *,
                   chat_id: int) -> Reply:
        """The full card with history and the buttons that fit now; the view is audited."""
        await uow.events.add(signal_id=signal.id, action=EventAction.VIEW, actor_id=viewer.id)
        text = await self.alerts.card(uow, signal) + "\n\n" + history(
            await uow.events.list_for(signal_id=signal.id))
        return await self._recorded(uow, chat_id, signal, text, card_buttons(signal))

    # -- shared steps

    @staticmethod
    async def _may_show(uow: UnitOfWork, gemeente_code: str, here: _Press) -> bool:
        """Whether personal data of this gemeente may be shown where the person acts."""
        return here.chat_id == here.telegram_id or await uow.gemeenten.may_see(
            code=gemeente_code, chat_id=here.chat_id)

    async def _recorded(self, uow: UnitOfWork, chat_id: int, signal: Signal, text: str,
                        buttons: Buttons = ()) -> Reply:
        """A reply with personal data: queued and recorded like every copy."""
        outbox_id = await self.alerts.reply(uow, chat_id=chat_id, text=text, buttons=buttons,
                                            signal_id=signal.id)
        return Reply(outbox_id=outbox_id)

    async def _move(self, uow: UnitOfWork, signal: Signal, action: Action, actor: Staff, *,
                    owner: Staff | None = None, values: dict[str, Any] | None = None,
                    detail: dict[str, Any] | None = None) -> None:
        """Apply a transition if the signal is still where we saw it; record and notify."""
        before = signal.status
        after = transition(before, action)
        now = utcnow()
        gemeente = await uow.gemeenten.get(code=signal.gemeente_code)
        assert gemeente is not None
        changes: dict[str, Any] = {"status": after.value, "last_activity_at": now, **(values or {})}
        if owner is not None:
            changes["owner_id"] = owner.id
        if before is State.NEW:
            changes["claimed_at"] = now
        if after is not State.CLOSED:
            changes["due_at"] = now + timedelta(days=gemeente.silent_days)
            changes["escalation_level"] = 0
        if not await uow.signals.change_state(signal_id=signal.id, expected=before.value,
                                              **changes):
            raise TransitionNotAllowed(f"{signal.reference} changed meanwhile")
        await uow.signals.refresh(signal)
        await uow.events.add(signal_id=signal.id, action=EventAction(action), actor_id=actor.id,
                             detail=detail)
        await self.alerts.refresh(uow, signal)
        assert signal.reference is not None
        for happened, key in ((before is State.NEW, "feedback_claimed"),
                              (after is State.CLOSED, "feedback_closed")):
            if happened:
                await self._feedback(uow, signal, await text_for(
                    uow, signal.gemeente_code, key, reference=signal.reference,
                    gemeente=gemeente.name))

    async def _feedback(self, uow: UnitOfWork, signal: Signal, text: str) -> None:
        signaler = await uow.signalers.get_by_id(signaler_id=signal.signaler_id or 0)
        if signaler is not None and signaler.channel == "telegram":
            await uow.outbox.add(recipient=signaler.external_id, kind=OutboxKind.FEEDBACK,
                                 text=text, signal_id=signal.id)


@dataclass(frozen=True)
class _Press:
    """Who acts, and in which chat (their private chat, or a group)."""

    telegram_id: int
    chat_id: int


Handler = Callable[[StaffService, "UnitOfWork", _Press, "Signal", str], Any]
_BUTTONS: dict[StaffAction, Handler] = {
    StaffAction.CLAIM: StaffService._claim,
    StaffAction.ASSIGN_MENU: StaffService._assign_menu,
    StaffAction.ASSIGN_TO: StaffService._assign,
    StaffAction.STATUS_MENU: StaffService._status_menu,
    StaffAction.SET_STATUS: StaffService._status,
    StaffAction.SET_REFERRAL: StaffService._referral,
    StaffAction.CLOSE_MENU: StaffService._close_menu,
    StaffAction.CONFIRM_CLOSE: StaffService._close_confirm,
    StaffAction.CLOSE: StaffService._close,
    StaffAction.NOTE: StaffService._note_prompt,
    StaffAction.ASK: StaffService._ask_prompt,
    StaffAction.DETAILS: StaffService._details,
}
