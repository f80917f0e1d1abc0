"""Typed staff commands, for channels without buttons: ``oppakken SP-2026-000123`` and the like.

Each staff button has its command: a verb (Dutch, in the catalog), the signal's reference and
the button's argument (a status, referral or outcome code, a staff id). ``lines`` lists the
commands of a message's buttons, ``parse`` reads one back into what the button would do, so
a person on such a channel can do everything a button press does. ``notitie`` and ``vraag``
take their text in the same line. Codes are the stored codes (``bot.core.workflow``); a code
that is not one shows the choices instead.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core import messages
from bot.core.buttons import StaffAction, StaffButton, unpack
from bot.core.outbox import Buttons
from bot.core.workflow import ALL_OUTCOMES, REFERRALS, STATUSES

SEPARATOR = " — "  # between a command and its button's label in ``lines``

_REFERENCE = re.compile(r"^SP-(\d{4})-(\d{1,12})$", re.IGNORECASE)
_WORDS = messages.COMMAND_WORDS
_VERBS = {word.casefold(): meaning for meaning, word in _WORDS.items()}
# The verb of each button; its argument follows the reference (CLOSE adds the confirmation).
_VERB_OF = {
    StaffAction.CLAIM: "claim", StaffAction.ASSIGN_MENU: "assign",
    StaffAction.ASSIGN_TO: "assign", StaffAction.STATUS_MENU: "status",
    StaffAction.SET_STATUS: "status", StaffAction.SET_REFERRAL: "referral",
    StaffAction.CLOSE_MENU: "close", StaffAction.CONFIRM_CLOSE: "close",
    StaffAction.CLOSE: "close", StaffAction.NOTE: "note", StaffAction.ASK: "ask",
    StaffAction.DETAILS: "details", StaffAction.SUGGEST_MENU: "suggest",
    StaffAction.SUGGEST: "suggest", StaffAction.LINK_MENU: "link", StaffAction.LINK: "link",
}
_DOORVERWEZEN = "doorverwezen"  # the status whose referral is asked next
_EMOJI = frozenset({"So", "Mn", "Cf", "Zs"})  # symbols, their selectors and joiners, spaces


@dataclass(frozen=True)
class OnSignal:
    """What a button on a signal would do; ``text`` a note or question typed in the same line."""

    action: StaffAction
    reference: str
    arg: str = ""
    text: str = ""


@dataclass(frozen=True)
class ListSignals:
    """``open`` (the gemeente's open signals) or ``mijn`` (``mine``: the person's own)."""

    mine: bool


@dataclass(frozen=True)
class Help:
    """``hulp``: the overview of the commands."""


StaffCommand = OnSignal | ListSignals | Help


def reference(text: str) -> str | None:
    """A signal's reference as stored (``SP-2026-000123``), from any case and leading zeros."""
    found = _REFERENCE.match(text.strip())
    if found is None:
        return None
    year, number = found.groups()
    return f"SP-{year}-{int(number):06d}"


def parse(text: str) -> StaffCommand | None:
    """The command typed in ``text``; None when it is none (it may be a note, or chat).

    A verb about a signal needs a valid reference after it. What a line of ``lines`` adds
    after ``SEPARATOR`` (the button's label) is left out.
    """
    words = text.strip().split(maxsplit=2)
    meaning = _VERBS.get(words[0].lstrip("/").casefold()) if words else None
    if meaning is None:
        return None
    if meaning in ("open", "mine", "help"):
        if len(words) > 1:
            return None
        return Help() if meaning == "help" else ListSignals(mine=meaning == "mine")
    ref = reference(words[1]) if len(words) > 1 else None
    if ref is None:
        return None
    rest = words[2] if len(words) > 2 else ""
    if rest.startswith(SEPARATOR.strip()):  # a copied line: the label, no text
        rest = ""
    if meaning in ("note", "ask"):
        action = StaffAction.NOTE if meaning == "note" else StaffAction.ASK
        return OnSignal(action, ref, text=rest.strip())
    return _on_signal(meaning, ref, rest.split(SEPARATOR.strip(), 1)[0].split())


def _on_signal(meaning: str, ref: str, args: list[str]) -> OnSignal:
    codes = [arg.casefold().replace("-", "_") for arg in args]
    match meaning, codes:
        case "assign", []:
            return OnSignal(StaffAction.ASSIGN_MENU, ref)
        case "assign", _:
            return OnSignal(StaffAction.ASSIGN_TO, ref, " ".join(args))
        case "status", [status, referral] if status == _DOORVERWEZEN and referral in REFERRALS:
            return OnSignal(StaffAction.SET_REFERRAL, ref, referral)
        case "status", [status, *_] if status in STATUSES:
            return OnSignal(StaffAction.SET_STATUS, ref, status)
        case "status", _:
            return OnSignal(StaffAction.STATUS_MENU, ref)
        case "referral", [referral, *_] if referral in REFERRALS:
            return OnSignal(StaffAction.SET_REFERRAL, ref, referral)
        case "referral", _:  # the referral's choices come with that status
            return OnSignal(StaffAction.SET_STATUS, ref, _DOORVERWEZEN)
        case "close", [outcome, confirm] if (outcome in ALL_OUTCOMES
                                             and confirm == messages.COMMAND_CONFIRM):
            return OnSignal(StaffAction.CLOSE, ref, outcome)
        case "close", [outcome, *_] if outcome in ALL_OUTCOMES:
            return OnSignal(StaffAction.CONFIRM_CLOSE, ref, outcome)
        case "close", _:
            return OnSignal(StaffAction.CLOSE_MENU, ref)
        case "claim", _:
            return OnSignal(StaffAction.CLAIM, ref)
        case "suggest", [key, *_]:  # the activity's key (``sociale_kaart.activity_key``)
            return OnSignal(StaffAction.SUGGEST, ref, key)
        case "suggest", _:
            return OnSignal(StaffAction.SUGGEST_MENU, ref)
        case "link", [key, *_]:
            return OnSignal(StaffAction.LINK, ref, key)
        case "link", _:
            return OnSignal(StaffAction.LINK_MENU, ref)
    return OnSignal(StaffAction.DETAILS, ref)  # "details", the one verb left


def command(button: StaffButton, ref: str) -> str:
    """The command that does what ``button`` does, on the signal ``ref``."""
    parts = [_WORDS[_VERB_OF[button.action]], ref]
    if button.arg:
        parts.append(button.arg)
    if button.action is StaffAction.CLOSE:
        parts.append(messages.COMMAND_CONFIRM)
    return " ".join(parts)


def _without_emoji(label: str) -> str:
    """A button's label without the emoji (and spaces) it starts with."""
    start = 0
    while start < len(label) and unicodedata.category(label[start]) in _EMOJI:
        start += 1
    return label[start:] or label


def lines(buttons: Buttons, ref: str | Mapping[int, str]) -> list[str]:
    """For each staff button, the command a person types, then its label (HTML-safe).

    ``ref`` is the signal's reference, or the references by signal id when the buttons are
    about several (a button whose signal is not in it is left out). E.g.
    ``oppakken SP-2026-000123 — Oppakken``.
    """
    found = []
    for row in buttons:
        for label, data in row:
            button = unpack(data)
            if not isinstance(button, StaffButton):
                continue
            signal_ref = ref if isinstance(ref, str) else ref.get(button.signal_id)
            if signal_ref is not None:
                found.append(command(button, signal_ref) + SEPARATOR
                             + html.escape(_without_emoji(label)))
    return found
