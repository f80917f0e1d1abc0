"""Admin commands: ``gemeente``, ``staff``, ``org``, ``texts`` and ``config apply``.

They call the same ``AdminService`` as the ``/admin`` chat menu, as the command line's operator
(who may administer every gemeente).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.common import ConfigOption, fail, on_database, settings_or_exit, uow_for
from bot.cli.postcodes import merge_command
from bot.core.admin import CLI, AdminError, AdminService, OrganisationLink
from bot.core.gemeente_rules import show_value
from bot.core.people import Person
from bot.settings import GemeenteSettings, Settings
from storage.models import utcnow

T = TypeVar("T")
PERSON = typer.Argument(parser=Person.parse, metavar="PERSON",
                        help="a Telegram user id, or channel:id (console:anna)")
gemeente_app = typer.Typer(help="Gemeenten: on board, settings, alert chats, herindeling.",
                           no_args_is_help=True)
gemeente_app.command("merge")(merge_command)
ROLES_HELP = "regisseur, team or coordinator (the volunteer coordinator)"
staff_app = typer.Typer(help="Staff: invite, list, remove, change role.", no_args_is_help=True)
org_app = typer.Typer(help="Signaler organisations and their deep links.", no_args_is_help=True)
texts_app = typer.Typer(help="Texts in a gemeente's own words.", no_args_is_help=True)
config_app = typer.Typer(help="Configuration as code.", no_args_is_help=True)

Gemeente = Annotated[str, typer.Option("--gemeente", "-g", help="CBS code, e.g. GM0715.")]
_UNDECLARED = object()


def _admin(settings: Settings, work: Callable[[AdminService], Awaitable[T]]) -> T:
    async def _run(engine: AsyncEngine) -> T:
        return await work(AdminService(lambda: uow_for(engine, settings),
                                       admins=frozenset(settings.admins)))

    try:
        return on_database(settings, _run, encrypted=True)
    except AdminError as error:
        raise fail(str(error), 1) from None


def _bot_username(settings: Settings) -> str:
    if not settings.telegram.bot_username:
        raise fail("config error: telegram.bot_username: needed for links (without the @)")
    return settings.telegram.bot_username


def _note_config(settings: Settings, code: str, key: str, new: object,
                 declared: Callable[[GemeenteSettings], object] | None = None) -> None:
    """One line when the config declares ``key`` otherwise: its next apply sets that again."""
    gemeente = next((g for g in settings.gemeenten if g.code == code), None)
    if gemeente is None:
        return
    want = declared(gemeente) if declared else getattr(gemeente, key)
    if want is not _UNDECLARED and want != new:
        typer.echo(f"signaalbot: note: {code} is declared in the config with {key} = "
                   f"{show_value(want)}; the next `signaalbot run` or `config apply` sets that "
                   "again (change it in the config)", err=True)


def as_seen(text: str, *, terminal: bool) -> str:
    """Telegram HTML as a user sees it: bold on a terminal, no tags, no entities."""
    from handlers.console.chat import plain

    if terminal:
        text = re.sub(r"<b>(.*?)</b>", "\033[1m\\1\033[0m", text, flags=re.DOTALL)
    return plain(text)


def _active(gemeente: str, active: bool, config: Path | None) -> None:
    settings = settings_or_exit(config)
    _admin(settings, lambda admin: admin.set_active(CLI, gemeente, active))
    typer.echo(f"{gemeente} is {'on' if active else 'off'} board")
    _note_config(settings, gemeente, "active", active)


@gemeente_app.command("on")
def gemeente_on(gemeente: Gemeente, config: ConfigOption = None) -> None:
    """Take a gemeente on board: its signals are followed up."""
    _active(gemeente, True, config)


@gemeente_app.command("off")
def gemeente_off(gemeente: Gemeente, config: ConfigOption = None) -> None:
    """Take a gemeente off board: signalers get its fallback advice, nothing is stored."""
    _active(gemeente, False, config)


@gemeente_app.command("set")
def gemeente_set(gemeente: Gemeente,
                 name: Annotated[str, typer.Argument(help="fallback_advice, escalation_hours, "
                                                     "silent_days or retention_days")],
                 value: Annotated[str, typer.Argument()], config: ConfigOption = None) -> None:
    """Change one setting of a gemeente."""
    settings = settings_or_exit(config)
    stored = _admin(settings, lambda admin: admin.set_setting(CLI, gemeente, name, value))
    typer.echo(f"{gemeente}: {name} set to {show_value(stored)}")
    _note_config(settings, gemeente, name, stored)


# A group's id is negative: "-1001234567890" is a chat id, not an option.
@gemeente_app.command("alert-chats", context_settings={"ignore_unknown_options": True})
def gemeente_alert_chats(gemeente: Gemeente,
                         chat_ids: Annotated[list[int], typer.Argument(help="Telegram chat ids")],
                         config: ConfigOption = None) -> None:
    """Set the chats that receive a gemeente's alerts."""
    settings = settings_or_exit(config)
    _admin(settings, lambda admin: admin.set_alert_chats(CLI, gemeente, chat_ids))
    typer.echo(f"{gemeente}: {len(chat_ids)} alert chat(s)")
    _note_config(settings, gemeente, "alert_chat_ids", sorted(chat_ids),
                 lambda declared: sorted(declared.alert_chat_ids))


@staff_app.command("invite")
def staff_invite(gemeente: Gemeente,
                 role: Annotated[str, typer.Option(help=ROLES_HELP)] = "team",
                 config: ConfigOption = None) -> None:
    """Print a one-time invitation link (valid 7 days) that registers staff with ROLE."""
    settings = settings_or_exit(config)
    invitation = _admin(settings, lambda admin: admin.invite(
        CLI, gemeente, role, _bot_username(settings)))
    days = round((invitation.expires_at - utcnow()) / timedelta(days=1))
    typer.echo(invitation.link)
    typer.echo(f"for one person, once: they join {invitation.gemeente_code} "
               f"({invitation.gemeente_name}) as {invitation.role}; valid {days} days, until "
               f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC")


@staff_app.command("list")
def staff_list(gemeente: Gemeente, config: ConfigOption = None) -> None:
    """List a gemeente's active staff."""
    for member in _admin(settings_or_exit(config),
                         lambda admin: admin.list_staff(CLI, gemeente)):
        typer.echo(f"{member.person}\t{member.role}\t{member.name}")


@staff_app.command("remove")
def staff_remove(gemeente: Gemeente, who: Annotated[Person, PERSON],
                 config: ConfigOption = None) -> None:
    """Take a staff member's access away, at once; their copies of signals are blanked."""
    removal = _admin(settings_or_exit(config),
                     lambda admin: admin.remove_staff(CLI, gemeente, who))
    typer.echo(f"removed: {who} has no access to {gemeente} any more; the signals in "
               "their chat with the bot are blanked when the bot runs")
    if removal.team_groups:
        typer.echo("they may still be a member of these team groups, where new alerts arrive; "
                   "take them out in Telegram: " + ", ".join(map(str, removal.team_groups)))
    if removal.in_config:
        typer.echo("they are declared in the config: take them out there too, or the next "
                   "`config apply` (or start) gives their access back")


@staff_app.command("role")
def staff_role(gemeente: Gemeente, who: Annotated[Person, PERSON],
               role: Annotated[str, typer.Argument(help=ROLES_HELP)],
               config: ConfigOption = None) -> None:
    """Change a staff member's role."""
    _admin(settings_or_exit(config),
           lambda admin: admin.set_role(CLI, gemeente, who, role))
    typer.echo(f"{who} is now {role}")


def _web_link(organisation: OrganisationLink, settings: Settings) -> str | None:
    """The organisation's web chat link, when ``[web] public_url`` is set."""
    public_url = settings.web.public_url
    return f"{public_url}/s/{organisation.code}" if public_url else None


def _links(organisation: OrganisationLink, settings: Settings) -> str:
    """Its Telegram deep link, and its web chat link where there is one, tab-separated."""
    return "\t".join(filter(None, (organisation.link, _web_link(organisation, settings))))


def _write_qr(qr: Path, organisation: OrganisationLink, settings: Settings) -> None:
    """The organisation's poster to print: name, "Scan mij …" and QR code (PNG, PDF, SVG).

    The QR code opens the web chat when ``[web] public_url`` is set (no app needed), else
    the Telegram deep link; the output says which.
    """
    from bot.reporting.poster import write_poster

    web = _web_link(organisation, settings)
    link = web or organisation.link
    written = write_poster(qr, link=link, name=organisation.name,
                           gemeente=organisation.gemeente_name)
    typer.echo(f"QR code opens {'the web chat' if web else 'Telegram'}: {link}")
    typer.echo(f"poster (A5, prints on A6 too) written to {', '.join(map(str, written))}")


@org_app.command("add")
def org_add(name: Annotated[str, typer.Argument(help='e.g. "PostNL depot Terneuzen"')],
            role: Annotated[str, typer.Option(help="signaler role, e.g. bezorger")],
            gemeente: Annotated[str | None, typer.Option("--gemeente", "-g")] = None,
            qr: Annotated[Path | None, typer.Option(
                help="also write a poster with the QR code here (PNG; PDF, SVG beside it)")] = None,
            config: ConfigOption = None) -> None:
    """Register a signaler organisation; prints its links (and writes a QR code)."""
    settings = settings_or_exit(config)
    organisation = _admin(settings, lambda admin: admin.add_organisation(
        CLI, name, role, gemeente, _bot_username(settings)))
    typer.echo(f"{organisation.code}\t{_links(organisation, settings)}")
    if qr is not None:
        _write_qr(qr, organisation, settings)


@org_app.command("list")
def org_list(gemeente: Annotated[str | None, typer.Option("--gemeente", "-g")] = None,
             config: ConfigOption = None) -> None:
    """List signaler organisations per gemeente: name, role, deep link (and web chat link)."""
    settings = settings_or_exit(config)
    heading = None
    for organisation in _admin(settings, lambda admin: admin.list_organisations(
            CLI, gemeente, _bot_username(settings))):
        group = (f"{organisation.gemeente_code} {organisation.gemeente_name}"
                 if organisation.gemeente_code else "no gemeente")
        if group != heading:
            typer.echo(group)
            heading = group
        typer.echo(f"  {organisation.name}\t{organisation.role}\t{_links(organisation, settings)}")


@org_app.command("qr")
def org_qr(code: Annotated[str, typer.Argument(help="the organisation's code (org list)")],
           qr: Annotated[Path, typer.Option(help="write the QR code PNG here")],
           config: ConfigOption = None) -> None:
    """Write an organisation's QR code again."""
    settings = settings_or_exit(config)
    organisations = _admin(settings, lambda admin: admin.list_organisations(
        CLI, None, _bot_username(settings)))
    organisation = next((o for o in organisations if o.code == code), None)
    if organisation is None:
        raise fail(f"no organisation {code}; `signaalbot org list` shows them", 1)
    _write_qr(qr, organisation, settings)


@texts_app.command("set")
def texts_set(gemeente: Gemeente, key: Annotated[str, typer.Argument()],
              text: Annotated[str, typer.Argument(help="plain text; {reference}, {gemeente}")],
              config: ConfigOption = None) -> None:
    """Word a text in the gemeente's own words."""
    _text(gemeente, key, text, config)
    typer.echo(f"{gemeente}: text {key} set")


@texts_app.command("reset")
def texts_reset(gemeente: Gemeente, key: Annotated[str, typer.Argument()],
                config: ConfigOption = None) -> None:
    """Go back to the built-in text."""
    _text(gemeente, key, None, config)
    typer.echo(f"{gemeente}: text {key} is the built-in one again")


def _text(gemeente: str, key: str, text: str | None, config: Path | None) -> None:
    settings = settings_or_exit(config)
    _admin(settings, lambda admin: admin.set_text(CLI, gemeente, key, text))
    _note_config(settings, gemeente, f"texts.{key}", text,
                 lambda declared: declared.texts.get(key, _UNDECLARED))


@texts_app.command("preview")
def texts_preview(gemeente: Gemeente, key: Annotated[str, typer.Argument()],
                  config: ConfigOption = None) -> None:
    """Show a text as users would see it (sample reference filled in); nothing is sent."""
    text = _admin(settings_or_exit(config), lambda admin: admin.preview(CLI, gemeente, key))
    typer.echo(as_seen(text, terminal=sys.stdout.isatty()) or "(empty)")


@config_app.command("apply")
def config_apply_command(
        config: ConfigOption = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Only print the changes.")]
        = False) -> None:
    """Make the database match the TOML config (idempotent)."""
    from bot.core import config_apply
    from storage.db import upgrade

    settings = settings_or_exit(config)

    async def _work(engine: AsyncEngine) -> list[str]:
        await upgrade(engine)
        async with uow_for(engine, settings) as uow:
            changes = await config_apply.plan(settings, uow)
            if changes and not dry_run:
                await config_apply.apply(settings, uow)
            return changes

    changes = on_database(settings, _work, encrypted=True, prepare=False)  # it applies itself
    for line in changes:
        typer.echo(line)
    typer.echo("no changes" if not changes else (
        f"{len(changes)} change(s) {'would be made' if dry_run else 'made'}"))
