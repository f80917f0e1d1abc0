"""The ``signaalbot`` command line."""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import ConfigError, GemeenteSettings, Settings, load_settings

app = typer.Typer(help="Signaalbot: the chat front door of a Signaalpunt tegen Eenzaamheid.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

T = TypeVar("T")
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="TOML config file (default: $SIGNAALBOT_CONFIG).",
                 show_default=False),
]

DEMO_GEMEENTE = GemeenteSettings(code="GM0715", name="Terneuzen (demo)", pc4=["4531-4539"],
                                 alert_chat_ids=[0])


def _settings(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except ConfigError as error:
        typer.echo(f"signaalbot: config error: {error}", err=True)
        raise typer.Exit(2) from None


def _logging(level: int) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry the bot token


@app.command()
def run(config: ConfigOption = None) -> None:
    """Run the Telegram bot (long polling, or webhook when configured)."""
    from bot.app import run as run_bot

    os.environ.setdefault("PTB_TIMEDELTA", "true")  # PTB reports durations as timedelta
    settings = _settings(config)
    _logging(logging.INFO)
    try:
        run_bot(settings)
    except ConfigError as error:
        typer.echo(f"signaalbot: config error: {error}", err=True)
        raise typer.Exit(2) from None


@app.command()
def chat(config: ConfigOption = None) -> None:
    """Try the signaler conversation in this terminal; alerts to staff are printed."""
    from bot.services import open_services
    from handlers.console import ConsoleChat, ConsoleSender

    settings = _settings(config)
    _logging(logging.WARNING)
    if not settings.gemeenten:
        typer.echo("Demo: er zijn geen gemeenten ingesteld. Postcodes 4531-4539 gaan naar een "
                   "voorbeeld-Signaalpunt Terneuzen; meldingen verschijnen hier.")
        settings = settings.model_copy(update={"gemeenten": [DEMO_GEMEENTE]})

    async def _main() -> None:
        services = await open_services(settings, ConsoleSender(sys.stdout))
        try:
            await ConsoleChat(services, sys.stdin, sys.stdout, getpass.getuser()).run()
        finally:
            await services.close()

    asyncio.run(_main())


def _on_database(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    from storage.db import create_engine

    async def _main() -> T:
        engine = create_engine(settings.database.url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(_main())


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None,
               revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply schema migrations."""
    from storage.db import current_revision, upgrade

    async def _work(engine: AsyncEngine) -> str | None:
        await upgrade(engine, revision)
        return await current_revision(engine)

    typer.echo(f"database at revision {_on_database(_settings(config), _work)}")


@db_app.command("current")
def db_current(config: ConfigOption = None) -> None:
    """Show the schema revision of the database."""
    from storage.db import current_revision

    revision = _on_database(_settings(config), current_revision)
    typer.echo(revision or "empty (no migrations applied)")


@app.command("check-config")
def check_config(config: ConfigOption = None) -> None:
    """Validate the configuration and summarise it (no secrets shown)."""
    settings = _settings(config)
    typer.echo(f"database: {settings.database.url.split('@')[-1]}")
    typer.echo(f"telegram: {settings.telegram.mode} via {settings.telegram.base_url}, token "
               f"{'set' if settings.telegram.token.get_secret_value() else 'MISSING'}")
    for gemeente in settings.gemeenten:
        state = "active" if gemeente.active else "not on board"
        typer.echo(f"{gemeente.code} {gemeente.name}: {state}, pc4 {', '.join(gemeente.pc4)}, "
                   f"{len(gemeente.alert_chat_ids)} alert chat(s)")
