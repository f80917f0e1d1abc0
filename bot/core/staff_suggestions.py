"""Activities from the sociale kaart, sent by staff to the person who wrote a report.

On a self-report staff send a suggestion; on a volunteer sign-up the coordinator links the
volunteer to an activity. Either way: a list of the kaart's best matches for the report (its
PC4 and the interests it chose), one picked, the activity (public data only) queued to the
person through the outbox and recorded in the report's history; its alert cards show it.
Access and the report's state are checked again at every press.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from bot.core import messages, suggestions
from bot.core.buttons import StaffAction
from bot.core.cards import staff_button
from bot.core.outbox import OutboxKind
from bot.core.people import PUSH_CHANNELS
from bot.core.sociale_kaart import Activity, activity_key, shown
from bot.core.staff_lists import Press, Reply
from bot.core.staff_notes import StaffNotes
from bot.core.workflow import KAART_ACTIONS, Action, EventAction, NoAccess, State, transition

if TYPE_CHECKING:
    from storage.models import Signal, Staff
    from storage.uow import UnitOfWork

_LABEL_MAX = 40  # characters of an activity's name on its button


class StaffSuggestions(StaffNotes):
    """"Stuur een suggestie" and "Koppel aan activiteit": the list, and sending the pick."""

    async def _suggest_menu(self, uow: UnitOfWork, who: Press, signal: Signal, _: str
                            ) -> Reply:
        return await self._menu(uow, who, signal, Action.SUGGEST)

    async def _link_menu(self, uow: UnitOfWork, who: Press, signal: Signal, _: str) -> Reply:
        return await self._menu(uow, who, signal, Action.LINK)

    async def _suggest(self, uow: UnitOfWork, who: Press, signal: Signal, key: str) -> Reply:
        return await self._send(uow, who, signal, Action.SUGGEST, key)

    async def _link(self, uow: UnitOfWork, who: Press, signal: Signal, key: str) -> Reply:
        return await self._send(uow, who, signal, Action.LINK, key)

    async def _menu(self, uow: UnitOfWork, who: Press, signal: Signal, action: Action
                    ) -> Reply:
        await self._check(uow, who, signal, action)
        problem = await self._unreachable_writer(uow, signal)
        if problem:
            return Reply(toast=problem)
        gemeente = await uow.gemeenten.get(code=signal.gemeente_code)
        wanted = suggestions.interests(signal.choices)
        picks = suggestions.staff_choices(
            await uow.activities.list_all(code=signal.gemeente_code), signal.pc4, wanted)
        if not picks:
            return Reply(text=messages.KAART_NOTHING_TO_PICK.format(
                gemeente=html.escape(gemeente.name if gemeente else signal.gemeente_code)))
        listed = "\n\n".join(f"{n}. {shown(a, wanted)}" for n, a in enumerate(picks, 1))
        template = messages.PICK_LINK if action is Action.LINK else messages.PICK_SUGGESTION
        pick = StaffAction.LINK if action is Action.LINK else StaffAction.SUGGEST
        return Reply(text=template.format(reference=signal.reference, activities=listed),
                     buttons=tuple((staff_button(f"{n}. {_label(a)}", pick, signal.id,
                                                 activity_key(a.name)),)
                                   for n, a in enumerate(picks, 1)))

    async def _send(self, uow: UnitOfWork, who: Press, signal: Signal, action: Action,
                    key: str) -> Reply:
        staff = await self._check(uow, who, signal, action)
        problem = await self._unreachable_writer(uow, signal)
        if problem:
            return Reply(toast=problem)
        activity = next((a for a in await uow.activities.list_all(code=signal.gemeente_code)
                         if activity_key(a.name) == key), None)
        if activity is None:
            return Reply(toast=messages.KAART_GONE)
        gemeente = await uow.gemeenten.get(code=signal.gemeente_code)
        writer = await uow.signalers.get_by_id(signaler_id=signal.signaler_id or 0)
        assert writer is not None and gemeente is not None and signal.reference is not None
        template = (messages.LINKED_TO_VOLUNTEER if action is Action.LINK
                    else messages.SUGGESTION_TO_RESIDENT)
        await uow.outbox.add(channel=writer.channel, recipient=writer.external_id,
                             kind=OutboxKind.SUGGESTION, signal_id=signal.id,
                             text=template.format(reference=signal.reference,
                                                  gemeente=html.escape(gemeente.name),
                                                  activity=shown(activity)))
        await uow.events.add(signal_id=signal.id, action=EventAction(action), actor_id=staff.id,
                             detail={"name": activity.name})
        await self.alerts.refresh(uow, signal)
        name = html.escape(activity.name)
        if action is Action.SUGGEST:
            return Reply(text=messages.SUGGESTION_SENT.format(reference=signal.reference,
                                                              name=name))
        closing = () if signal.status is State.NEW else ((staff_button(
            messages.BTN_CLOSE_LINKED, StaffAction.CONFIRM_CLOSE, signal.id, "gekoppeld"),),)
        return Reply(text=messages.LINK_SENT.format(reference=signal.reference, name=name),
                     buttons=closing)

    async def _check(self, uow: UnitOfWork, who: Press, signal: Signal, action: Action
                     ) -> Staff:
        """The acting staff member, if the action is that of the report's kind and fits now."""
        if KAART_ACTIONS.get(signal.kind) is not action or signal.erased_at is not None:
            raise NoAccess
        staff = await self._authorize(uow, who.person, signal, action)
        transition(signal.status, action)
        return staff

    @staticmethod
    async def _unreachable_writer(uow: UnitOfWork, signal: Signal) -> str | None:
        """Why the person who wrote the report cannot be sent a message, if they cannot."""
        writer = await uow.signalers.get_by_id(signaler_id=signal.signaler_id or 0)
        if writer is None or writer.channel not in PUSH_CHANNELS:
            return messages.NO_SIGNALER.format(reference=signal.reference)
        return None


def _label(activity: Activity) -> str:
    """An activity's name, short enough for a button."""
    name = activity.name
    return name if len(name) <= _LABEL_MAX else name[:_LABEL_MAX - 1] + "…"
