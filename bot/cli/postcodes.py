"""``signaalbot postcodes ...`` (CBS routing data) and ``signaalbot gemeente merge``.

``merge_command`` is registered on the ``gemeente`` group in ``bot.cli.admin``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import ConfigOption, fail, on_database, settings_or_exit
from bot.settings import ConfigError, Settings, keyring
from storage.crypto import Keyring, generate_key
from storage.uow import UnitOfWork

postcodes_app = typer.Typer(help="Routing data for all of the Netherlands (CBS open data).",
                            no_args_is_help=True)


def _keys(settings: Settings, *, required: bool) -> Keyring:
    """The configured keyring; a throw-away one where nothing personal is read or written."""
    try:
        return keyring(settings)
    except ConfigError as error:
        if required:
            raise fail(f"config error: {error}") from None
        return Keyring(generate_key())


def _uow(engine: AsyncEngine, keys: Keyring) -> UnitOfWork:
    from storage.db import session_factory

    return UnitOfWork(session_factory(engine), keys)


@postcodes_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(
        help="CBS's ZIP (e.g. 2024-cbs-pc6huisnr20240801_buurt.zip) or its "
             "pc6hnr…_gwb.csv.", show_default=False)],
    names: Annotated[Path | None, typer.Option(
        "--names", help="Gemeente names, a CSV with GM_CODE;GM_NAAM (the ZIP's own list is "
                        "used when it has one).", show_default=False)] = None,
    config: ConfigOption = None,
) -> None:
    """Import CBS's "buurt, wijk en gemeente voor postcode huisnummer" as routing data.

    A new year's file replaces the previous one at once. New gemeenten are added not on
    board; configured gemeenten keep their settings.
    """
    from bot.core.cbs_table import CbsFormatError, open_source
    from bot.core.postcodes import import_cbs

    try:
        open_source(file, names)  # a wrong file fails here, before the database is touched
    except CbsFormatError as error:
        raise fail(str(error)) from None
    settings = settings_or_exit(config)
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())

    async def _work(engine: AsyncEngine) -> list[str]:
        with Progress(*columns, console=console) as bar:
            def task(description: str, total: int) -> Callable[[int], None]:
                task_id = bar.add_task(description, total=total)
                return lambda amount: bar.advance(task_id, amount)

            keys = _keys(settings, required=False)
            report = await import_cbs(lambda: _uow(engine, keys), file, names_path=names,
                                      progress=task)
        return report.lines()

    try:
        lines = on_database(settings, _work)
    except CbsFormatError as error:
        raise fail(f"{file.name}: {error}") from None
    for line in lines:
        typer.echo(line)


@postcodes_app.command("status")
def status_command(config: ConfigOption = None) -> None:
    """Show the imported routing data (current first) and earlier imports."""
    settings = settings_or_exit(config)

    async def _work(engine: AsyncEngine) -> list[str]:
        async with _uow(engine, _keys(settings, required=False)) as uow:
            datasets = await uow.routing.list_datasets()
        return [f"{'*' if d.is_current else ' '} #{d.id} {d.source} year {d.year or '?'}: "
                f"{d.addresses:,} addresses, {d.pc6_count:,} PC6 ({d.split_pc6_count:,} split), "
                f"{d.pc4_count:,} PC4, {d.gemeente_count} gemeenten; imported "
                f"{d.completed_at:%Y-%m-%d %H:%M} UTC" if d.completed_at else
                f"  #{d.id} {d.source}: unfinished (removed by the next import)"
                for d in datasets]

    lines = on_database(settings, _work)
    for line in lines or ["no CBS routing data imported (signaalbot postcodes import FILE)"]:
        typer.echo(line)


@postcodes_app.command("lookup")
def lookup_command(
    postcode: Annotated[str, typer.Argument(help="4531AB or 4531.", show_default=False)],
    house_number: Annotated[str | None, typer.Argument(
        help="House number, e.g. 12 or 12a.", show_default=False)] = None,
    config: ConfigOption = None,
) -> None:
    """Show where a postcode (and house number) routes to, as the bot would."""
    from bot.core.parsing import parse_postcode
    from bot.core.routing import route

    parsed = parse_postcode(postcode)
    if parsed is None:
        raise fail(f"{postcode!r} is not a Dutch postcode")
    text, pc4 = parsed
    letters = text[5:] or None
    settings = settings_or_exit(config)

    async def _work(engine: AsyncEngine) -> list[str]:
        async with _uow(engine, _keys(settings, required=False)) as uow:
            result = await route(uow, pc4=pc4, letters=letters, house_number=house_number,
                                 default_advice=settings.intake.fallback_advice)
        lines = [f"{text} {house_number or ''}".strip() + f": {result.kind} (by {result.source})"]
        if result.gemeente_code:
            lines.append(f"gemeente: {result.gemeente_code} {result.gemeente_name}")
        lines += [f"candidate: {c.code} {c.name} ({c.addresses} addresses)"
                  for c in result.candidates]
        if result.advice:
            lines.append(f"advice: {result.advice}")
        return lines

    for line in on_database(settings, _work):
        typer.echo(line)


def merge_command(
    source: Annotated[str, typer.Option("--from", help="The old CBS code, e.g. GM0756.",
                                        show_default=False)],
    target: Annotated[str, typer.Option("--into", help="The new CBS code, e.g. GM1982.",
                                        show_default=False)],
    name: Annotated[str | None, typer.Option(
        "--name", help="Create the new gemeente with this name when it is not known yet "
                       "(a renamed gemeente).", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would move; change "
                                                            "nothing.")] = False,
    config: ConfigOption = None,
) -> None:
    """Herindeling: move routing, alert chats, staff and signals to the new gemeente code.

    Everything moves in one transaction; the old gemeente stays, not on board. Running it
    again changes nothing. Remove the old gemeente from the config file afterwards.
    """
    from bot.core.routing import MergeError, merge_gemeenten

    settings = settings_or_exit(config)
    keys = _keys(settings, required=True)

    async def _work(engine: AsyncEngine) -> list[str]:
        async with _uow(engine, keys) as uow:
            report = await merge_gemeenten(uow, source=source, target=target,
                                           target_name=name, commit=not dry_run)
        return (["dry run: nothing changed"] if dry_run else []) + report.lines()

    try:
        lines = on_database(settings, _work, encrypted=True)
    except MergeError as error:
        raise fail(str(error)) from None
    for line in lines:
        typer.echo(line)
