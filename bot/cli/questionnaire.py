"""``signaalbot questionnaire check FILE`` and ``signaalbot questionnaire show``."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import ConfigOption, fail, settings_or_exit
from bot.core.questionnaire import (
    GEMEENTE,
    REMEMBERED,
    Absent,
    AllOf,
    AnyOf,
    Condition,
    Questionnaire,
)
from bot.core.questionnaires import SIGNAL_FILE, for_settings, signal
from bot.core.questionnaires.loader import QuestionnaireError, check, is_extras, load, load_extras

questionnaire_app = typer.Typer(help="Questionnaires as data files: check them, show the flow.",
                                no_args_is_help=True)
FileArgument = Annotated[Path, typer.Argument(help="A questionnaire or extra-questions file.",
                                              show_default=False)]


@questionnaire_app.command("check")
def check_command(file: FileArgument) -> None:
    """Report every problem of a questionnaire file, each with its file and line."""
    problems = check(file)
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"{file}: no problems")


@questionnaire_app.command("show")
def show_command(file: Annotated[Path | None, typer.Argument(
        help="A questionnaire or extra-questions file (default: the signal questionnaire).",
        show_default=False)] = None, config: ConfigOption = None) -> None:
    """Print the flow of questions for a policy officer: when each is asked, its answers."""
    try:
        if file is None:
            questionnaire = for_settings(settings_or_exit(config)) if config else signal()
        elif is_extras(file):
            group, questions = load_extras(file, "GM0000")
            questionnaire = Questionnaire(file.stem, questions, (group,))
        else:
            questionnaire = load(file)
    except QuestionnaireError as error:
        raise fail(f"{error.problems[0]} (see `signaalbot questionnaire check "
                   f"{file or SIGNAL_FILE}`)") from None
    typer.echo(flow(questionnaire))


def flow(questionnaire: Questionnaire) -> str:
    """The questionnaire as numbered steps in plain text."""
    lines = [f"Questionnaire {questionnaire.id}: {len(questionnaire.questions)} questions", ""]
    for number, question in enumerate(questionnaire.questions, 1):
        heading = f"{number}. [{question.id}] ({question.kind}"
        heading += ", optional)" if question.optional else ")"
        lines.append(heading)
        if question.when is not None:
            lines.append(f"   Asked only if {_condition(questionnaire, question.when)}.")
        lines += [f"   {line}" for line in _plain(question.text).splitlines()]
        for option in question.options:
            ends = ("  -> ends the conversation" if option.ends
                    else f"  -> opens {option.opens}" if option.opens else "")
            lines.append(f"   - {option.label}{ends}")
        if question.summary:
            lines.append(f"   In the summary and the alert as \"{question.summary}\".")
        if question.personal:
            lines.append("   Personal: never logged, erased after the retention period.")
        lines.append("")
    return "\n".join(lines).rstrip()


def _condition(questionnaire: Questionnaire, condition: Condition) -> str:
    if isinstance(condition, AnyOf | AllOf):
        word = " or " if isinstance(condition, AnyOf) else " and "
        return word.join(_condition(questionnaire, part) for part in condition.conditions)
    known = "not known" if isinstance(condition, Absent) else "known"
    if condition.question == REMEMBERED:
        return f"the signaler's role from last time is {known}"
    if isinstance(condition, Absent):
        return f"[{condition.question}] is not answered"
    if condition.question == GEMEENTE:
        return f"the address lies in {' or '.join(condition.values)}"
    question = questionnaire.get(condition.question)
    labels = [question.label(value) if question else value for value in condition.values]
    return f"[{condition.question}] is " + " or ".join(f"\"{label}\"" for label in labels)


def _plain(text: str) -> str:
    """A question's HTML text as plain text."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
