"""How each kind of question takes an input: choices, checklists, the summary, typed answers.

These are the engine's own steps (``Engine.step`` picks one by the question's kind); they
build their results with the engine's helpers.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.core import messages
from bot.core.draft import MENU, Draft
from bot.core.inputs import (
    Choose,
    Done,
    Input,
    Route,
    RoutedHouseNumber,
    RoutedPostcode,
    Select,
    SharedContact,
    Skip,
    Text,
    Toggle,
)
from bot.core.parsing import parse_house_number, parse_phone
from bot.core.prompts import Result, Status
from bot.core.questionnaire import GEMEENTE, Kind, Question

if TYPE_CHECKING:
    from bot.core.engine import Engine


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


def _door(engine: Engine, draft: Draft, question: Question, given: Input) -> Result:
    """A door: the picked option's questionnaire is walked from here on."""
    if not isinstance(given, Choose):
        return engine._invalid(draft, messages.PICK_A_BUTTON)
    option = question.option(given.value)
    if option is None:
        return engine._stale(draft, given)
    opened = replace(draft, flow=option.opens)
    return Result(Status.NEXT, opened, engine.prompt(opened), ack=html.escape(option.label),
                  answered=question.id)


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
    if isinstance(given, Select):
        return _select(engine, draft, question, given)
    if isinstance(given, Done):
        if not ticked:
            return engine._invalid(draft, messages.TICK_AT_LEAST_ONE)
        return _answer_ticks(engine, draft, question, ticked)
    return engine._invalid(draft, messages.TICK_THEN_DONE)


def _select(engine: Engine, draft: Draft, question: Question, given: Select) -> Result:
    """Exactly these options, as the answer (like ticking them and "Klaar")."""
    values = list(dict.fromkeys(given.values))
    if any(question.option(value) is None for value in values):
        return engine._stale(draft, given)
    if not values:
        return engine._invalid(draft, messages.SELECT_AT_LEAST_ONE)
    exclusive = next((value for value in values if _exclusive(question, value)), None)
    if exclusive is not None and len(values) > 1:
        return engine._invalid(draft, messages.EXCLUSIVE_ALONE.format(
            option=html.escape(question.label(exclusive))))
    order = [option.value for option in question.options]
    return _answer_ticks(engine, draft, question, sorted(values, key=order.index))


def _answer_ticks(engine: Engine, draft: Draft, question: Question, values: list[str]) -> Result:
    ack = ", ".join(html.escape(question.label(value)) for value in values)
    return engine._answer(draft, question, list(values), ack)


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
            if engine.postcode is not None:
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


HANDLERS = {
    Kind.CHOICE: _choice,
    Kind.DOOR: _door,
    Kind.MULTI: _multi,
    Kind.TEXT: _typed,
    Kind.POSTCODE: _typed,
    Kind.HOUSE_NUMBER: _typed,
    Kind.PHONE: _typed,
    Kind.SUMMARY: _summary,
}
