"""The questionnaires as data files beside this module, and gemeenten's extra questions."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.questionnaire import Question, Questionnaire
from bot.core.questionnaires.loader import load, load_extras

if TYPE_CHECKING:
    from bot.settings import Settings

SIGNAL_FILE = Path(__file__).with_name("signal.toml")


@cache
def signal(description_max_chars: int | None = None) -> Questionnaire:
    """The signal questionnaire (``signal.toml``), checked as it is loaded."""
    return load(SIGNAL_FILE, description_max_chars=description_max_chars)


def with_extras(base: Questionnaire, extras: Mapping[str, str | Path]) -> Questionnaire:
    """``base`` with each gemeente's extra questions (code: file) just before its summary."""
    groups = list(base.groups)
    added: list[Question] = []
    for code, path in extras.items():
        group, questions = load_extras(path, code)
        groups.append(group)
        added += questions
    *asked, summary = base.questions
    return Questionnaire(base.id, (*asked, *added, summary), tuple(groups))


def for_settings(settings: Settings) -> Questionnaire:
    """The signal questionnaire as configured: its text limit, the gemeenten's questions."""
    return with_extras(signal(settings.intake.description_max_chars),
                       {g.code: g.questions for g in settings.gemeenten if g.questions})
