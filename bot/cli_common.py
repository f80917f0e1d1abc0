"""What the command-line modules share: the config option and database helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import ConfigError, Settings, keyring, load_settings
from storage.crypto import Keyring
from storage.uow import UnitOfWork

T = TypeVar("T")
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="TOML config file (default: $SIGNAALBOT_CONFIG).",
                 show_default=False),
]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear line and return the exit to raise."""
    typer.echo(f"signaalbot: {message}", err=True)
    return typer.Exit(code)


def settings_or_exit(config: Path | None) -> Settings:
    """The settings, or one line saying what is wrong with them."""
    try:
        return load_settings(config)
    except ConfigError as error:
        raise fail(f"config error: {error}") from None


def keyring_or_exit(settings: Settings) -> Keyring:
    """The keyring, or one line saying the key is missing or malformed."""
    try:
        return keyring(settings)
    except ConfigError as error:
        raise fail(f"config error: {error}") from None


def on_database(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]], *,
                encrypted: bool = False) -> T:
    """Run ``work`` on the configured database (with the keyring when ``encrypted``)."""
    from storage.db import create_engine

    keys = keyring_or_exit(settings) if encrypted else None

    async def _main() -> T:
        engine = create_engine(settings.database.url, keyring=keys)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(_main())


def uow_for(engine: AsyncEngine, settings: Settings) -> UnitOfWork:
    """A unit of work on an engine made by ``on_database(..., encrypted=True)``."""
    from storage.db import session_factory

    return UnitOfWork(session_factory(engine), keyring_or_exit(settings))
