"""Every button's data, in the style of aiogram's ``CallbackData``: one typed codec.

A button carries a short string back when pressed (Telegram: at most 64 bytes). Each kind of
button is a typed tuple that ``pack``s itself; ``unpack`` is the one parser, and the only one.
The data comes from the client and is never trusted: anything that does not decode to a known
button is None, and what a decoded button asks is checked again by the service it reaches.

Wire format, ``|``-separated ids only: ``<draft token>|<input>…`` (intake), ``w|…`` (staff),
``a|…`` (admin), ``k|…`` (the sociale kaart), ``n|…`` (news), ``m|…`` (the signaler's other
buttons). The
action values stay as they were (short, and buttons already in chats keep working); their names
say what they do.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple

from bot.core.inputs import ButtonInput, Cancel, Choose, Done, EditGroup, Skip, Toggle

MAX_BYTES = 64  # Telegram's limit for callback data
# Callback data: ``|``-separated fields, each up to 24 word characters or dashes.
_PACKED = re.compile(r"[\w-]{0,24}(?:\|[\w-]{0,24})*")


class StaffAction(StrEnum):
    """What a staff button does (``bot.core.staff``)."""

    CLAIM = "claim"
    ASSIGN_MENU = "assign"
    ASSIGN_TO = "assignto"
    STATUS_MENU = "status"
    SET_STATUS = "st"
    SET_REFERRAL = "ref"
    CLOSE_MENU = "close"
    CONFIRM_CLOSE = "out"
    CLOSE = "closeok"
    NOTE = "note"
    ASK = "ask"
    DETAILS = "hist"
    SUGGEST_MENU = "sug"  # a self-report's kaart matches
    SUGGEST = "sugok"  # arg: the activity's key
    LINK_MENU = "link"  # a volunteer sign-up's kaart matches
    LINK = "linkok"  # arg: the activity's key


class AdminAction(StrEnum):
    """What an admin menu button does (``handlers.telegram.admin``)."""

    PANEL = "g"
    STAFF = "staff"
    REMOVE_STAFF = "rm"
    INVITE = "inv"
    SET_ACTIVE = "on"


class KaartAction(StrEnum):
    """What a button of the ``/kaart`` list does (``handlers.telegram.kaart``)."""

    PAGE = "p"
    ASK_REMOVE = "rm"
    REMOVE = "rmok"


class NewsAction(StrEnum):
    """What a news button does (``bot.core.news``, ``handlers.telegram.news``)."""

    JOIN = "on"  # yes to an offer
    DECLINE = "no"  # no to an offer
    LEAVE = "off"  # "Afmelden" under a news message
    SEND = "send"  # a regisseur sends the previewed text
    DISCARD = "drop"  # ... or does not


class IntakeButton(NamedTuple):
    """An answer button of a conversation: the draft it belongs to and the engine input."""

    token: str
    input: ButtonInput

    def pack(self) -> str:
        """The callback data."""
        match self.input:
            case Choose(question, value):
                parts = [self.token, "c", question, value]
            case Toggle(question, value, on):
                parts = [self.token, "t", question, value, "1" if on else "0"]
            case Done(question):
                parts = [self.token, "d", question]
            case Skip(question):
                parts = [self.token, "s", question]
            case EditGroup(group):
                parts = [self.token, "e", group]
            case Cancel():
                parts = [self.token, "x"]
        return _join(parts)


class StaffButton(NamedTuple):
    """A button on an alert or a staff prompt, about one signal."""

    action: StaffAction
    signal_id: int
    arg: str = ""

    def pack(self) -> str:
        """The callback data."""
        return _join(["w", self.action, str(self.signal_id), self.arg])


class AdminButton(NamedTuple):
    """A button of the ``/admin`` menu, about one gemeente."""

    action: AdminAction
    gemeente: str
    arg: str = ""

    def pack(self) -> str:
        """The callback data."""
        return _join(["a", self.action, self.gemeente, self.arg])


class KaartButton(NamedTuple):
    """A button of a gemeente's ``/kaart`` list: a page, or an activity (by its key)."""

    action: KaartAction
    gemeente: str
    arg: str = ""

    def pack(self) -> str:
        """The callback data."""
        return _join(["k", self.action, self.gemeente, self.arg])


class DeclineButton(NamedTuple):
    """The signaler's "Ik wil geen vragen meer" under a relayed question."""

    question_id: int

    def pack(self) -> str:
        """The callback data."""
        return _join(["m", "decline", str(self.question_id)])


class ForgetButton(NamedTuple):
    """The answer to ``/vergeetmij``'s confirmation."""

    confirmed: bool

    def pack(self) -> str:
        """The callback data."""
        return _join(["m", "forget", "yes" if self.confirmed else "no"])


class VraagjeButton(NamedTuple):
    """"Een andere vraag" under a conversation-starter card: the next card of a shuffle."""

    seed: int
    counter: int

    def pack(self) -> str:
        """The callback data."""
        return _join(["m", "vraagje", str(self.seed), str(self.counter)])


class NewsButton(NamedTuple):
    """A button about a gemeente's news; ``arg`` names a regisseur's previewed text."""

    action: NewsAction
    gemeente: str
    arg: str = ""

    def pack(self) -> str:
        """The callback data."""
        return _join(["n", self.action, self.gemeente, self.arg])


class LanguageButton(NamedTuple):
    """A language under ``/taal``: the code of its catalog (``bot.core.language``)."""

    code: str

    def pack(self) -> str:
        """The callback data."""
        return _join(["m", "taal", self.code])


Button = (IntakeButton | StaffButton | AdminButton | KaartButton | DeclineButton | ForgetButton
          | VraagjeButton | NewsButton | LanguageButton)


def _join(parts: list[str]) -> str:
    data = "|".join(parts)  # as many fields as parts: no part holds a "|"
    if len(data.encode()) > MAX_BYTES or data.count("|") != len(parts) - 1 or (
            _PACKED.fullmatch(data) is None):
        raise ValueError(f"callback data does not fit: {data!r}")
    return data


def unpack(data: str | None) -> Button | None:
    """Decode callback data; None for anything that is not a known, well-formed button."""
    if not data or len(data.encode()) > MAX_BYTES or _PACKED.fullmatch(data) is None:
        return None
    parts = data.split("|")
    match parts:
        case ["w", action, signal_id, arg] if action in _STAFF and signal_id.isdigit():
            return StaffButton(StaffAction(action), int(signal_id), arg)
        case ["a", action, gemeente, arg] if action in _ADMIN and gemeente:
            return AdminButton(AdminAction(action), gemeente, arg)
        case ["k", action, gemeente, arg] if action in _KAART and gemeente:
            return KaartButton(KaartAction(action), gemeente, arg)
        case ["m", "decline", question_id] if question_id.isdigit():
            return DeclineButton(int(question_id))
        case ["m", "forget", "yes" | "no" as answer]:
            return ForgetButton(answer == "yes")
        case ["m", "vraagje", seed, counter] if seed.isdigit() and counter.isdigit():
            return VraagjeButton(int(seed), int(counter))
        case ["n", action, gemeente, arg] if action in _NEWS and gemeente:
            return NewsButton(NewsAction(action), gemeente, arg)
        case ["m", "taal", code] if code:
            return LanguageButton(code)
        case ["w" | "a" | "k" | "m" | "n", *_]:
            return None
        case [token, *rest] if token:
            given = _intake_input(rest)
            return IntakeButton(token, given) if given is not None else None
    return None


def _intake_input(parts: list[str]) -> ButtonInput | None:
    match parts:
        case ["c", question, value] if question and value:
            return Choose(question, value)
        case ["t", question, value, "1" | "0" as on] if question and value:
            return Toggle(question, value, on == "1")
        case ["d", question] if question:
            return Done(question)
        case ["s", question] if question:
            return Skip(question)
        case ["e", group]:
            return EditGroup(group)
        case ["x"]:
            return Cancel()
    return None


_STAFF = frozenset(StaffAction)
_ADMIN = frozenset(AdminAction)
_KAART = frozenset(KaartAction)
_NEWS = frozenset(NewsAction)
