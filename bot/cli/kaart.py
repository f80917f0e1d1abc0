"""The sociale kaart: ``kaart import``, ``list``, ``add``, ``remove`` and ``suggest``.

The CSV's problems are the same Dutch lines a regisseur reads in the chat, "regel N: kolom X: …";
the rest of the output is the command line's English.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.admin import as_seen
from bot.cli.common import ConfigOption, fail, on_database, settings_or_exit, uow_for
from bot.core import kaart_csv
from bot.core.kaart import KaartError, KaartService, Saved
from bot.core.sociale_kaart import TAGS, Activity, shown
from bot.settings import Settings

T = TypeVar("T")
kaart_app = typer.Typer(help="The sociale kaart: local activities to suggest, per gemeente.",
                        no_args_is_help=True)
Gemeente = Annotated[str, typer.Option("--gemeente", "-g", help="CBS code, e.g. GM0534.")]
_PC4 = re.compile(r"\s*(\d{4})(\s*[a-zA-Z]{2})?\s*")


def _kaart(settings: Settings, work: Callable[[KaartService], Awaitable[T]]) -> T:
    async def _run(engine: AsyncEngine) -> T:
        return await work(KaartService(lambda: uow_for(engine, settings)))

    try:
        return on_database(settings, _run, encrypted=True)
    except KaartError as error:
        raise fail(str(error), 1) from None


def _line(activity: Activity) -> str:
    """One activity as a tab-separated line: name, area, place, when, contact, tags."""
    area = str(activity.pc4) if activity.pc4 is not None else "whole gemeente"
    tags = ",".join(tag for tag in TAGS if tag in activity.tags)
    return "\t".join((activity.name, area, activity.place, activity.when, activity.contact, tags))


def _saved(code: str, saved: Saved) -> str:
    return (f"{code}: {saved.added} added, {saved.updated} updated, {saved.removed} removed")


@kaart_app.command("import")
def kaart_import(
        file: Annotated[Path, typer.Argument(help="CSV: naam, wat, pc4, plaats, wanneer, "
                                                  "contact, tags (UTF-8; ; or , between cells)")],
        gemeente: Gemeente,
        replace: Annotated[bool, typer.Option(
            "--replace", help="the file becomes the whole kaart: others are removed")] = False,
        config: ConfigOption = None) -> None:
    """Add or update a gemeente's activities from a CSV file; all or nothing."""
    try:
        data = file.read_bytes()
    except OSError as error:
        raise fail(f"cannot read {file}: {error.strerror or error}", 1) from None
    try:
        activities = kaart_csv.parse(data)
    except kaart_csv.CsvProblems as problems:
        typer.echo(f"signaalbot: {file}: nothing imported, {len(problems.problems)} "
                   "problem(s):", err=True)
        for line in kaart_csv.shown(problems.problems):
            typer.echo(html.unescape(line), err=True)
        raise typer.Exit(1) from None
    saved = _kaart(settings_or_exit(config), lambda kaart: kaart.save(
        gemeente, activities, replace=replace))
    typer.echo(_saved(gemeente, saved))


@kaart_app.command("list")
def kaart_list(gemeente: Gemeente, config: ConfigOption = None) -> None:
    """A gemeente's activities: name, PC4, place, when, contact, tags (tab-separated)."""
    activities = _kaart(settings_or_exit(config), lambda kaart: kaart.activities(gemeente))
    for activity in activities:
        typer.echo(_line(activity))
    if not activities:
        typer.echo(f"{gemeente} has no activities yet; `signaalbot kaart import` or "
                   "`kaart add` adds them")


@kaart_app.command("add")
def kaart_add(
        gemeente: Gemeente,
        naam: Annotated[str, typer.Option(help="the activity's name (its key)")],
        wat: Annotated[str, typer.Option(help="what it is, in a sentence")],
        tags: Annotated[str, typer.Option(help=f"comma-separated: {','.join(TAGS)}")],
        pc4: Annotated[str, typer.Option(help="its PC4 area; none: the whole gemeente")] = "",
        plaats: Annotated[str, typer.Option(help="where, e.g. a building")] = "",
        wanneer: Annotated[str, typer.Option(help='when, e.g. "dinsdag 10-12 uur"')] = "",
        contact: Annotated[str, typer.Option(help="phone, website or e-mail")] = "",
        config: ConfigOption = None) -> None:
    """Add an activity, or update the one of that name."""
    activity, problems = kaart_csv.check({"naam": naam, "wat": wat, "pc4": pc4,
                                          "plaats": plaats, "wanneer": wanneer,
                                          "contact": contact, "tags": tags})
    if activity is None:
        for column, problem in problems:
            typer.echo(f"signaalbot: --{column}: {html.unescape(problem)}", err=True)
        raise typer.Exit(1)
    saved = _kaart(settings_or_exit(config), lambda kaart: kaart.save(gemeente, [activity]))
    typer.echo(f"{gemeente}: {'added' if saved.added else 'updated'} {activity.name}")


@kaart_app.command("remove")
def kaart_remove(gemeente: Gemeente,
                 naam: Annotated[str, typer.Argument(help="the activity's name")],
                 config: ConfigOption = None) -> None:
    """Take an activity off the kaart."""
    removed = _kaart(settings_or_exit(config), lambda kaart: kaart.remove(gemeente, naam))
    if removed is None:
        raise fail(f'{gemeente} has no activity "{naam}"; `signaalbot kaart list -g '
                   f'{gemeente}` shows them', 1)
    typer.echo(f"{gemeente}: removed {removed.name}")


@kaart_app.command("suggest")
def kaart_suggest(
        gemeente: Gemeente,
        postcode: Annotated[str, typer.Option(help="the resident's postcode, e.g. 2181 or "
                                                   "2181 AB")],
        interest: Annotated[list[str] | None, typer.Option(
            help=f"an interest ({', '.join(TAGS)}); repeat it for more")] = None,
        limit: Annotated[int, typer.Option(min=1, max=20)] = 3,
        config: ConfigOption = None) -> None:
    """Show what a resident of that postcode, with those interests, would be suggested."""
    match = _PC4.fullmatch(postcode)
    if match is None:
        raise fail(f'"{postcode}" is no postcode: four digits, then perhaps two letters')
    interests = [tag.strip().lower() for given in interest or [] for tag in given.split(",")
                 if tag.strip()]
    unknown = [tag for tag in interests if tag not in TAGS]
    if unknown:
        raise fail(f"unknown interest {', '.join(unknown)}; the interests are "
                   f"{', '.join(TAGS)}")
    suggestions = _kaart(settings_or_exit(config), lambda kaart: kaart.suggest(
        gemeente, int(match[1]), interests, limit))
    for number, activity in enumerate(suggestions, 1):
        typer.echo(f"{number}. " + as_seen(shown(activity, interests), terminal=False)
                   .replace("\n", "\n   "))
    if not suggestions:
        typer.echo(f"no suggestions: no activity of {gemeente} has "
                   f"{'these interests' if interests else 'been added yet'}")
