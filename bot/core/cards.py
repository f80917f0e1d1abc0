"""What staff see of a signal: the alert card, its buttons per state, history and lists."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core import messages
from bot.core.buttons import StaffAction, StaffButton
from bot.core.engine import Engine
from bot.core.language import in_gemeente_language
from bot.core.outbox import Buttons
from bot.core.workflow import (
    ALL_OUTCOMES,
    REFERRALS,
    STATE_LABELS,
    STATUSES,
    EventAction,
    State,
)

if TYPE_CHECKING:
    from storage.models import Signal, SignalEvent

LOCAL_TIME = ZoneInfo("Europe/Amsterdam")


def local(moment: datetime) -> str:
    """A timestamp as Dutch local time."""
    return moment.astimezone(LOCAL_TIME).strftime("%d-%m-%Y %H:%M")


@in_gemeente_language
def card(engine: Engine, signal: Signal, *, gemeente_name: str,
         owner_name: str | None = None, footer: str = "",
         kaart_events: Sequence[SignalEvent] = ()) -> str:
    """The alert text: the report, then where it stands. HTML-safe; readable on a phone.

    ``engine`` is that of the report's questionnaire; its title says the report's kind.
    ``kaart_events``: the activities suggested to the person, or they were linked to.
    """
    assert signal.reference is not None
    answers = dict(signal.answers or {})
    if engine.role is not None:
        answers[engine.role.id] = signal.role
    title = messages.ALERT_TITLES.get(signal.kind, messages.ALERT_TITLE)
    lines = [
        title.format(reference=html.escape(signal.reference)),
        messages.ALERT_RECEIVED.format(when=local(signal.created_at)),
        messages.ALERT_GEMEENTE.format(gemeente=html.escape(gemeente_name)),
        "",
        *(f"<b>{label}:</b> {value}" for label, value in engine.summary_lines(answers)),
    ]
    if signal.signaler_id is None:  # /vergeetmij: no contact and no questions any more
        lines += ["", messages.ALERT_FORGOTTEN]
    elif not engine.questionnaire.consented(answers):
        lines += ["", messages.ALERT_ANONYMOUS]
    state = signal.status
    if state is not State.NEW:
        lines += ["", messages.ALERT_STATE.format(state=STATE_LABELS[state])]
        if owner_name:
            lines.append(messages.ALERT_OWNER.format(name=html.escape(owner_name)))
        if signal.outcome:
            lines.append(messages.ALERT_OUTCOME.format(outcome=ALL_OUTCOMES[signal.outcome]))
    sent = [(messages.ALERT_LINKED if event.action is EventAction.LINK
             else messages.ALERT_SUGGESTED).format(name=html.escape(event.detail.get("name", "")))
            for event in kaart_events]
    if sent:
        lines += ["", *sent]
    if footer:
        lines += ["", footer]
    return "\n".join(lines)


def card_buttons(signal: Signal) -> Buttons:
    """The actions that fit the signal's state (each is checked again when pressed)."""
    state, sid = signal.status, signal.id
    details = staff_button(messages.BTN_DETAILS, StaffAction.DETAILS, sid)
    assign = staff_button(messages.BTN_ASSIGN, StaffAction.ASSIGN_MENU, sid)
    ask = staff_button(messages.BTN_ASK, StaffAction.ASK, sid)
    if state is State.CLOSED:
        return ((details,),)
    kaart = (((staff_button(*_KAART_BUTTONS[signal.kind], sid),),)
             if signal.kind in _KAART_BUTTONS else ())
    if state is State.NEW:
        return ((staff_button(messages.BTN_CLAIM, StaffAction.CLAIM, sid), assign),
                (ask, details), *kaart)
    return ((staff_button(messages.BTN_STATUS, StaffAction.STATUS_MENU, sid),
             staff_button(messages.BTN_CLOSE, StaffAction.CLOSE_MENU, sid)),
            (assign, ask),
            (details,), *kaart)


# The kaart button of a report about the person who wrote it (``workflow.KAART_ACTIONS``).
_KAART_BUTTONS = {"zelfmelding": (messages.BTN_SUGGEST, StaffAction.SUGGEST_MENU),
                  "vrijwilliger": (messages.BTN_LINK, StaffAction.LINK_MENU)}


def staff_button(label: str, action: StaffAction, signal_id: int,
                 arg: str = "") -> tuple[str, str]:
    """A staff button: its label and data (checked again on every press)."""
    return label, StaffButton(action, signal_id, arg).pack()


def choices(action: StaffAction, signal_id: int, options: dict[str, str]) -> Buttons:
    """One button per option, two to a row."""
    buttons = [staff_button(label, action, signal_id, code) for code, label in options.items()]
    return tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))


def describe_event(event: SignalEvent) -> str:
    """One history entry as text (HTML-safe)."""
    detail = event.detail
    match event.action:
        case EventAction.FILED:
            return messages.HISTORY_FILED
        case EventAction.CLAIM:
            return messages.HISTORY_CLAIMED
        case EventAction.ASSIGN:
            return messages.HISTORY_ASSIGNED.format(name=html.escape(detail.get("to", "?")))
        case EventAction.STATUS:
            text = STATUSES.get(detail.get("status", ""), messages.HISTORY_STATUS)
            if detail.get("referral"):
                text += f" ({REFERRALS.get(detail['referral'], '')})"
            return text
        case EventAction.CLOSE:
            return messages.HISTORY_CLOSED.format(
                outcome=ALL_OUTCOMES.get(detail.get("outcome", ""), ""))
        case EventAction.SUGGEST:
            return messages.HISTORY_SUGGESTED.format(name=html.escape(detail.get("name", "")))
        case EventAction.LINK:
            return messages.HISTORY_LINKED.format(name=html.escape(detail.get("name", "")))
        case _ if detail.get("erased"):
            return messages.HISTORY_ERASED
        case EventAction.NOTE:
            return messages.HISTORY_NOTE.format(text=html.escape(detail.get("text", "")))
        case EventAction.QUESTION:
            return messages.HISTORY_QUESTION.format(text=html.escape(detail.get("text", "")))
        case EventAction.ANSWER:
            return messages.HISTORY_ANSWER.format(text=html.escape(detail.get("text", "")))
        case EventAction.NO_ANSWER:
            return messages.HISTORY_NO_ANSWER
        case EventAction.DECLINED:
            return messages.HISTORY_DECLINED
        case EventAction.ESCALATE:
            return messages.HISTORY_ESCALATED.format(level=detail.get("level", "?"))
        case EventAction.REMINDER:
            return messages.HISTORY_REMINDER
        case EventAction.FORGOTTEN:
            return messages.HISTORY_FORGOTTEN
    return html.escape(event.action)


def history(events: Sequence[tuple[SignalEvent, str | None]]) -> str:
    """A signal's history, oldest first."""
    lines = [messages.HISTORY_TITLE]
    for event, actor in events:
        if event.action is EventAction.VIEW:  # views are kept for the audit, not shown
            continue
        who = f" — {html.escape(actor)}" if actor else ""
        lines.append(f"{local(event.at)}: {describe_event(event)}{who}")
    return "\n".join(lines)


def age(since: datetime, now: datetime) -> str:
    """How long ago, compactly: "3 d 4 u" or "5 u" or "12 min"."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return messages.AGE_DAYS.format(days=days, hours=hours)
    return (messages.AGE_HOURS.format(hours=hours) if hours
            else messages.AGE_MINUTES.format(minutes=minutes))


def list_line(signal: Signal, now: datetime, owner_name: str | None) -> str:
    """One line of /open or /mijn."""
    assert signal.reference is not None
    owner = f" · {html.escape(owner_name)}" if owner_name else ""
    return messages.LIST_LINE.format(reference=signal.reference, age=age(signal.created_at, now),
                                     state=STATE_LABELS[signal.status], owner=owner)
