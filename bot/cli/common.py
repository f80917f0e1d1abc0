"""What the command-line modules share: the config option and database helpers."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable, Iterator
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
                encrypted: bool = False, prepare: bool = True) -> T:
    """Run ``work`` on the configured database (with the keyring when ``encrypted``).

    Unless ``prepare`` is off, the database is made ready first, as ``run`` does: the schema
    migrated (``database.migrate_on_start``), and the gemeenten of the config that it does
    not know yet added, with their staff (this needs the key; without one only the schema).
    What the config says of a known gemeente is left to ``config apply`` and ``run``, so a
    change made with a command stays until then. A database error is one line.
    """
    from storage.db import create_engine

    configured = bool(settings.security.encryption_key.get_secret_value())
    keys = keyring_or_exit(settings) if encrypted or configured else None

    async def _main() -> T:
        engine = create_engine(settings.database.url, keyring=keys)
        try:
            if prepare:
                await _prepare(engine, settings, keys)
            return await work(engine)
        finally:
            await engine.dispose()

    with database_errors_in_one_line():
        return asyncio.run(_main())


@contextlib.contextmanager
def database_errors_in_one_line() -> Iterator[None]:
    """A database that cannot be reached, or refuses, is one line and exit code 1."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except (DBAPIError, ConnectionError, socket.gaierror) as error:
        raise fail(f"database error: {getattr(error, 'orig', None) or error}", 1) from None


async def _prepare(engine: AsyncEngine, settings: Settings, keys: Keyring | None) -> None:
    """Migrate, and add the config's gemeenten the database does not know (see ``on_database``)."""
    from bot.core import config_apply
    from storage.db import session_factory, upgrade

    if settings.database.migrate_on_start:
        await upgrade(engine)
    if keys is None:
        return
    async with UnitOfWork(session_factory(engine), keys) as uow:
        new = [g for g in settings.gemeenten if await uow.gemeenten.get(code=g.code) is None]
        if new:
            await config_apply.apply(settings.model_copy(update={"gemeenten": new}), uow)


def uow_for(engine: AsyncEngine, settings: Settings) -> UnitOfWork:
    """A unit of work on an engine made by ``on_database(..., encrypted=True)``."""
    from storage.db import session_factory

    return UnitOfWork(session_factory(engine), keyring_or_exit(settings))
