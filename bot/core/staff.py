"""The staff side: claim, assign, status, close, notes and questions to the signaler.

Every action checks, in its own transaction, who acts (active staff of the signal's
gemeente, with the right role) and that the signal's state allows it (``bot.core.workflow``).
Messages to other people (alert edits, feedback, relayed questions) go to the outbox in the
same transaction; the reply to the acting person is returned as a ``Reply``. A reply that
shows personal data is queued too (``Reply.outbox_id``), so it is recorded like every copy,
and only where the signal may be seen: the person's own chat or a team group of its
gemeente. Lists and views: ``bot.core.staff_lists``; notes and questions:
``bot.core.staff_notes``; activities from the sociale kaart: ``bot.core.staff_suggestions``;
typed commands: ``bot.core.staff_commands``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.core import messages
from bot.core.buttons import StaffAction, StaffButton
from bot.core.cards import card_buttons, choices, staff_button
from bot.core.clock import utcnow
from bot.core.language import use_language
from bot.core.outbox import OutboxKind
from bot.core.people import PUSH_CHANNELS, Person
from bot.core.staff_commands import Help, ListSignals, StaffCommand
from bot.core.staff_lists import Press, Reply
from bot.core.staff_notes import too_long
from bot.core.staff_suggestions import StaffSuggestions
from bot.core.texts import text_for
from bot.core.workflow import (
    FIRST_CONTACT,
    REFERRALS,
    STATUSES,
    Action,
    EventAction,
    NoAccess,
    State,
    TransitionNotAllowed,
    handles,
    outcomes,
    transition,
)

if TYPE_CHECKING:
    from storage.models import Signal, Staff
    from storage.uow import UnitOfWork


class StaffService(StaffSuggestions):
    """Staff actions on signals (lists and views: ``StaffLists``; the kaart: ``StaffSuggestions``).

    Each action is a button's (``press``) or, on a channel without buttons, a typed command's
    (``command``): the same handler either way.
    """

    async def press(self, person: Person, button: StaffButton, *, chat: str | None = None,
                    update_id: int | None = None) -> Reply:
        """A staff button pressed in ``chat`` (their own by default).

        One that is not theirs gets "Geen toegang".
        """
        async with self._uow() as uow:
            if not await self._first_delivery(uow, person, update_id):
                return Reply(duplicate=True)
            signal = await uow.signals.get(signal_id=button.signal_id)
            if signal is None:
                return Reply(toast=messages.NO_ACCESS)
            return await self._act(uow, Press(person, chat or person.external_id), signal,
                                   _BUTTONS[button.action], button.arg)

    async def command(self, person: Person, command: StaffCommand, *, chat: str | None = None,
                      update_id: int | None = None) -> Reply | None:
        """A typed command (``bot.core.staff_commands``) in ``chat`` (their own by default).

        None when the person is not staff anywhere. A signal they may not see is "not found",
        whether it exists or not. ``notitie`` and ``vraag`` with their text record the note or
        relay the question at once; without it, they ask for it as the buttons do.
        """
        match command:
            case ListSignals(mine=mine):
                return await self.list_signals(person, mine=mine, chat=chat)
            case Help():
                async with self._uow() as uow:
                    staff = await uow.staff.list_memberships(person=person)
                return Reply(text=messages.COMMAND_HELP) if staff else None
        async with self._uow() as uow:
            if not await uow.staff.list_memberships(person=person):
                return None
            if not await self._first_delivery(uow, person, update_id):
                return Reply(duplicate=True)
            signal = await uow.signals.get_by_reference(reference=command.reference)
            if signal is None or await uow.staff.get_active(
                    person=person, gemeente_code=signal.gemeente_code) is None:
                return Reply(toast=messages.NOT_FOUND)
            handler, arg = _BUTTONS[command.action], command.arg
            if command.text and command.action in _WRITE:
                refusal = too_long(command.text)
                if refusal is not None:
                    return refusal
                handler, arg = _WRITE[command.action], command.text
            elif command.action is StaffAction.ASSIGN_TO and not arg.isdigit():
                arg = await _assignee(uow, signal, arg)
                if not arg:  # no one (or more than one) by that name: the choices
                    handler = _BUTTONS[StaffAction.ASSIGN_MENU]
            return await self._act(uow, Press(person, chat or person.external_id), signal,
                                   handler, arg)

    async def _act(self, uow: UnitOfWork, who: Press, signal: Signal, handler: Handler,
                   arg: str) -> Reply:
        """Run a handler; commit what it did, or refuse what it may not do (nothing changes)."""
        try:
            reply: Reply = await handler(self, uow, who, signal, arg)
        except NoAccess:
            return Reply(toast=messages.NO_ACCESS)
        except TransitionNotAllowed:
            return Reply(toast=await self._not_now(uow, signal))
        await uow.commit()
        self._on_commit()
        return reply

    async def _claim(self, uow: UnitOfWork, who: Press, signal: Signal, _: str) -> Reply:
        staff = await self._authorize(uow, who.person, signal, Action.CLAIM)
        try:
            await self._move(uow, signal, Action.CLAIM, staff, owner=staff)
        except TransitionNotAllowed:  # somebody was first, perhaps by a millisecond
            await uow.signals.refresh(signal)
            owner = await uow.staff.get(staff_id=signal.owner_id) if signal.owner_id else None
            return Reply(toast=messages.ALREADY_CLAIMED.format(
                reference=signal.reference, name=owner.name if owner else messages.SOMEONE_ELSE))
        return Reply(toast=messages.CLAIMED.format(reference=signal.reference))

    async def _assign_menu(self, uow: UnitOfWork, who: Press, signal: Signal, _: str) -> Reply:
        await self._authorize(uow, who.person, signal, Action.ASSIGN)
        transition(signal.status, Action.ASSIGN)
        team = await uow.staff.list_team(gemeente_code=signal.gemeente_code)
        options = {str(member.id): member.name for member in team
                   if handles(member.role, signal.kind)}
        return Reply(text=messages.PICK_ASSIGNEE.format(reference=signal.reference),
                     buttons=choices(StaffAction.ASSIGN_TO, signal.id, options))

    async def _assign(self, uow: UnitOfWork, who: Press, signal: Signal, arg: str) -> Reply:
        staff = await self._authorize(uow, who.person, signal, Action.ASSIGN)
        target = await uow.staff.get(staff_id=int(arg)) if arg.isdigit() else None
        if target is None or not target.active or target.gemeente_code != signal.gemeente_code \
                or not handles(target.role, signal.kind):
            raise NoAccess
        await self._move(uow, signal, Action.ASSIGN, staff, owner=target,
                         detail={"to": target.name})
        text = (messages.ASSIGNED_TO_YOU.format(name=html.escape(staff.name),
                                                reference=signal.reference)
                + "\n\n" + await self.alerts.card(uow, signal))
        await uow.outbox.add(**target.person.address.outbox_columns(), kind=OutboxKind.ASSIGNED,
                             text=text, buttons=card_buttons(signal), signal_id=signal.id)
        return Reply(text=messages.ASSIGNED.format(reference=signal.reference,
                                                   name=html.escape(target.name)))

    async def _status_menu(self, uow: UnitOfWork, who: Press, signal: Signal, _: str) -> Reply:
        await self._authorize(uow, who.person, signal, Action.STATUS)
        transition(signal.status, Action.STATUS)
        return Reply(text=messages.PICK_STATUS.format(reference=signal.reference),
                     buttons=choices(StaffAction.SET_STATUS, signal.id, STATUSES))

    async def _status(self, uow: UnitOfWork, who: Press, signal: Signal, arg: str) -> Reply:
        staff = await self._authorize(uow, who.person, signal, Action.STATUS)
        if arg not in STATUSES:
            raise NoAccess
        transition(signal.status, Action.STATUS)
        if arg == "doorverwezen":
            return Reply(text=messages.PICK_REFERRAL,
                         buttons=choices(StaffAction.SET_REFERRAL, signal.id, REFERRALS))
        return await self._record_status(uow, signal, staff, arg, None)

    async def _referral(self, uow: UnitOfWork, who: Press, signal: Signal, arg: str) -> Reply:
        staff = await self._authorize(uow, who.person, signal, Action.STATUS)
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

    async def _close_menu(self, uow: UnitOfWork, who: Press, signal: Signal, _: str) -> Reply:
        await self._authorize(uow, who.person, signal, Action.CLOSE)
        transition(signal.status, Action.CLOSE)
        return Reply(text=messages.PICK_OUTCOME.format(reference=signal.reference),
                     buttons=choices(StaffAction.CONFIRM_CLOSE, signal.id,
                                             outcomes(signal.kind)))

    async def _close_confirm(self, uow: UnitOfWork, who: Press, signal: Signal, arg: str) -> Reply:
        await self._authorize(uow, who.person, signal, Action.CLOSE)
        if arg not in outcomes(signal.kind):
            raise NoAccess
        transition(signal.status, Action.CLOSE)
        return Reply(text=messages.CONFIRM_CLOSE.format(reference=signal.reference,
                                                        outcome=outcomes(signal.kind)[arg]),
                     buttons=((staff_button(messages.BTN_CONFIRM_CLOSE, StaffAction.CLOSE,
                                            signal.id, arg),
                               staff_button(messages.BTN_BACK, StaffAction.CLOSE_MENU,
                                            signal.id)),))

    async def _close(self, uow: UnitOfWork, who: Press, signal: Signal, arg: str) -> Reply:
        staff = await self._authorize(uow, who.person, signal, Action.CLOSE)
        if arg not in outcomes(signal.kind):
            raise NoAccess
        await self._move(uow, signal, Action.CLOSE, staff, detail={"outcome": arg},
                         values={"outcome": arg, "closed_at": utcnow(), "due_at": None})
        return Reply(text=messages.CLOSED.format(reference=signal.reference,
                                                 outcome=outcomes(signal.kind)[arg]),
                     buttons=((staff_button(messages.BTN_NOTE, StaffAction.NOTE, signal.id),),))

    async def _details(self, uow: UnitOfWork, who: Press, signal: Signal, _: str) -> Reply:
        staff = await self._authorize(uow, who.person, signal, None)
        if not await self._may_show(uow, signal.gemeente_code, who):
            return Reply(toast=messages.ONLY_HERE)
        return await self.view(uow, signal, staff, chat=who.address)

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
        signaler = await uow.signalers.get_by_id(signaler_id=signal.signaler_id or 0)
        if signaler is None or signaler.channel not in PUSH_CHANNELS:
            return  # no one to tell, or a channel that cannot be written to (the web)
        with use_language(signaler.language):  # in the signaler's language, not the staff's
            for happened, key in ((before is State.NEW, "feedback_claimed"),
                                  (after is State.CLOSED, "feedback_closed")):
                if happened and signal.kind in messages.FEEDBACK_BY_KIND:  # about the writer
                    text = messages.FEEDBACK_BY_KIND[signal.kind][key].format(
                        reference=signal.reference, gemeente=html.escape(gemeente.name))
                elif happened:
                    text = await text_for(uow, signal.gemeente_code, key,
                                          reference=signal.reference, gemeente=gemeente.name)
                else:
                    continue
                await uow.outbox.add(channel=signaler.channel, recipient=signaler.external_id,
                                     kind=OutboxKind.FEEDBACK, text=text, signal_id=signal.id)


async def _assignee(uow: UnitOfWork, signal: Signal, name: str) -> str:
    """The staff id of the one active team member of the signal's gemeente by that name.

    The whole name, else the start of it (a first name); "" for no one or more than one.
    """
    team = await uow.staff.list_team(gemeente_code=signal.gemeente_code)
    wanted = name.casefold()
    for matches in ([m for m in team if m.name.casefold() == wanted],
                    [m for m in team if m.name.casefold().startswith(wanted)]):
        if matches:
            return str(matches[0].id) if len(matches) == 1 else ""
    return ""


Handler = Callable[[StaffService, "UnitOfWork", Press, "Signal", str], Any]
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
    StaffAction.SUGGEST_MENU: StaffService._suggest_menu,
    StaffAction.SUGGEST: StaffService._suggest,
    StaffAction.LINK_MENU: StaffService._link_menu,
    StaffAction.LINK: StaffService._link,
}
# A note or question typed with its command: the same checks, the text at once.
_WRITE: dict[StaffAction, Handler] = {
    StaffAction.NOTE: StaffService._note,
    StaffAction.ASK: StaffService._question,
}
