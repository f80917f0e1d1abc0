"""The pure conversation engine: ``(draft, input) -> result``. It knows no channel.

A channel adapter renders ``Result.prompt`` (text plus buttons, each button carrying the
``Input`` it stands for) and turns what the person does back into an ``Input``; what the
channel can do beyond text and buttons comes in as ``Capabilities``. Routing a postcode is
the caller's job: it hands the engine a ``RoutedPostcode``, never a lookup.

One rule on every step and channel: typed text equal to a button's label (in any case, with
any spacing) presses that button. On a channel without buttons (``Capabilities.numbered``)
a typed line is read by ``bot.core.numbered`` instead: numbers, labels and words.
Cancelling always asks first; the question is part of the draft, so it survives a restart and
a stale answer to it is recognised.

A ``door`` question opens another questionnaire (its option's ``opens``): the draft then walks
that one (``Draft.flow``), and the engine hands every step to that questionnaire's engine.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.core import messages, numbered
from bot.core.answering import HANDLERS
from bot.core.catalog import localize
from bot.core.draft import CONFIRM_CANCEL, MENU, Draft
from bot.core.inputs import (
    Cancel,
    Choose,
    Done,
    EditGroup,
    Input,
    RoutedHouseNumber,
    RoutedPostcode,
    SharedContact,
    Skip,
    Text,
    Toggle,
    Unsupported,
)
from bot.core.language import active
from bot.core.prompts import Button, Capabilities, Prompt, Result, Status, pressed
from bot.core.questionnaire import (
    REMEMBERED,
    Kind,
    Marker,
    Question,
    Questionnaire,
    ReportKind,
)

_TEXT_AND_BUTTONS = Capabilities()  # what every channel can do
_TYPED = frozenset({Kind.TEXT, Kind.POSTCODE, Kind.HOUSE_NUMBER, Kind.PHONE})  # typed answers


class Engine:
    """Walks a ``Questionnaire`` for a channel with these ``Capabilities``; every method is pure.

    It finds the questions it treats specially by their markers (``role``, ``postcode``, where
    the questionnaire has them). ``flows`` are the questionnaires its door opens, by id.
    """

    def __init__(self, questionnaire: Questionnaire,
                 capabilities: Capabilities = _TEXT_AND_BUTTONS,
                 flows: Mapping[str, Questionnaire] | None = None) -> None:
        self._given = questionnaire  # for variants on other channels
        if not capabilities.replies:
            questionnaire = questionnaire.without_via_chat()
        self.source = questionnaire
        self.capabilities = capabilities
        self.flows = dict(flows or {})
        self._variants: dict[Capabilities, Engine] = {capabilities: self}
        self._opened: dict[str, Engine] = {}
        self._markers: dict[tuple[str, Marker], Question | None] = {}

    @property
    def questionnaire(self) -> Questionnaire:
        """The questionnaire in the active language."""
        return localize(self.source)

    @property
    def role(self) -> Question | None:
        """The question that asks who the signaler is, if there is one."""
        return self._marked(Marker.ROLE)

    @property
    def postcode(self) -> Question | None:
        """The question that asks the postcode, if there is one."""
        return self._marked(Marker.POSTCODE)

    def _marked(self, marker: Marker) -> Question | None:
        """The question with a marker, in the active language (found once per language)."""
        key = (active(), marker)
        if key not in self._markers:
            self._markers[key] = self.questionnaire.find(marker)
        return self._markers[key]

    def on(self, capabilities: Capabilities) -> Engine:
        """The engine for a channel with these capabilities (same questionnaires)."""
        variant = self._variants.get(capabilities)
        if variant is None:
            variant = self._variants[capabilities] = Engine(self._given, capabilities,
                                                            self.flows)
        return variant

    def flow(self, questionnaire_id: str) -> Engine:
        """The engine of one of the questionnaires (this one's, or one its door opens).

        An id that is neither (a signal filed with an older questionnaire) gets the signal's.
        """
        if questionnaire_id == self.source.id:
            return self
        engine = self._opened.get(questionnaire_id)
        if engine is None:
            if questionnaire_id not in self.flows:
                signal = self.of_kind(ReportKind.SIGNAAL)
                return signal if signal is not None else self
            engine = Engine(self.flows[questionnaire_id], self.capabilities)
            self._opened[questionnaire_id] = engine
        return engine

    def of_kind(self, kind: ReportKind) -> Engine | None:
        """The engine of the questionnaire of this kind, if there is one."""
        if self.source.kind is kind:
            return self
        found = next((q.id for q in self.flows.values() if q.kind is kind), None)
        return None if found is None else self.flow(found)

    def walking(self, draft: Draft) -> Engine:
        """The engine of the questionnaire the draft walks."""
        return self.flow(draft.flow) if draft.flow else self

    def start(self, token: str, prefill: Mapping[str, Any] | None = None, *,
              flow: str = "") -> Result:
        """A fresh draft with its first prompt; ``prefill`` holds remembered values.

        ``flow`` starts in one of the questionnaires the door opens, without the door.
        """
        draft = Draft(token=token, answers=dict(prefill or {}), flow=flow)
        return Result(Status.NEXT, draft, self.prompt(draft))

    def current(self, draft: Draft) -> Question | None:
        """The question to ask now (None while the edit menu is open)."""
        if (walking := self.walking(draft)) is not self:
            return walking.current(draft)
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
        if (walking := self.walking(draft)) is not self:
            return walking.step(draft, given)
        read = self._as_button(draft, given)
        if isinstance(read, numbered.Refusal):
            return self._invalid(draft, read.notice)
        given = read
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
            return self._invalid(draft, messages.UNSUPPORTED_TYPED if self.capabilities.numbered
                                 else messages.UNSUPPORTED)
        if isinstance(given, EditGroup):  # a group picked at the summary opens at once
            if question.kind is Kind.SUMMARY and given.group:
                return self._menu_step(draft, given)
            return self._stale(draft, given)
        button_question = getattr(given, "question", None)
        if button_question is not None and button_question != question.id:
            return self._stale(draft, given)
        return HANDLERS[question.kind](self, draft, question, given)

    # -- prompts

    def prompt(self, draft: Draft) -> Prompt:
        """The prompt for the draft's current question (or the edit menu, or "stop?")."""
        if (walking := self.walking(draft)) is not self:
            return walking.prompt(draft)
        if draft.cancelling:
            return Prompt(CONFIRM_CANCEL, messages.CONFIRM_CANCEL, ((
                Button(messages.CANCEL_YES, Choose(CONFIRM_CANCEL, "yes")),
                Button(messages.CANCEL_NO, Choose(CONFIRM_CANCEL, "no")),
            ),))
        question = self.current(draft)
        if question is None:
            groups = [(button,) for button in self._edit_groups(draft)]
            groups.append((Button(messages.BACK_TO_SUMMARY, EditGroup("")),))
            return Prompt(MENU, messages.EDIT_MENU, tuple(groups))
        text = question.text
        if "{" in text:
            text = text.format_map(self._labels(draft.answers))
        if question.kind is Kind.PHONE:
            text += " " + self._phone_hint()
        if question.kind is Kind.MULTI and not self.capabilities.numbered:
            text += " " + messages.TICK_HINT
        if question.kind is Kind.SUMMARY:
            text = self.summary_text(draft.answers) + "\n\n" + text
            return Prompt(question.id, text, tuple((Button(o.label, Choose(question.id, o.value)),)
                                                   for o in question.options),
                          edit_groups=self._edit_groups(draft))
        rows: list[tuple[Button, ...]] = []
        if question.kind in (Kind.CHOICE, Kind.DOOR):
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
        role = answers.get(self.role.id, answers.get(REMEMBERED)) if self.role else None
        values = {**answers, self.role.id: role} if self.role and role else dict(answers)
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
        title = messages.SUMMARY_TITLES.get(self.questionnaire.kind, messages.SUMMARY_TITLE)
        return f"{title}\n\n{body}"

    # -- step helpers

    def _labels(self, answers: Mapping[str, Any]) -> dict[str, str]:
        role = self.role.label(answers.get(REMEMBERED, "")) if self.role else ""
        return {REMEMBERED: html.escape(role)}

    def _edit_groups(self, draft: Draft) -> tuple[Button, ...]:
        """The groups that can be changed now: those with a question that applies."""
        questionnaire = self.questionnaire
        return tuple(
            Button(label, EditGroup(group)) for group, label in questionnaire.groups
            if any(q.applies(draft.answers) for q in questionnaire.in_group(group)))

    def _as_button(self, draft: Draft, given: Input) -> Input | numbered.Refusal:
        """Typed text that equals a button's label counts as pressing that button.

        On a numbered channel the line is read against the prompt (``numbered.read``).
        """
        if not isinstance(given, Text):
            return given
        if self.capabilities.numbered:
            return numbered.read(self.prompt(draft), given.text) or given
        return pressed(self.prompt(draft), given.text) or given

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
            for question in self.source.questions:  # which apply: the same in every language
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
