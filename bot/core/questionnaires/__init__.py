"""The questionnaires as data files beside this module, and gemeenten's extra questions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.questionnaire import Kind, Question, Questionnaire, ReportKind
from bot.core.questionnaires.loader import QuestionnaireError, load, load_extras

if TYPE_CHECKING:
    from bot.settings import Settings

HERE = Path(__file__).parent
SIGNAL_FILE = HERE / "signal.toml"
DOOR_FILE = HERE / "deur.toml"
FLOW_FILES = (HERE / "zelfmelding.toml", HERE / "vrijwilliger.toml")


@cache
def signal(description_max_chars: int | None = None) -> Questionnaire:
    """The signal questionnaire (``signal.toml``), checked as it is loaded."""
    return load(SIGNAL_FILE, description_max_chars=description_max_chars)


@cache
def door() -> Questionnaire:
    """The door questionnaire (``deur.toml``): the first question, which opens the others."""
    return load(DOOR_FILE)


@cache
def others() -> tuple[Questionnaire, ...]:
    """The questionnaires beside the signal's that a door opens (self-report, volunteer)."""
    return tuple(load(path) for path in FLOW_FILES)


def with_extras(base: Questionnaire, extras: Mapping[str, str | Path]) -> Questionnaire:
    """``base`` with each gemeente's extra questions (code: file) just before its summary."""
    groups = list(base.groups)
    added: list[Question] = []
    for code, path in extras.items():
        group, questions = load_extras(path, code)
        groups.append(group)
        added += questions
    *asked, summary = base.questions
    return Questionnaire(base.id, (*asked, *added, summary), tuple(groups), base.kind)


def for_settings(settings: Settings) -> Questionnaire:
    """The signal questionnaire as configured: its text limit, the gemeenten's questions."""
    return with_extras(signal(settings.intake.description_max_chars),
                       {g.code: g.questions for g in settings.gemeenten if g.questions})


def offered(door_questionnaire: Questionnaire, flows: Iterable[Questionnaire],
            kinds: Iterable[ReportKind]) -> tuple[Questionnaire | None, dict[str, Questionnaire]]:
    """The door with the options of these ``kinds`` only, and the questionnaires it opens.

    With one kind only there is no door (None): a conversation starts in that questionnaire.

    Raises:
        QuestionnaireError: a door option opens a questionnaire that does not exist.
    """
    by_id = {flow.id: flow for flow in flows}
    wanted = set(kinds)
    (question,) = door_questionnaire.questions
    missing = [o.opens for o in question.options if o.opens not in by_id]
    if missing:
        raise QuestionnaireError([f"{DOOR_FILE}: no questionnaire {', '.join(missing)}"])
    options = tuple(o for o in question.options if by_id[o.opens].kind in wanted)
    opened = {o.opens: by_id[o.opens] for o in options}
    if len(options) < 2:
        return None, opened
    assert question.kind is Kind.DOOR
    return replace(door_questionnaire, questions=(replace(question, options=options),)), opened


def flows_for_settings(settings: Settings) -> tuple[Questionnaire | None, dict[str, Questionnaire]]:
    """The door and the questionnaires it opens, as configured (``intake.flows``)."""
    return offered(door(), (for_settings(settings), *others()), settings.intake.flows)
