"""A posted form back to the engine's ``Input``, trusting nothing that is not on the page.

Each prompt is shown as one kind of field: radio buttons for a choice, checkboxes for a
checklist (sent at once, a ``Select``), a text field for a typed answer, or only buttons
(summary, "stop?", the edit menu). A button's value is its packed ``IntakeButton``; a posted
value counts only when it is one of the current prompt's own buttons or options (at the summary
also its groups' "Wijzig" buttons).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.core import messages
from bot.core.buttons import IntakeButton, unpack
from bot.core.inputs import Choose, Done, Input, Select, Text, Toggle
from bot.core.prompts import Button, Prompt
from bot.core.questionnaire import Kind, Question


class Field(StrEnum):
    """How a prompt is answered on the page."""

    RADIO = "radio"
    CHECK = "check"
    TEXT = "text"
    BUTTONS = "buttons"


@dataclass(frozen=True)
class Refusal:
    """A form that does not fit the prompt; ``message`` says what to do (HTML-safe)."""

    message: str


def field_of(prompt: Prompt, question: Question | None) -> Field:
    """The field that answers this prompt (``question``: the questionnaire's, if it is one)."""
    if any(isinstance(b.input, Toggle) for b in prompt.buttons()):
        return Field.CHECK
    if prompt.typed:
        return Field.TEXT
    if question is not None and question.id == prompt.question and question.kind in (
            Kind.CHOICE, Kind.DOOR):
        return Field.RADIO
    return Field.BUTTONS


def options(prompt: Prompt, field: Field) -> list[Button]:
    """The buttons shown as radio buttons or checkboxes."""
    kind = {Field.RADIO: Choose, Field.CHECK: Toggle}.get(field)
    return [b for b in prompt.buttons() if kind is not None and isinstance(b.input, kind)]


def actions(prompt: Prompt, field: Field) -> list[Button]:
    """The buttons shown as submit buttons (skip, cancel, a gemeente to pick...)."""
    shown = options(prompt, field)
    return [b for b in prompt.buttons() if b not in shown and not isinstance(b.input, Done)]


def value(token: str, button: Button) -> str:
    """A button's form value."""
    return IntakeButton(token, button.input).pack()


def read(prompt: Prompt, field: Field, token: str, form: Mapping[str, object],
         picks: list[str]) -> Input | Refusal:
    """The input a posted form stands for; ``picks``: the ticked checkboxes."""
    if "button" in form:
        return _button(token, form["button"], [*prompt.buttons(), *prompt.edit_groups])
    if field is Field.RADIO:
        return _button(token, form.get("choice"), options(prompt, field))
    if field is Field.CHECK:
        allowed = {b.input.value for b in options(prompt, field) if isinstance(b.input, Toggle)}
        if not set(picks) <= allowed:
            return Refusal(messages.WEB_PICK_ONE)
        return Select(prompt.question, tuple(picks))
    if field is Field.TEXT:
        answer = form.get("answer")
        return Text(answer) if isinstance(answer, str) else Refusal(messages.WEB_PICK_ONE)
    return Refusal(messages.WEB_PICK_ONE)


def _button(token: str, posted: object, allowed: list[Button]) -> Input | Refusal:
    pressed = unpack(posted) if isinstance(posted, str) else None
    if isinstance(pressed, IntakeButton) and pressed.token == token and any(
            b.input == pressed.input for b in allowed):
        return pressed.input
    return Refusal(messages.WEB_PICK_ONE)
