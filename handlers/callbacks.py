"""Callback data codec: ``<draft token>|<code>|<fields>``, ids only, at most 64 bytes.

Callback data comes from the client and is never trusted: anything that does not decode
to a known input is rejected here, and the engine checks that it fits the current question.
"""

from __future__ import annotations

import re

from bot.engine import ButtonInput, Cancel, Choose, Done, EditGroup, Skip, Toggle

MAX_BYTES = 64
_FIELD = re.compile(r"^[\w-]{0,24}$")


def pack(token: str, given: ButtonInput) -> str:
    """Encode a button's input for one draft."""
    match given:
        case Choose(question, value):
            parts = ["c", question, value]
        case Toggle(question, value, on):
            parts = ["t", question, value, "1" if on else "0"]
        case Done(question):
            parts = ["d", question]
        case Skip(question):
            parts = ["s", question]
        case EditGroup(group):
            parts = ["e", group]
        case Cancel():
            parts = ["x"]
    data = "|".join([token, *parts])
    if len(data.encode()) > MAX_BYTES or not all(_FIELD.match(p) for p in [token, *parts]):
        raise ValueError(f"callback data does not fit: {data!r}")
    return data


def unpack(data: str | None) -> tuple[str, ButtonInput] | None:
    """Decode callback data into ``(token, input)``; None for anything malformed."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    token, _, rest = data.partition("|")
    parts = rest.split("|")
    if not token or not all(_FIELD.match(p) for p in [token, *parts]):
        return None
    match parts:
        case ["c", question, value] if question and value:
            return token, Choose(question, value)
        case ["t", question, value, "1" | "0" as on] if question and value:
            return token, Toggle(question, value, on == "1")
        case ["d", question] if question:
            return token, Done(question)
        case ["s", question] if question:
            return token, Skip(question)
        case ["e", group]:
            return token, EditGroup(group)
        case ["x"]:
            return token, Cancel()
    return None
