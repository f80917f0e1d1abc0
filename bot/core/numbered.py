"""Prompts as text for channels without buttons: numbered choices and words to type.

``render`` shows a prompt as text: its choices as a numbered list (the summary: its edit
groups, as ``wijzig 1``), its other buttons (Overslaan, Annuleren...) as words to type.
``read`` turns a typed line back into the input of what it picks, a ``Refusal`` saying what
to type instead, or None: plain text, the answer to a question that takes a typed answer.
On such a channel (``Capabilities.numbered``) the engine reads each line with ``read``,
against the prompt as it is at that step.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.core import messages
from bot.core.inputs import ButtonInput, Cancel, Choose, Done, EditGroup, Select, Skip, Toggle
from bot.core.prompts import Button, Prompt, pressed, typed_form


def _summary_words() -> dict[str, str]:
    """The words of the summary's option values (answering), in the active language."""
    return {"send": messages.WORD_SEND, "edit": messages.WORD_EDIT,
            "cancel": messages.WORD_CANCEL}


_MARK = re.compile(r"^[^\w(]+")  # a tick in front of a checklist option
_SEPARATOR = re.compile(r"[\s,;&+]+")
_MAX_DIGITS = 6


@dataclass(frozen=True)
class Refusal:
    """A typed line that picks nothing on this prompt; ``notice`` says what to type."""

    notice: str


def render(prompt: Prompt) -> str:
    """The prompt as text (HTML-safe): its choices numbered, its other buttons as words."""
    choices = _choices(prompt)
    lines = [prompt.text, ""]
    if prompt.edit_groups:
        lines += [messages.EDIT_LINE.format(number=number, label=_shown(button))
                  for number, button in enumerate(choices, 1)]
        return "\n".join([*lines, "", messages.SUMMARY_COMMANDS])
    ticked = _ticked(prompt)
    for number, button in enumerate(choices, 1):
        tick = "✅ " if isinstance(button.input, Toggle) and not button.input.on else ""
        lines.append(f"{number}. {tick}{_shown(button)}")
    if choices:
        lines += ["", messages.TYPE_NUMBERS if _multi(prompt) else messages.TYPE_A_NUMBER]
    if ticked:
        lines.append(messages.CHOSEN.format(chosen=", ".join(_shown(b) for b in ticked)))
    words = [word[1] for button in prompt.buttons() if (word := _word(prompt, button)) and word[1]
             and (ticked or not isinstance(button.input, Done))]
    if words:
        lines.append(messages.OR_TYPE.format(words=_either(words)))
    return "\n".join(lines[:-1] if lines[-1] == "" else lines)


def read(prompt: Prompt, text: str) -> ButtonInput | Select | Refusal | None:
    """What a typed line picks on this prompt; None: it is plain text (a typed answer).

    A number picks that choice (a checklist takes several, and they are its answer); so
    does a choice's label or an unambiguous start of it, and a word shown under the prompt.
    """
    typed = typed_form(text)
    button = pressed(prompt, text) or _by_word(prompt, typed)
    if prompt.typed:
        return button
    if isinstance(button, Done) and not _ticked(prompt):
        return Refusal(messages.TYPE_NUMBERS)
    if button is not None:
        return button
    choices = _choices(prompt)
    if prompt.edit_groups:
        return _read_summary(prompt, typed, choices)
    numbers = _numbers(typed)
    if numbers is not None:
        return _by_number(prompt, choices, numbers)
    return _by_start(choices, typed) or Refusal(_range(prompt, len(choices)))


def _read_summary(prompt: Prompt, typed: str, groups: list[Button]) -> ButtonInput | Refusal:
    """``wijzig 3`` or ``wijzig adres`` opens that group; a group's name alone does too."""
    edit = next((b for b in prompt.buttons() if b.input == Choose(prompt.question, "edit")), None)
    words = sorted({messages.WORD_EDIT, typed_form(edit.label) if edit else ""}, key=len)
    word = next((w for w in reversed(words) if w and typed.startswith(w)), None)
    if word is None:
        return _by_start(groups, typed) or Refusal(messages.SUMMARY_COMMANDS)
    rest = typed[len(word):].strip()
    numbers = _numbers(rest)
    edit_range = messages.EDIT_RANGE.format(high=len(groups))
    if numbers is not None and len(numbers) == 1:
        if not _listed(numbers[0], len(groups)):
            return Refusal(f"{_not_listed(numbers[0])} {edit_range}")
        return groups[int(numbers[0]) - 1].input
    return _by_start(groups, rest) or Refusal(edit_range)


def _by_number(prompt: Prompt, choices: list[Button], numbers: list[str]
               ) -> ButtonInput | Select | Refusal:
    wrong = next((number for number in numbers if not _listed(number, len(choices))), None)
    if wrong is not None:
        return Refusal(f"{_not_listed(wrong)} {_range(prompt, len(choices))}")
    picked = list(dict.fromkeys(choices[int(number) - 1].input for number in numbers))
    if _multi(prompt):
        return Select(prompt.question, tuple(b.value for b in picked if isinstance(b, Toggle)))
    if len(picked) > 1:
        return Refusal(f"{messages.ONE_NUMBER} {_range(prompt, len(choices))}")
    return picked[0]


def _by_start(choices: list[Button], typed: str) -> ButtonInput | Refusal | None:
    """The choice this label, or this unambiguous start of one, names."""
    if not typed:
        return None
    forms = [typed_form(button.label) for button in choices]
    if typed in forms:
        return choices[forms.index(typed)].input
    hits = [number for number, form in enumerate(forms, 1) if form.startswith(typed) and (
        len(typed) >= 3 or not form[len(typed):len(typed) + 1].isalnum())]
    if len(hits) == 1:
        return choices[hits[0] - 1].input
    if hits:
        ambiguous = messages.AMBIGUOUS.format(numbers=", ".join(str(n) for n in hits))
        return Refusal(f"{ambiguous} {messages.TYPE_A_NUMBER}")
    return None


def _by_word(prompt: Prompt, typed: str) -> ButtonInput | None:
    """The button whose word (``annuleer``, ``overslaan``, ``verstuur``...) this is."""
    return next((button.input for button in prompt.buttons()
                 if (word := _word(prompt, button)) and typed_form(word[0]) == typed), None)


def _word(prompt: Prompt, button: Button) -> tuple[str, str | None] | None:
    """What to type for a button that is not a numbered choice, and how that is shown."""
    match button.input:
        case Cancel():
            return messages.WORD_CANCEL, messages.SAY_CANCEL
        case Skip() if button.label == messages.KEEP:
            return messages.WORD_KEEP, messages.SAY_KEEP
        case Skip():
            return messages.WORD_SKIP, messages.SAY_SKIP
        case Done():
            return messages.WORD_DONE, messages.SAY_DONE
        case Choose(value=value) if prompt.edit_groups and value in _summary_words():
            return _summary_words()[value], None  # shown in SUMMARY_COMMANDS
        case Choose() if prompt.typed:  # a gemeente for a postcode in several: its name
            return button.label, f"'{html.escape(button.label)}'"
    return None


def _choices(prompt: Prompt) -> list[Button]:
    """The buttons shown as a numbered list."""
    if prompt.typed:
        return []
    if prompt.edit_groups:
        return list(prompt.edit_groups)
    return [button for button in prompt.buttons()
            if isinstance(button.input, Choose | Toggle | EditGroup)]


def _multi(prompt: Prompt) -> bool:
    return any(isinstance(button.input, Toggle) for button in prompt.buttons())


def _ticked(prompt: Prompt) -> list[Button]:
    return [button for button in prompt.buttons()
            if isinstance(button.input, Toggle) and not button.input.on]


def _numbers(typed: str) -> list[str] | None:
    """``1 3 5``, ``1,3,5``, ``1, 3 en 5`` (or one number): the numbers; else None."""
    parts = [part.rstrip(".)") for part in _SEPARATOR.split(typed) if part and part != "en"]
    if parts and all(re.fullmatch(r"[0-9]+", part) for part in parts):
        return parts
    return None


def _listed(number: str, high: int) -> bool:
    return len(number) <= _MAX_DIGITS and 1 <= int(number) <= high


def _not_listed(number: str) -> str:
    shown = number if len(number) <= _MAX_DIGITS else number[:_MAX_DIGITS] + "…"
    return messages.NOT_LISTED.format(number=shown)


def _range(prompt: Prompt, high: int) -> str:
    return (messages.NUMBERS_RANGE if _multi(prompt) else messages.NUMBER_RANGE).format(high=high)


def _bare(label: str) -> str:
    """A checklist option's label without its tick."""
    return _MARK.sub("", label)


def _shown(button: Button) -> str:
    label = _bare(button.label) if isinstance(button.input, Toggle) else button.label
    return html.escape(label)


def _either(items: list[str]) -> str:
    """``a, b, of c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + messages.OR + items[-1]
