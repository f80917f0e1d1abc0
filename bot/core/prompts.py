"""What a step gives back: a prompt of text and buttons, its status and the new draft.

``Capabilities`` say what a channel can show beyond text and buttons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.core.draft import Draft
from bot.core.inputs import ButtonInput


@dataclass(frozen=True)
class Capabilities:
    """What a channel can do beyond text and buttons, or that it shows no buttons."""

    share_contact: bool = False  # a button that shares the person's phone number
    numbered: bool = False  # no buttons: choices show as a numbered list, people type them
    replies: bool = True  # it can send the person messages later (feedback, questions)
    # Its update ids grow with each update (Telegram's): an update with an id below one that
    # already took effect arrived late (overtook by it on the way, N workers) and is not applied.
    ordered_ids: bool = False


@dataclass(frozen=True)
class Button:
    """A button: what it says and the input it stands for."""

    label: str
    input: ButtonInput


@dataclass(frozen=True)
class Prompt:
    """What to show: HTML-safe text and rows of buttons.

    ``typed``: the question takes a typed answer (a number typed there is that answer).
    ``edit_groups``: on the summary, the groups that can be changed (as the edit menu lists
    them), for channels that offer them there; others ignore it.
    """

    question: str
    text: str
    rows: tuple[tuple[Button, ...], ...] = ()
    request_contact: bool = False
    typed: bool = False
    edit_groups: tuple[Button, ...] = ()

    def buttons(self) -> list[Button]:
        """All buttons, row by row."""
        return [button for row in self.rows for button in row]


class Status(StrEnum):
    """What a step did."""

    NEXT = "next"  # answer taken; prompt is the next question
    UPDATED = "updated"  # same question, new state (a tick); re-render in place
    INVALID = "invalid"  # not taken; notice says why, prompt asks again
    STALE = "stale"  # a button of an earlier question or message; nothing changed
    SUBMIT = "submit"  # the person pressed "Versturen"
    ENDED = "ended"  # the conversation stops (cancelled, or acute danger and stop)
    DUPLICATE = "duplicate"  # the channel delivered this input before; it changed nothing now


@dataclass(frozen=True)
class Result:
    """The outcome of one step. ``ack`` echoes a taken answer (HTML-safe)."""

    status: Status
    draft: Draft
    prompt: Prompt | None = None
    notice: str | None = None
    ack: str | None = None
    answered: str | None = None  # id of the question this step answered
    after: str | None = None  # a message of its own after the notice (suggestions, on filing)
    news_offer: str | None = None  # on filing: the gemeente's news question, unless they get it


def pressed(prompt: Prompt, typed: str) -> ButtonInput | None:
    """The button of ``prompt`` whose label this typed text is, if any."""
    text = _plain(typed)
    return next((button.input for button in prompt.buttons() if _plain(button.label) == text),
                None)


def typed_form(label: str) -> str:
    """A label as a person might type it: no leading marks (emoji), any case, single spaces."""
    return " ".join(re.sub(r"^[^\w(]+", "", label).split()).casefold()


def _plain(label: str) -> str:
    """A label's typed form with any spacing."""
    return typed_form(label).replace(" ", "")
