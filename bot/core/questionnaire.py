"""What a questionnaire is: questions, options, conditions, markers.

The questionnaires themselves are data files (``bot/core/questionnaires/``), loaded and checked by
``bot.core.questionnaires.loader``. Questions are asked in order; a question is asked while it is
*applicable* (its ``when`` condition holds) and unanswered. Editing a summary group re-asks
that group's questions. Texts are Dutch and HTML-safe (Telegram's HTML subset); user input
never appears here. Code finds the questions it needs by their ``marker``, never by their id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

REMEMBERED = "remembered_role"  # prefilled: the role the signaler gave last time
GEMEENTE = "gemeente"  # set by routing the postcode: the gemeente's code


class Marker(StrEnum):
    """What code finds a question by (each marks at most one question of a questionnaire)."""

    ROLE = "role"  # who the signaler is; remembered for their next signal
    POSTCODE = "postcode"  # routes the signal to a gemeente
    SIGNS = "signs"  # what was noticed, counted in the monitoring
    DESCRIPTION = "description"  # its limit is a setting (intake.description_max_chars)
    CONSENT = "consent"  # contact with the signaler allowed: an option that ``grants`` it


class ReportKind(StrEnum):
    """What a questionnaire is for: the kind of report it files (or the door to them)."""

    SIGNAAL = "signaal"  # a worry about someone else
    ZELFMELDING = "zelfmelding"  # a person who feels lonely themselves
    VRIJWILLIGER = "vrijwilliger"  # a person who wants to do something for others
    DEUR = "deur"  # the first question: which of the others to walk


# The markers each kind of questionnaire must have, exactly once.
REQUIRED_MARKERS: dict[ReportKind, tuple[Marker, ...]] = {
    ReportKind.SIGNAAL: (Marker.ROLE, Marker.POSTCODE, Marker.SIGNS, Marker.CONSENT),
    ReportKind.ZELFMELDING: (Marker.POSTCODE, Marker.CONSENT),
    ReportKind.VRIJWILLIGER: (Marker.POSTCODE, Marker.CONSENT),
    ReportKind.DEUR: (),
}
# Kinds whose writer is the person the report is about: /vergeetmij erases the report's
# personal fields, not only the writer's contact details.
ABOUT_THE_WRITER = frozenset({ReportKind.ZELFMELDING, ReportKind.VRIJWILLIGER})


class Kind(StrEnum):
    """How a question is answered."""

    CHOICE = "choice"  # one button
    DOOR = "door"  # one button that opens another questionnaire (its option's ``opens``)
    MULTI = "multi"  # toggle buttons, then "Klaar"
    TEXT = "text"  # typed text, length-limited
    POSTCODE = "postcode"  # typed postcode, routed to a gemeente
    HOUSE_NUMBER = "house_number"  # typed number with optional addition
    PHONE = "phone"  # shared contact or typed phone number
    SUMMARY = "summary"  # send / change / cancel


@dataclass(frozen=True)
class Option:
    """One answer button.

    ``ends`` stops the conversation; ``exclusive`` clears other ticks; ``grants`` gives what
    a consent question asks; ``opens`` is the id of the questionnaire a door option opens;
    ``via_chat`` means reaching the person through this chat later, so a channel that cannot
    send later (the web chat) does not offer it.
    """

    value: str
    label: str
    exclusive: bool = False
    ends: bool = False
    grants: bool = False
    opens: str = ""
    via_chat: bool = False


@dataclass(frozen=True)
class Equals:
    """Holds when the answer to ``question`` is one of ``values``."""

    question: str
    values: tuple[str, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """Whether the condition holds for these answers."""
        return answers.get(self.question) in self.values


@dataclass(frozen=True)
class Absent:
    """Holds when there is no answer (or prefilled value) for ``question``."""

    question: str

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """Whether the condition holds for these answers."""
        return self.question not in answers


@dataclass(frozen=True)
class AnyOf:
    """Holds when one of its conditions holds."""

    conditions: tuple[Condition, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """Whether the condition holds for these answers."""
        return any(condition.holds(answers) for condition in self.conditions)


@dataclass(frozen=True)
class AllOf:
    """Holds when all of its conditions hold."""

    conditions: tuple[Condition, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """Whether the condition holds for these answers."""
        return all(condition.holds(answers) for condition in self.conditions)


Condition = Equals | Absent | AnyOf | AllOf


@dataclass(frozen=True)
class Question:
    """One step of the conversation.

    ``summary`` is the label in the summary and alert (empty: not shown); ``group`` is the
    "Wijzigen" group; ``personal`` marks answers about a person (never logged, erased on purge);
    ``steering`` answers only steer the conversation (not filed); ``counted`` choice answers
    are copied anonymously for the monitoring export; ``marker`` is what code finds it by.
    """

    id: str
    kind: Kind
    text: str
    options: tuple[Option, ...] = ()
    when: Condition | None = None
    optional: bool = False
    max_chars: int = 0
    summary: str = ""
    group: str = ""
    personal: bool = False
    steering: bool = False
    counted: bool = False
    marker: str = ""

    def applies(self, answers: Mapping[str, Any]) -> bool:
        """Whether this question is asked, given the answers so far."""
        return self.when is None or self.when.holds(answers)

    def option(self, value: str) -> Option | None:
        """The option with this value, if any."""
        return next((option for option in self.options if option.value == value), None)

    def label(self, value: str) -> str:
        """The label of an option value (the value itself when unknown)."""
        option = self.option(value)
        return option.label if option else value


@dataclass(frozen=True)
class Questionnaire:
    """An ordered set of questions plus the summary's edit groups, of one ``kind``."""

    id: str
    questions: tuple[Question, ...]
    groups: tuple[tuple[str, str], ...] = field(default=())
    kind: ReportKind = ReportKind.SIGNAAL

    def __post_init__(self) -> None:
        ids = [question.id for question in self.questions]
        if len(ids) != len(set(ids)):
            raise ValueError("question ids must be unique")
        group_ids = {group for group, _ in self.groups}
        for question in self.questions:
            if question.group and question.group not in group_ids:
                raise ValueError(f"{question.id}: unknown group {question.group}")

    def get(self, question_id: str) -> Question | None:
        """The question with this id, if any."""
        return next((q for q in self.questions if q.id == question_id), None)

    def without_via_chat(self) -> Questionnaire:
        """This questionnaire for a channel that cannot send later: no ``via_chat`` options."""
        return replace(self, questions=tuple(
            replace(q, options=tuple(o for o in q.options if not o.via_chat))
            for q in self.questions))

    def in_group(self, group: str) -> tuple[Question, ...]:
        """The questions of one edit group, in order."""
        return tuple(question for question in self.questions if question.group == group)

    @property
    def counted(self) -> tuple[Question, ...]:
        """The questions whose answers are copied anonymously for the monitoring export."""
        return tuple(question for question in self.questions if question.counted)

    def find(self, marker: Marker) -> Question | None:
        """The question with this marker, if any."""
        return next((q for q in self.questions if q.marker == marker), None)

    def marked(self, marker: Marker) -> Question:
        """The question with this marker (see ``REQUIRED_MARKERS``)."""
        question = self.find(marker)
        if question is None:
            raise LookupError(f"{self.id}: no question is marked {marker}")
        return question

    def consented(self, answers: Mapping[str, Any]) -> bool:
        """Whether these answers give consent to contact (the consent question's ``grants``)."""
        question = self.marked(Marker.CONSENT)
        option = question.option(str(answers.get(question.id)))
        return bool(option and option.grants)

