"""The pure conversation engine: ``(draft, input) -> result``. It knows no channel.

A channel adapter renders ``Result.prompt`` (text plus buttons, each button carrying the
``Input`` it stands for) and turns what the person does back into an ``Input``; what the
channel can do beyond text and buttons comes in as ``Capabilities``. Routing a postcode is
the caller's job: it hands the engine a ``RoutedPostcode``, never a lookup.

One rule on every step and channel: typed text equal to a button's label (in any case, with
any spacing) presses that button. Cancelling always asks first; the question is part of the
draft, so it survives a restart and a stale answer to it is recognised.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from bot.core import messages
from bot.core.questionnaire import GEMEENTE, REMEMBERED, Kind, Marker, Question, Questionnaire

MENU = "_menu"  # pseudo question id of the "Wijzigen" menu
CONFIRM_CANCEL = "_cancel"  # pseudo question id of "Weet u zeker dat u wilt stoppen?"

_POSTCODE = re.compile(r"^\s*([1-9]\d{3})\s*([A-Za-z]{2})?\s*$")
_HOUSE_NUMBER = re.compile(r"^\s*(\d{1,5})\s*(?:[-/ ]\s*)?([A-Za-z0-9]{1,4})?\s*$")
_PHONE_CHARS = re.compile(r"[\s\-().]")
_TYPED = frozenset({Kind.TEXT, Kind.POSTCODE, Kind.HOUSE_NUMBER, Kind.PHONE})  # typed answers


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Choose:
    """A tapped option of a choice question (or of the summary)."""

    question: str
    value: str


@dataclass(frozen=True)
class Toggle:
    """Tick (``on``) or untick an option of a multi-choice question: idempotent."""

    question: str
    value: str
    on: bool


@dataclass(frozen=True)
class Done:
    """"Klaar" under a multi-choice question."""

    question: str


@dataclass(frozen=True)
class Skip:
    """"Overslaan" under an optional question."""

    question: str


@dataclass(frozen=True)
class EditGroup:
    """A group picked in the "Wijzigen" menu; empty ``group`` returns to the summary."""

    group: str


@dataclass(frozen=True)
class Text:
    """Typed text."""

    text: str


@dataclass(frozen=True)
class SharedContact:
    """A contact shared with the channel's own button."""

    phone: str
    name: str = ""


@dataclass(frozen=True)
class Route:
    """Where a postcode routes to; ``gemeente`` is None when no gemeente is known.

    ``candidates`` (code, name) are set when the area lies in several gemeenten: the
    signaler types the full postcode or picks one. ``needs_house_number``: the full postcode
    is split between gemeenten, so the house number decides (a ``RoutedHouseNumber``).
    """

    on_board: bool
    gemeente: str | None = None
    gemeente_name: str | None = None
    advice: str = ""
    candidates: tuple[tuple[str, str], ...] = ()
    needs_house_number: bool = False


@dataclass(frozen=True)
class RoutedPostcode:
    """A valid postcode together with its route (looked up by the caller)."""

    postcode: str
    route: Route


@dataclass(frozen=True)
class RoutedHouseNumber:
    """A valid house number with the route it gives (for a postcode split between gemeenten)."""

    number: str
    route: Route


@dataclass(frozen=True)
class Unsupported:
    """Something the bot cannot take as an answer (photo, sticker, voice, location...)."""

    what: str


@dataclass(frozen=True)
class Cancel:
    """``/cancel`` or the "Annuleren" button."""


Input = (
    Choose | Toggle | Done | Skip | EditGroup | Text | SharedContact | RoutedPostcode
    | RoutedHouseNumber | Unsupported | Cancel
)
ButtonInput = Choose | Toggle | Done | Skip | EditGroup | Cancel


# ---------------------------------------------------------------- state and results


@dataclass(frozen=True)
class Capabilities:
    """What a channel can do beyond text and buttons."""

    share_contact: bool = False  # a button that shares the person's phone number


@dataclass(frozen=True)
class Draft:
    """A conversation in progress: answers so far, ticks of the open checklist, edit state."""

    token: str
    answers: Mapping[str, Any] = field(default_factory=dict)
    selections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    editing: str | None = None  # edit group being changed, or MENU
    edited: tuple[str, ...] = ()
    cancelling: bool = False  # asked "Weet u zeker dat u wilt stoppen?"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "token": self.token,
            "answers": dict(self.answers),
            "selections": {key: list(value) for key, value in self.selections.items()},
            "editing": self.editing,
            "edited": list(self.edited),
            "cancelling": self.cancelling,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Draft:
        """The inverse of ``to_json``."""
        return cls(
            token=data["token"],
            answers=dict(data.get("answers", {})),
            selections={k: tuple(v) for k, v in data.get("selections", {}).items()},
            editing=data.get("editing"),
            edited=tuple(data.get("edited", ())),
            cancelling=bool(data.get("cancelling", False)),
        )


@dataclass(frozen=True)
class Button:
    """A button: what it says and the input it stands for."""

    label: str
    input: ButtonInput


@dataclass(frozen=True)
class Prompt:
    """What to show: HTML-safe text and rows of buttons.

    ``typed``: the question takes a typed answer (a number typed there is that answer).
    """

    question: str
    text: str
    rows: tuple[tuple[Button, ...], ...] = ()
    request_contact: bool = False
    typed: bool = False

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


# ---------------------------------------------------------------- parsing


def parse_postcode(text: str) -> tuple[str, int] | None:
    """``"4531 ab"`` -> ``("4531 AB", 4531)``; ``"4531"`` -> ``("4531", 4531)``; else None."""
    match = _POSTCODE.match(text)
    if not match:
        return None
    digits, letters = match.group(1), (match.group(2) or "").upper()
    if letters in {"SA", "SD", "SS"}:  # never issued in the Netherlands
        return None
    return (f"{digits} {letters}" if letters else digits), int(digits)


def parse_house_number(text: str) -> str | None:
    """``"12a"`` -> ``"12 A"``, ``"12-2"`` -> ``"12 2"``; None when it is no house number."""
    match = _HOUSE_NUMBER.match(text)
    if not match or int(match.group(1)) == 0:
        return None
    number, addition = match.group(1), (match.group(2) or "").upper()
    return f"{int(number)} {addition}".strip()


def parse_phone(text: str) -> str | None:
    """A Dutch or international phone number, normalised; None when it is not one."""
    compact = _PHONE_CHARS.sub("", text.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if re.fullmatch(r"0\d{9}", compact):
        return compact
    if re.fullmatch(r"\+\d{8,15}", compact):
        return compact
    return None


# ---------------------------------------------------------------- the engine


class Engine:
    """Walks a ``Questionnaire`` for a channel with these ``Capabilities``; every method is pure.

    It finds the questions it treats specially by their markers (``role``, ``postcode``).
    """

    def __init__(self, questionnaire: Questionnaire,
                 capabilities: Capabilities = Capabilities()) -> None:
        self.questionnaire = questionnaire
        self.capabilities = capabilities
        self.role = questionnaire.marked(Marker.ROLE)
        self.postcode = questionnaire.marked(Marker.POSTCODE)
        self._variants: dict[Capabilities, Engine] = {capabilities: self}

    def on(self, capabilities: Capabilities) -> Engine:
        """The engine for a channel with these capabilities (same questionnaire)."""
        variant = self._variants.get(capabilities)
        if variant is None:
            variant = self._variants[capabilities] = Engine(self.questionnaire, capabilities)
        return variant

    def start(self, token: str, prefill: Mapping[str, Any] | None = None) -> Result:
        """A fresh draft with its first prompt; ``prefill`` holds remembered values."""
        draft = Draft(token=token, answers=dict(prefill or {}))
        return Result(Status.NEXT, draft, self.prompt(draft))

    def current(self, draft: Draft) -> Question | None:
        """The question to ask now (None while the edit menu is open)."""
        if draft.editing == MENU:
            return None
        if draft.editing:
            for question in self.questionnaire.in_group(draft.editing):
                if question.applies(draft.answers) and question.id not in draft.edited:
                    return question
        for question in self.questionnaire.questions:
            if question.applies(draft.answers) and (
                question.id not in draft.answers or question.kind is Kind.SUMMARY
            ):
                return question
        raise AssertionError("a questionnaire ends with a summary question")

    def step(self, draft: Draft, given: Input) -> Result:
        """Apply one input to the draft."""
        given = self._as_button(draft, given)
        if draft.cancelling:
            return self._confirm_step(draft, given)
        if isinstance(given, Cancel):
            return self._ask_cancel(draft)
        if isinstance(given, Choose) and given.question == CONFIRM_CANCEL:
            return self._stale(draft, given)
        if draft.editing == MENU:
            return self._menu_step(draft, given)
        question = self.current(draft)
        assert question is not None
        if isinstance(given, Unsupported):
            return self._invalid(draft, messages.UNSUPPORTED)
        if isinstance(given, EditGroup):
            return self._stale(draft, given)
        button_question = getattr(given, "question", None)
        if button_question is not None and button_question != question.id:
            return self._stale(draft, given)
        return _HANDLERS[question.kind](self, draft, question, given)

    # -- prompts

    def prompt(self, draft: Draft) -> Prompt:
        """The prompt for the draft's current question (or the edit menu, or "stop?")."""
        if draft.cancelling:
            return Prompt(CONFIRM_CANCEL, messages.CONFIRM_CANCEL, ((
                Button(messages.CANCEL_YES, Choose(CONFIRM_CANCEL, "yes")),
                Button(messages.CANCEL_NO, Choose(CONFIRM_CANCEL, "no")),
            ),))
        question = self.current(draft)
        if question is None:
            rows = [
                (Button(label, EditGroup(group)),)
                for group, label in self.questionnaire.groups
                if any(q.applies(draft.answers) for q in self.questionnaire.in_group(group))
            ]
            rows.append((Button(messages.BACK_TO_SUMMARY, EditGroup("")),))
            return Prompt(MENU, messages.EDIT_MENU, tuple(rows))
        text = question.text
        if "{" in text:
            text = text.format_map(self._labels(draft.answers))
        if question.kind is Kind.PHONE:
            text += " " + self._phone_hint()
        if question.kind is Kind.SUMMARY:
            text = self.summary_text(draft.answers) + "\n\n" + text
            return Prompt(question.id, text, tuple((Button(o.label, Choose(question.id, o.value)),)
                                                   for o in question.options))
        rows: list[tuple[Button, ...]] = []
        if question.kind is Kind.CHOICE:
            rows = [(Button(o.label, Choose(question.id, o.value)),) for o in question.options]
        elif question.kind is Kind.MULTI:
            ticked = draft.selections.get(question.id, draft.answers.get(question.id, ()))
            rows = [
                (Button(("✅ " if o.value in ticked else "▫️ ") + o.label,
                        Toggle(question.id, o.value, o.value not in ticked)),)
                for o in question.options
            ]
            rows.append((Button(messages.DONE, Done(question.id)),))
        if question.kind is Kind.POSTCODE:
            rows += [(Button(name, Choose(question.id, code)),)
                     for code, name in draft.answers.get("_candidates", ())]
        if question.optional:
            rows.append((Button(messages.SKIP, Skip(question.id)),))
        if draft.editing and draft.answers.get(question.id) is not None and (
                question.kind is not Kind.MULTI):
            current = self.answer_label(question, draft.answers[question.id])
            text += "\n" + messages.CURRENT_ANSWER.format(answer=current)
            rows.append((Button(messages.KEEP, Skip(question.id)),))
        rows.append((Button(messages.CANCEL, Cancel()),))
        return Prompt(question.id, text, tuple(rows), typed=question.kind in _TYPED,
                      request_contact=question.kind is Kind.PHONE
                      and self.capabilities.share_contact)

    def answer_label(self, question: Question, value: Any) -> str:
        """An answer as HTML-safe text for summaries and alerts."""
        if isinstance(value, list | tuple):
            return ", ".join(html.escape(question.label(v)) for v in value)
        if question.options:
            return html.escape(question.label(str(value)))
        return html.escape(str(value))

    def summary_lines(self, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
        """``(label, HTML-safe answer)`` for each shown, applicable, answered question."""
        role = answers.get(self.role.id, answers.get(REMEMBERED))
        values = {**answers, self.role.id: role} if role else dict(answers)
        lines = []
        for question in self.questionnaire.questions:
            if question.summary and values.get(question.id) is not None and question.applies(
                    values):
                lines.append((question.summary, self.answer_label(question, values[question.id])))
            elif question.summary and question.optional and question.applies(values):
                lines.append((question.summary, messages.NOT_GIVEN))
        return lines

    def summary_text(self, answers: Mapping[str, Any]) -> str:
        """The summary shown before sending."""
        body = "\n".join(f"<b>{label}:</b> {value}" for label, value in self.summary_lines(answers))
        return f"{messages.SUMMARY_TITLE}\n\n{body}"

    # -- step helpers

    def _labels(self, answers: Mapping[str, Any]) -> dict[str, str]:
        return {REMEMBERED: html.escape(self.role.label(answers.get(REMEMBERED, "")))}

    def _as_button(self, draft: Draft, given: Input) -> Input:
        """Typed text that equals a button's label counts as pressing that button."""
        if isinstance(given, Text):
            return pressed(self.prompt(draft), given.text) or given
        return given

    def _phone_hint(self) -> str:
        return messages.PHONE_HINT_SHARE if self.capabilities.share_contact else (
            messages.PHONE_HINT)

    def _ask_cancel(self, draft: Draft) -> Result:
        asking = replace(draft, cancelling=True)
        return Result(Status.NEXT, asking, self.prompt(asking))

    def _confirm_step(self, draft: Draft, given: Input) -> Result:
        """The answer to "Weet u zeker dat u wilt stoppen?"; anything else asks again."""
        if given == Choose(CONFIRM_CANCEL, "yes"):
            return Result(Status.ENDED, draft, notice=messages.CANCELLED)
        if given == Choose(CONFIRM_CANCEL, "no"):
            going_on = replace(draft, cancelling=False)
            return Result(Status.NEXT, going_on, self.prompt(going_on),
                          ack=html.escape(messages.CANCEL_NO))
        return self._invalid(draft, messages.CONFIRM_CANCEL_FIRST)

    def _invalid(self, draft: Draft, notice: str) -> Result:
        return Result(Status.INVALID, draft, self.prompt(draft), notice)

    def _stale(self, draft: Draft, given: Input) -> Result:
        answered = getattr(given, "question", None) in draft.answers
        notice = messages.ALREADY_ANSWERED if answered else messages.STALE_BUTTON
        return Result(Status.STALE, draft, self.prompt(draft), notice)

    def _answer(self, draft: Draft, question: Question, value: Any, ack: str) -> Result:
        if question.personal:  # never echoed: the bot's message would keep it in the chat
            ack = messages.RECEIVED
        answers = {**draft.answers, question.id: value}
        selections = {k: v for k, v in draft.selections.items() if k != question.id}
        edited = draft.edited + (question.id,) if draft.editing else ()
        new = replace(draft, answers=answers, selections=selections, edited=edited)
        new = self._prune(new)
        if new.editing and not any(
            q.applies(new.answers) and q.id not in new.edited
            for q in self.questionnaire.in_group(new.editing)
        ):
            new = replace(new, editing=None, edited=())
        return Result(Status.NEXT, new, self.prompt(new), ack=ack, answered=question.id)

    def _prune(self, draft: Draft) -> Draft:
        """Drop answers to questions that no longer apply (they must not be kept)."""
        answers = dict(draft.answers)
        changed = True
        while changed:
            changed = False
            for question in self.questionnaire.questions:
                if question.id in answers and not question.applies(answers):
                    del answers[question.id]
                    changed = True
        return replace(draft, answers=answers)

    def _menu_step(self, draft: Draft, given: Input) -> Result:
        if not isinstance(given, EditGroup):
            if isinstance(given, Text | SharedContact | RoutedPostcode | RoutedHouseNumber
                          | Unsupported):
                return self._invalid(draft, messages.PICK_A_BUTTON)
            return self._stale(draft, given)
        if not given.group:
            new = replace(draft, editing=None, edited=())
            return Result(Status.NEXT, new, self.prompt(new))
        if not any(q.applies(draft.answers) for q in self.questionnaire.in_group(given.group)):
            return self._stale(draft, given)
        new = replace(draft, editing=given.group, edited=())
        return Result(Status.NEXT, new, self.prompt(new))


def pressed(prompt: Prompt, typed: str) -> ButtonInput | None:
    """The button of ``prompt`` whose label this typed text is, if any."""
    text = _plain(typed)
    return next((button.input for button in prompt.buttons() if _plain(button.label) == text),
                None)


def _plain(label: str) -> str:
    """A button label as a person might type it: no leading marks (emoji), any case or spacing."""
    return re.sub(r"\s+", "", re.sub(r"^[^\w(]+", "", label)).casefold()


def _choice(engine: Engine, draft: Draft, question: Question, given: Input) -> Result:
    if isinstance(given, Skip) and draft.editing and question.id in draft.answers:
        return engine._answer(draft, question, draft.answers[question.id], "")
    if not isinstance(given, Choose):
        return engine._invalid(draft, messages.PICK_A_BUTTON)
    option = question.option(given.value)
    if option is None:
        return engine._stale(draft, given)
    if option.ends:
        return Result(Status.ENDED, draft, notice=messages.STOPPED, ack=html.escape(option.label))
    return engine._answer(draft, question, option.value, html.escape(option.label))


def _summary(engine: Engine, draft: Draft, question: Question, given: Input) -> Result:
    if not isinstance(given, Choose) or question.option(given.value) is None:
        return engine._invalid(draft, messages.PICK_A_BUTTON)
    if given.value == "send":
        return Result(Status.SUBMIT, draft)
    if given.value == "cancel":
        return engine._ask_cancel(draft)
    new = replace(draft, editing=MENU, edited=())
    return Result(Status.NEXT, new, engine.prompt(new))


def _multi(engine: Engine, draft: Draft, question: Question, given: Input) -> Result:
    ticked = list(draft.selections.get(question.id, draft.answers.get(question.id, ())))
    if isinstance(given, Toggle):
        option = question.option(given.value)
        if option is None:
            return engine._stale(draft, given)
        if given.on and option.value not in ticked:
            if option.exclusive:
                ticked = []
            else:
                ticked = [v for v in ticked if not _exclusive(question, v)]
            ticked.append(option.value)
        elif not given.on and option.value in ticked:
            ticked.remove(option.value)
        order = [o.value for o in question.options]
        ticked.sort(key=order.index)
        if tuple(ticked) == tuple(draft.selections.get(question.id, ())) and (
                question.id in draft.selections):
            return Result(Status.STALE, draft, engine.prompt(draft), messages.ALREADY_ANSWERED)
        new = replace(draft, selections={**draft.selections, question.id: tuple(ticked)})
        return Result(Status.UPDATED, new, engine.prompt(new))
    if isinstance(given, Done):
        if not ticked:
            return engine._invalid(draft, messages.TICK_AT_LEAST_ONE)
        ack = ", ".join(html.escape(question.label(v)) for v in ticked)
        return engine._answer(draft, question, list(ticked), ack)
    return engine._invalid(draft, messages.TICK_THEN_DONE)


_ROUTING = (GEMEENTE, "gemeente_name", "_candidates", "_pc4", "_split")


def _gemeente(route: Route) -> dict[str, Any]:
    return {GEMEENTE: route.gemeente, "gemeente_name": route.gemeente_name}


def _without_routing(answers: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answers.items() if k not in _ROUTING}


def _routed_postcode(engine: Engine, draft: Draft, question: Question,
                     given: RoutedPostcode) -> Result:
    """A postcode with its route: taken, ambiguous (ask), split (the number decides) or out."""
    route, answers = given.route, _without_routing(draft.answers)
    if route.candidates and not route.needs_house_number:
        asking = replace(draft, answers={**answers, "_pc4": given.postcode,
                                         "_candidates": [list(c) for c in route.candidates]})
        return engine._invalid(asking, messages.AMBIGUOUS_POSTCODE)
    if route.needs_house_number:
        split = replace(draft, answers={**answers, "_split": True})
        return engine._answer(split, question, given.postcode, html.escape(given.postcode))
    if not route.on_board:
        return engine._invalid(replace(draft, answers=answers), messages.not_on_board(route))
    routed = replace(draft, answers={**answers, **_gemeente(route)})
    return engine._answer(routed, question, given.postcode, html.escape(given.postcode))


def _exclusive(question: Question, value: str) -> bool:
    option = question.option(value)
    return bool(option and option.exclusive)


def _typed(engine: Engine, draft: Draft, question: Question, given: Input) -> Result:
    """Text, postcode, house number and phone questions."""
    if isinstance(given, Skip):
        if draft.editing and question.id in draft.answers:
            return engine._answer(draft, question, draft.answers[question.id], "")
        if question.optional:
            return engine._answer(draft, question, None, messages.SKIPPED)
        return engine._stale(draft, given)
    if isinstance(given, RoutedPostcode) and question.kind is Kind.POSTCODE:
        return _routed_postcode(engine, draft, question, given)
    if isinstance(given, RoutedHouseNumber) and question.kind is Kind.HOUSE_NUMBER:
        if given.route.candidates:  # not an address CBS knows in this postcode
            return engine._invalid(draft, messages.HOUSE_NUMBER_UNKNOWN)
        if not given.route.on_board:  # the address lies outside: the postcode goes too
            answers = {k: v for k, v in draft.answers.items() if k not in _ROUTING}
            answers.pop(engine.postcode.id, None)
            return engine._invalid(replace(draft, answers=answers),
                                   messages.not_on_board(given.route))
        routed = replace(draft, answers={**_without_routing(draft.answers),
                                         **_gemeente(given.route)})
        return engine._answer(routed, question, given.number, html.escape(given.number))
    if isinstance(given, SharedContact) and question.kind is Kind.PHONE:
        phone = parse_phone(given.phone)
        if phone is None:
            return engine._invalid(draft, f"{messages.PHONE_INVALID} {engine._phone_hint()}")
        return engine._answer(draft, question, phone, html.escape(phone))
    if not isinstance(given, Text):
        return engine._invalid(draft, messages.TYPE_AN_ANSWER)
    text = given.text.strip()
    if question.kind is Kind.POSTCODE:
        return engine._invalid(draft, messages.POSTCODE_INVALID)
    if question.kind is Kind.HOUSE_NUMBER:
        number = parse_house_number(text)
        if number is None:
            return engine._invalid(draft, messages.HOUSE_NUMBER_INVALID)
        return engine._answer(draft, question, number, html.escape(number))
    if question.kind is Kind.PHONE:
        phone = parse_phone(text)
        if phone is None:
            return engine._invalid(draft, f"{messages.PHONE_INVALID} {engine._phone_hint()}")
        return engine._answer(draft, question, phone, html.escape(phone))
    if not text:
        return engine._invalid(draft, messages.TYPE_AN_ANSWER)
    if len(text) > question.max_chars:
        return engine._invalid(
            draft, messages.TOO_LONG.format(length=len(text), limit=question.max_chars)
        )
    return engine._answer(draft, question, text, messages.RECEIVED)


_HANDLERS = {
    Kind.CHOICE: _choice,
    Kind.MULTI: _multi,
    Kind.TEXT: _typed,
    Kind.POSTCODE: _typed,
    Kind.HOUSE_NUMBER: _typed,
    Kind.PHONE: _typed,
    Kind.SUMMARY: _summary,
}
