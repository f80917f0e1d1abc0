"""Admin commands: ``gemeente``, ``staff``, ``org``, ``texts`` and ``config apply``.

They call the same ``AdminService`` as the ``/admin`` chat menu, as the command line's operator
(who may administer every gemeente).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin import CLI, AdminError, AdminService
from bot.cli_common import ConfigOption, fail, on_database, settings_or_exit, uow_for
from bot.cli_postcodes import merge_command
from bot.settings import Settings

T = TypeVar("T")
gemeente_app = typer.Typer(help="Gemeenten: on board, settings, alert chats, herindeling.",
                           no_args_is_help=True)
gemeente_app.command("merge")(merge_command)
staff_app = typer.Typer(help="Staff: invite, list, remove, change role.", no_args_is_help=True)
org_app = typer.Typer(help="Signaler organisations and their deep links.", no_args_is_help=True)
texts_app = typer.Typer(help="Texts in a gemeente's own words.", no_args_is_help=True)
config_app = typer.Typer(help="Configuration as code.", no_args_is_help=True)

Gemeente = Annotated[str, typer.Option("--gemeente", "-g", help="CBS code, e.g. GM0715.")]


def _admin(config: Path | None,
           work: Callable[[AdminService, Settings], Awaitable[T]]) -> T:
    settings = settings_or_exit(config)

    async def _run(engine: AsyncEngine) -> T:
        service = AdminService(lambda: uow_for(engine, settings),
                               admins=frozenset(settings.admins))
        return await work(service, settings)

    try:
        return on_database(settings, _run, encrypted=True)
    except AdminError as error:
        raise fail(str(error), 1) from None


def _bot_username(settings: Settings) -> str:
    if not settings.telegram.bot_username:
        raise fail("config error: telegram.bot_username: needed for links (without the @)")
    return settings.telegram.bot_username


@gemeente_app.command("on")
def gemeente_on(gemeente: Gemeente, config: ConfigOption = None) -> None:
    """Take a gemeente on board: its signals are followed up."""
    _admin(config, lambda admin, _: admin.set_active(CLI, gemeente, True))
    typer.echo(f"{gemeente} is on board")


@gemeente_app.command("off")
def gemeente_off(gemeente: Gemeente, config: ConfigOption = None) -> None:
    """Take a gemeente off board: signalers get its fallback advice, nothing is stored."""
    _admin(config, lambda admin, _: admin.set_active(CLI, gemeente, False))
    typer.echo(f"{gemeente} is off board")


@gemeente_app.command("set")
def gemeente_set(gemeente: Gemeente,
                 name: Annotated[str, typer.Argument(help="fallback_advice, escalation_hours, "
                                                     "silent_days or retention_days")],
                 value: Annotated[str, typer.Argument()], config: ConfigOption = None) -> None:
    """Change one setting of a gemeente."""
    _admin(config, lambda admin, _: admin.set_setting(CLI, gemeente, name, value))
    typer.echo(f"{gemeente}: {name} set")


@gemeente_app.command("alert-chats")
def gemeente_alert_chats(gemeente: Gemeente,
                         chat_ids: Annotated[list[int], typer.Argument(help="Telegram chat ids")],
                         config: ConfigOption = None) -> None:
    """Set the chats that receive a gemeente's alerts."""
    _admin(config, lambda admin, _: admin.set_alert_chats(CLI, gemeente, chat_ids))
    typer.echo(f"{gemeente}: {len(chat_ids)} alert chat(s)")


@staff_app.command("invite")
def staff_invite(gemeente: Gemeente,
                 role: Annotated[str, typer.Option(help="regisseur or team")] = "team",
                 config: ConfigOption = None) -> None:
    """Print a one-time invitation link (valid 7 days) that registers staff with ROLE."""
    link = _admin(config, lambda admin, settings: admin.invite(
        CLI, gemeente, role, _bot_username(settings)))
    typer.echo(link)


@staff_app.command("list")
def staff_list(gemeente: Gemeente, config: ConfigOption = None) -> None:
    """List a gemeente's active staff."""
    for member in _admin(config, lambda admin, _: admin.list_staff(CLI, gemeente)):
        typer.echo(f"{member.telegram_id}\t{member.role}\t{member.name}")


@staff_app.command("remove")
def staff_remove(gemeente: Gemeente, telegram_id: Annotated[int, typer.Argument()],
                 config: ConfigOption = None) -> None:
    """Take a staff member's access away, at once; their copies of signals are blanked."""
    removal = _admin(config, lambda admin, _: admin.remove_staff(CLI, gemeente, telegram_id))
    typer.echo(f"removed: {telegram_id} has no access to {gemeente} any more; the signals in "
               "their chat with the bot are blanked when the bot runs")
    if removal.team_groups:
        typer.echo("they may still be a member of these team groups, where new alerts arrive; "
                   "take them out in Telegram: " + ", ".join(map(str, removal.team_groups)))
    if removal.in_config:
        typer.echo("they are declared in the config: take them out there too, or the next "
                   "`config apply` (or start) gives their access back")


@staff_app.command("role")
def staff_role(gemeente: Gemeente, telegram_id: Annotated[int, typer.Argument()],
               role: Annotated[str, typer.Argument(help="regisseur or team")],
               config: ConfigOption = None) -> None:
    """Change a staff member's role."""
    _admin(config, lambda admin, _: admin.set_role(CLI, gemeente, telegram_id, role))
    typer.echo(f"{telegram_id} is now {role}")


@org_app.command("add")
def org_add(name: Annotated[str, typer.Argument(help='e.g. "PostNL depot Terneuzen"')],
            role: Annotated[str, typer.Option(help="signaler role, e.g. bezorger")],
            gemeente: Annotated[str | None, typer.Option("--gemeente", "-g")] = None,
            qr: Annotated[Path | None, typer.Option(help="also write a QR code PNG here")] = None,
            config: ConfigOption = None) -> None:
    """Register a signaler organisation; prints its deep link (and writes a QR code)."""
    code, link = _admin(config, lambda admin, settings: admin.add_organisation(
        CLI, name, role, gemeente, _bot_username(settings)))
    typer.echo(f"{code}\t{link}")
    if qr is not None:
        import segno

        segno.make(link, error="m").save(str(qr), scale=10, border=4)
        typer.echo(f"QR code written to {qr}")


@texts_app.command("set")
def texts_set(gemeente: Gemeente, key: Annotated[str, typer.Argument()],
              text: Annotated[str, typer.Argument(help="plain text; {reference}, {gemeente}")],
              config: ConfigOption = None) -> None:
    """Word a text in the gemeente's own words."""
    _admin(config, lambda admin, _: admin.set_text(CLI, gemeente, key, text))
    typer.echo(f"{gemeente}: text {key} set")


@texts_app.command("reset")
def texts_reset(gemeente: Gemeente, key: Annotated[str, typer.Argument()],
                config: ConfigOption = None) -> None:
    """Go back to the built-in text."""
    _admin(config, lambda admin, _: admin.set_text(CLI, gemeente, key, None))
    typer.echo(f"{gemeente}: text {key} is the built-in one again")


@texts_app.command("preview")
def texts_preview(gemeente: Gemeente, key: Annotated[str, typer.Argument()],
                  config: ConfigOption = None) -> None:
    """Show a text as users would see it; nothing is sent."""
    typer.echo(_admin(config, lambda admin, _: admin.preview(CLI, gemeente, key)))


@config_app.command("apply")
def config_apply_command(
        config: ConfigOption = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Only print the changes.")]
        = False) -> None:
    """Make the database match the TOML config (idempotent)."""
    from bot import config_apply
    from storage.db import upgrade

    settings = settings_or_exit(config)

    async def _work(engine: AsyncEngine) -> list[str]:
        await upgrade(engine)
        async with uow_for(engine, settings) as uow:
            changes = await config_apply.plan(settings, uow)
            if changes and not dry_run:
                await config_apply.apply(settings, uow)
            return changes

    changes = on_database(settings, _work, encrypted=True)
    for line in changes:
        typer.echo(line)
    typer.echo("no changes" if not changes else (
        f"{len(changes)} change(s) {'would be made' if dry_run else 'made'}"))
