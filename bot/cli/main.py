"""The ``signaalbot`` command line."""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import admin as cli_admin
from bot.cli import i18n as cli_i18n
from bot.cli import kaart as cli_kaart
from bot.cli import news as cli_news
from bot.cli import postcodes as cli_postcodes
from bot.cli import questionnaire as cli_questionnaire
from bot.cli import signal as cli_signal
from bot.cli.common import ConfigOption, database_errors_in_one_line, fail
from bot.cli.common import on_database as _on_database
from bot.cli.common import settings_or_exit as _settings
from bot.cli.common import uow_for as _uow
from bot.core import messages
from bot.settings import ConfigError, GemeenteSettings, Settings
from bot.settings_gemeente import StaffSettings

app = typer.Typer(help="Signaalbot: the chat front door of a Signaalpunt tegen Eenzaamheid.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
keys_app = typer.Typer(help="Encryption keys for personal fields.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
DEMO_KEY_FILE = Path("signaalbot.key")
for _name, _sub in (("gemeente", cli_admin.gemeente_app), ("staff", cli_admin.staff_app),
                    ("postcodes", cli_postcodes.postcodes_app),
                    ("org", cli_admin.org_app), ("texts", cli_admin.texts_app),
                    ("config", cli_admin.config_app),
                    ("questionnaire", cli_questionnaire.questionnaire_app),
                    ("signal", cli_signal.signal_app), ("kaart", cli_kaart.kaart_app),
                    ("news", cli_news.news_app), ("i18n", cli_i18n.i18n_app)):
    app.add_typer(_sub, name=_name)


# The team's chat in the demo: alerts go only to staff (or a team group), so it is staff.
DEMO_TEAM = 1
DEMO_GEMEENTE = GemeenteSettings(
    code="GM0715", name="Terneuzen (demo)", pc4=["4531-4539"], alert_chat_ids=[DEMO_TEAM],
    staff=[StaffSettings(telegram_id=DEMO_TEAM, name="Team Terneuzen", role="regisseur")])


def _logging(level: int) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry the bot token
    for chatty in ("alembic", "apscheduler"):  # a line per migration step, per job run
        logging.getLogger(chatty).setLevel(logging.WARNING)


@app.command()
def run(config: ConfigOption = None) -> None:
    """Run the bot on every configured channel: Telegram (polling, or webhook), Signal, web."""
    from bot.settings import start_problems

    os.environ.setdefault("PTB_TIMEDELTA", "true")  # PTB reports durations as timedelta
    settings = _settings(config)
    problems = start_problems(settings)
    if problems:
        raise fail(f"config error: {problems[0]}")
    if settings.telegram.token.get_secret_value():
        from handlers.telegram.app import run as run_bot
    else:
        from handlers.channels import run as run_bot
    _logging(logging.INFO)
    try:
        with database_errors_in_one_line():
            run_bot(settings)
    except ConfigError as error:
        raise fail(f"config error: {error}") from None


@app.command()
def chat(config: ConfigOption = None) -> None:
    """Try the signaler conversation in this terminal; alerts to staff are printed."""
    from bot.core.people import TELEGRAM
    from bot.services import open_services
    from handlers.console.chat import ConsoleChat, ConsoleSender

    settings = _settings(config)
    _logging(logging.WARNING)
    if not settings.security.encryption_key.get_secret_value():
        settings = _with_demo_key(settings)
    if not settings.gemeenten:
        typer.echo(messages.DEMO_NO_GEMEENTEN)
        settings = settings.model_copy(update={"gemeenten": [DEMO_GEMEENTE]})

    async def _main() -> None:
        services = await open_services(settings, {TELEGRAM: ConsoleSender(sys.stdout)})
        try:
            await ConsoleChat(services, sys.stdin, sys.stdout, getpass.getuser()).run()
        finally:
            await services.close()

    try:
        asyncio.run(_main())
    except KeyboardInterrupt:  # Ctrl-C: the console has said goodbye
        raise typer.Exit(130) from None


@app.command("staff-console")
def staff_console(person: Annotated[str, typer.Option(
        "--as", help="who you are: console:ID, as in the config's [[staff]]")],
        config: ConfigOption = None) -> None:
    """Work as a staff member in this terminal: alerts arrive here, actions by number."""
    from bot.core.people import Person
    from bot.services import open_services
    from handlers.console.chat import Lines
    from handlers.console.staff import ConsoleStaffSender, StaffConsole

    try:
        who = Person.parse(person)
    except ValueError as error:
        raise fail(str(error)) from None
    settings = _settings(config)
    _logging(logging.WARNING)
    console = StaffConsole(who, sys.stdout)

    async def _main() -> bool:
        services = await open_services(settings, {who.channel: ConsoleStaffSender(console)})
        try:
            async with services.uow() as uow:
                if not await uow.staff.list_memberships(person=who):
                    return False
            console.services = services
            services.start_background()  # delivers this channel's outbox as it comes
            await console.run(Lines(sys.stdin))
            return True
        finally:
            await services.close()

    try:
        with database_errors_in_one_line():
            known = asyncio.run(_main())
    except ConfigError as error:
        raise fail(f"config error: {error}") from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    if not known:
        raise fail(f"{who} is no active staff member of any gemeente; add them to a "
                   f"gemeente's staff in the config (channel and id)")


def _with_demo_key(settings: Settings) -> Settings:
    """For the terminal demo only: a local key file, made on first use."""
    from storage.crypto import generate_key

    if not DEMO_KEY_FILE.exists():
        DEMO_KEY_FILE.write_text(generate_key() + "\n", encoding="utf-8")
        DEMO_KEY_FILE.chmod(0o600)
        typer.echo(messages.DEMO_KEY_MADE.format(path=DEMO_KEY_FILE))
    security = settings.security.model_copy(
        update={"encryption_key": SecretStr(DEMO_KEY_FILE.read_text(encoding="utf-8").strip())})
    return settings.model_copy(update={"security": security})


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None,
               revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply schema migrations (with the encryption key, when one moves personal data)."""
    from storage.db import current_revision, upgrade

    async def _work(engine: AsyncEngine) -> str | None:
        await upgrade(engine, revision)
        return await current_revision(engine)

    settings = _settings(config)
    keyed = bool(settings.security.encryption_key.get_secret_value())
    revision = _on_database(settings, _work, encrypted=keyed, prepare=False)
    typer.echo(f"database at revision {revision}")


@db_app.command("current")
def db_current(config: ConfigOption = None) -> None:
    """Show the schema revision of the database."""
    from storage.db import current_revision

    revision = _on_database(_settings(config), current_revision, prepare=False)
    typer.echo(revision or "empty (no migrations applied)")


@app.command("check-config")
def check_config(config: ConfigOption = None) -> None:
    """Validate the configuration and summarise it (no secrets shown); fails if `run` would."""
    from sqlalchemy.engine import make_url

    from bot.core.gemeente_rules import show_number
    from bot.settings import start_problems

    settings = _settings(config)
    telegram, security = settings.telegram, settings.security
    typer.echo(f"database: {make_url(settings.database.url).render_as_string()}")
    typer.echo(f"telegram: {telegram.mode} via {telegram.base_url}, token "
               f"{_set_or_missing(telegram.token)}, bot_username "
               f"{telegram.bot_username or 'not set (the command line cannot make links)'}")
    signal = settings.signal
    typer.echo(f"signal: account set, daemon {signal.rpc_url}, chats disappear after "
               f"{signal.disappearing_days} day(s)" if signal.account
               else "signal: account not set (no Signal channel)")
    typer.echo(f"security: encryption key {_set_or_missing(security.encryption_key)}, "
               f"{len(security.old_keys)} old key(s)")
    for gemeente in settings.gemeenten:
        state = "active" if gemeente.active else "not on board"
        typer.echo(f"{gemeente.code} {gemeente.name}: {state}, pc4 {', '.join(gemeente.pc4)}, "
                   f"{len(gemeente.alert_chat_ids)} alert chat(s), {len(gemeente.staff)} staff, "
                   f"escalation after {show_number(gemeente.escalation_hours)} hours, "
                   f"retention {show_number(gemeente.retention_days)} days")
    typer.echo(f"{len(settings.organisations)} organisation(s), {len(settings.admins)} admin(s)")
    problems = start_problems(settings)
    for problem in problems:
        typer.echo(f"signaalbot: config error: {problem}", err=True)
    if problems:
        raise typer.Exit(2)


def _set_or_missing(secret: SecretStr) -> str:
    return "set" if secret.get_secret_value() else "MISSING"


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new encryption key (set it as SIGNAALBOT_SECURITY__ENCRYPTION_KEY)."""
    from storage.crypto import generate_key

    typer.echo(generate_key())


@keys_app.command("rotate")
def keys_rotate(config: ConfigOption = None) -> None:
    """Re-encrypt every personal field with the current key (old keys in security.old_keys)."""
    from storage.rotation import rotate

    settings = _settings(config)

    async def _work(engine: AsyncEngine) -> int:
        async with _uow(engine, settings) as uow:
            changed = await rotate(uow)
            await uow.commit()
            return changed

    changed = _on_database(settings, _work, encrypted=True)
    typer.echo(f"re-encrypted {changed} rows with the current key; remove the old key now")


@app.command()
def purge(config: ConfigOption = None,
          dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would go.")]
          = False) -> None:
    """Erase personal fields of closed signals past their gemeente's retention period.

    Their copies in staff chats are blanked when the bot runs. Copies that Telegram would
    neither blank nor delete are listed: only the people in those chats can delete them.
    """
    from bot.core.alerts import Alerts
    from bot.core.privacy import Privacy, PurgeReport
    from bot.services import intake_engine

    settings = _settings(config)

    async def _work(engine: AsyncEngine) -> PurgeReport:
        return await Privacy(lambda: _uow(engine, settings),
                             Alerts(intake_engine(settings))).purge(dry_run=dry_run)

    report = _on_database(settings, _work, encrypted=True)
    verb = "would erase" if dry_run else "erased"
    typer.echo(f"{verb} the personal fields of {len(report.signals)} signal(s)")
    for reference in report.signals:
        typer.echo(f"  {reference}")
    if report.unerased:
        typer.echo(f"{len(report.unerased)} copy(ies) in chats that Telegram would neither blank "
                   "nor delete; ask the people in those chats to delete them:")
        for reference, chat, reason in report.unerased:
            typer.echo(f"  {reference} in chat {chat}: {reason}")


@app.command()
def audit(reference: Annotated[str, typer.Argument(help="The signal, e.g. SP-2026-000123.")],
          config: ConfigOption = None) -> None:
    """Export a signal's audit trail (every view and action: who, when, what) as JSON lines."""
    import json

    settings = _settings(config)

    async def _work(engine: AsyncEngine) -> list[dict[str, object]] | None:
        async with _uow(engine, settings) as uow:
            signal = await uow.signals.get_by_reference(reference=reference.upper())
            if signal is None:
                return None
            return [{"at": event.at.isoformat(), "actor": actor, "action": event.action,
                     "detail": event.detail}
                    for event, actor in await uow.events.list_for(signal_id=signal.id)]

    entries = _on_database(settings, _work, encrypted=True)
    if entries is None:
        typer.echo(f"signaalbot: no signal {reference}", err=True)
        raise typer.Exit(1)
    for entry in entries:
        typer.echo(json.dumps(entry, ensure_ascii=False))


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write into.")] = Path(
        "report"),
    gemeente: Annotated[str | None, typer.Option(
        help="CBS code of the gemeente, e.g. GM0715.", show_default=False)] = None,
    national: Annotated[bool, typer.Option(
        "--national", help="All gemeenten together instead of one.")] = False,
    weeks: Annotated[int | None, typer.Option(
        min=1, max=520, help="The last N weeks (default 6).", show_default=False)] = None,
    quarter: Annotated[str | None, typer.Option(
        help="A calendar quarter instead, e.g. 2026-Q1.", show_default=False)] = None,
    year: Annotated[int | None, typer.Option(
        min=2000, max=2100, help="A calendar year instead, e.g. 2025.", show_default=False)] = None,
    config: ConfigOption = None,
) -> None:
    """Monitoring for the kerngroep: PNG charts, CSV files and a one-page HTML summary."""
    from bot.core.monitoring import compute, shown
    from bot.core.periods import Period
    from bot.core.questionnaires import for_settings
    from bot.reporting.report import write_report
    from storage.db import session_factory
    from storage.repositories import MonitoringRepository

    if national == (gemeente is not None):
        raise fail("give either --gemeente CODE or --national")
    if sum(option is not None for option in (weeks, quarter, year)) > 1:
        raise fail("give one of --weeks, --quarter and --year")
    try:
        period = (Period.parse_quarter(quarter) if quarter is not None
                  else Period.year(year) if year is not None else Period.last_weeks(weeks or 6))
    except ValueError as error:
        raise fail(str(error)) from None
    settings = _settings(config)
    code = gemeente.strip().upper() if gemeente else None

    async def _work(engine: AsyncEngine) -> str:
        async with session_factory(engine)() as session:
            repository = MonitoringRepository(session)
            known = await repository.gemeente_names()
            if code is not None and code not in known:
                return f"unknown gemeente {code} (known: {', '.join(sorted(known)) or 'none'})"
            figures = await compute(repository, gemeente_code=code, period=period,
                                    counted=for_settings(settings).counted)
        for path in write_report(figures, out):
            typer.echo(path)
        typer.echo(messages.REPORT_WRITTEN.format(scope=figures.scope, period=figures.period.label,
                                                  total=shown(figures.total)))
        return ""

    problem = _on_database(settings, _work)
    if problem:
        raise fail(problem)
