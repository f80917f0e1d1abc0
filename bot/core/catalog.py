"""What a language's catalog translates, and how a translated text takes a source text's place.

Entries are (context, Dutch text). A message's strings are keyed by its name: a text, each
value of a mapping (and a key that is itself a text, as in ``WEB_REWORDED``), each item of a
tuple, but not the command names of a command list. A questionnaire's are keyed
``<id>:<question>:text``, ``<id>:<question>:summary``, ``<id>:<question>:option:<value>`` and
``<id>:group:<group>``; a conversation-starter card ``vraagje`` (``bot.core.vraagjes``).
Only what a person reads is translated: staff read the gemeente's language
(``bot.core.messages.GEMEENTE_MODULES``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from typing import Any

from bot.core.language import SOURCE, active, translate
from bot.core.questionnaire import Question, Questionnaire

_PLACEHOLDER = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})")

Translate = Callable[[str, str], str]


def _is_text(value: str) -> bool:
    return bool(re.search(r"\s", value.strip()))


def walk(name: str, value: Any, tr: Translate) -> Any:
    """A message's value with each of its strings passed through ``tr(context, text)``."""
    if isinstance(value, str):
        return tr(name, value)
    if isinstance(value, dict):
        return {tr(name, key) if isinstance(key, str) and _is_text(key) else key:
                walk(name, item, tr) for key, item in value.items()}
    if isinstance(value, tuple):
        if name.endswith("COMMANDS"):  # (command, description): the command stays
            return tuple((command, tr(name, description)) for command, description in value)
        return tuple(walk(name, item, tr) for item in value)
    return value


def message_entries(name: str, value: Any) -> Iterator[tuple[str, str]]:
    """The (context, Dutch text) entries of one message."""
    found: list[tuple[str, str]] = []

    def note(context: str, text: str) -> str:
        found.append((context, text))
        return text

    walk(name, value, note)
    yield from found


def localize_message(name: str, value: Any, language: str) -> Any:
    """A message's value in a language."""
    return walk(name, value, lambda context, text: translate(context, text, language))


def _question_texts(questionnaire_id: str, question: Question) -> Iterator[tuple[str, str]]:
    prefix = f"{questionnaire_id}:{question.id}"
    yield f"{prefix}:text", question.text
    if question.summary:
        yield f"{prefix}:summary", question.summary


def questionnaire_entries(questionnaire: Questionnaire) -> Iterator[tuple[str, str]]:
    """The (context, Dutch text) entries of a questionnaire."""
    for group, label in questionnaire.groups:
        yield f"{questionnaire.id}:group:{group}", label
    for question in questionnaire.questions:
        yield from _question_texts(questionnaire.id, question)
        for option in question.options:
            yield f"{questionnaire.id}:{question.id}:option:{option.value}", option.label


def _localized(questionnaire: Questionnaire, language: str) -> Questionnaire:
    qid = questionnaire.id

    def tr(context: str, text: str) -> str:
        return translate(context, text, language)

    questions = tuple(dataclasses.replace(
        question,
        text=tr(f"{qid}:{question.id}:text", question.text),
        summary=tr(f"{qid}:{question.id}:summary", question.summary) if question.summary else "",
        options=tuple(dataclasses.replace(option, label=tr(
            f"{qid}:{question.id}:option:{option.value}", option.label))
            for option in question.options))
        for question in questionnaire.questions)
    return dataclasses.replace(
        questionnaire, questions=questions,
        groups=tuple((group, tr(f"{qid}:group:{group}", label))
                     for group, label in questionnaire.groups))


_questionnaires: dict[tuple[int, str], tuple[Questionnaire, Questionnaire]] = {}


def localize(questionnaire: Questionnaire) -> Questionnaire:
    """The questionnaire in the active language (the same object in Dutch)."""
    language = active()
    if language == SOURCE:
        return questionnaire
    key = (id(questionnaire), language)
    cached = _questionnaires.get(key)
    if cached is None or cached[0] is not questionnaire:
        cached = _questionnaires[key] = (questionnaire, _localized(questionnaire, language))
    return cached[1]


def placeholders(text: str) -> list[str]:
    """The ``{placeholders}`` of a template, sorted (a translation keeps the same ones)."""
    return sorted(_PLACEHOLDER.findall(text))
