"""Administration: invitations, rights per gemeente, organisations, texts, config apply."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.core.admin import CLI, Actor, AdminError
from bot.core.people import Person as People
from bot.core.workflow import NoAccess
from storage.models import Invite, Signal, utcnow
from tests.harness import BotRunner, Person, file_signal
from tests.helpers.cli import run_cli
from tests.helpers.config import write_config
from tests.helpers.stored import raw_dump

REGISSEUR, TEAM, OTHER_REGISSEUR = 7001, 7003, 7101


def token_of(link: str) -> str:
    return link.split("?start=inv_", 1)[1]


async def test_an_invitation_works_once_expires_and_cannot_be_guessed(
        api: Any, runner: BotRunner) -> None:
    admin = runner.services.admin
    link = (await admin.invite(CLI, "GM0917", "team", "signaalbot_test_bot")).link
    token = token_of(link)
    assert link.startswith("https://t.me/signaalbot_test_bot?start=inv_")
    assert len(token) >= 32  # 192 random bits
    newcomer, latecomer = Person(runner, 8801, "Noor"), Person(runner, 8802, "Lars")
    await newcomer.command("start", "inv_" + token)
    assert "Welkom" in newcomer.last and "team" in newcomer.last
    await newcomer.command("open")
    assert "geen open signalen" in newcomer.last  # she is staff of Heerlen now
    await latecomer.command("start", "inv_" + token)
    assert "ongeldig" in latecomer.last  # once only
    await latecomer.command("open")
    assert latecomer.last == "Geen toegang."
    await latecomer.command("start", "inv_" + token[:-2] + "xx")
    assert "ongeldig" in latecomer.last  # a near guess fails too

    expiring = token_of((await admin.invite(CLI, "GM0917", "team", "signaalbot_test_bot")).link)
    async with runner.services.uow() as uow:
        await uow.session.execute(update(Invite).values(expires_at=utcnow() - timedelta(1)))
        await uow.commit()
    await latecomer.command("start", "inv_" + expiring)
    assert "ongeldig" in latecomer.last
    dump = await raw_dump(runner)
    assert token not in dump and expiring not in dump  # only hashes are stored


async def test_a_gemeente_admin_cannot_change_another_gemeente(
        api: Any, runner: BotRunner) -> None:
    admin = runner.services.admin
    carine = Actor(People.on_telegram(REGISSEUR))
    assert [g.code for g in await admin.manageable(carine)] == ["GM0715"]
    for attempt in (admin.set_active(carine, "GM0917", False),
                    admin.invite(carine, "GM0917", "team", "bot"),
                    admin.set_setting(carine, "GM0917", "retention_days", "1"),
                    admin.remove_staff(carine, "GM0917", People.on_telegram(OTHER_REGISSEUR)),
                    admin.set_text(carine, "GM0917", "thanks", "Hoi")):
        with pytest.raises(NoAccess):
            await attempt
    with pytest.raises(NoAccess):  # a team member administers nothing
        await admin.set_active(Actor(People.on_telegram(TEAM)), "GM0715", False)

    person = Person(runner, REGISSEUR)
    for data in ("a|on|GM0917|0", "a|g|GM0917|", "a|inv|GM0917|regisseur",
                 f"a|rm|GM0917|{OTHER_REGISSEUR}", "a|staff|GM0917|"):
        await person.command("admin")
        message = api.messages(REGISSEUR)[-1]
        await runner.processed(api.press(REGISSEUR, message, data, check=False))
        assert person.toast() == "Geen toegang."
    async with runner.services.uow() as uow:
        heerlen = await uow.gemeenten.get(code="GM0917")
        assert heerlen is not None and heerlen.active
        assert await uow.staff.get_active(person=People.on_telegram(OTHER_REGISSEUR),
                                          gemeente_code="GM0917")


async def test_a_non_admin_gets_nothing_from_admin(api: Any, runner: BotRunner) -> None:
    stranger = Person(runner, 8803)
    await stranger.command("admin")
    assert stranger.last == "Geen toegang."
    assert not api.messages(8803)[-1].get("reply_markup")
    await stranger.command("start")
    await runner.processed(api.press(8803, api.messages(8803)[-1], "a|g|GM0715|",
                                     check=False))
    assert stranger.toast() == "Geen toegang."


async def test_the_admin_menu_invites_and_takes_a_gemeente_off_board(
        api: Any, runner: BotRunner) -> None:
    carine = Person(runner, REGISSEUR)
    await carine.command("admin")
    await carine.tap("Terneuzen")
    assert "aangesloten" in carine.last and "Medewerkers: 3" in carine.last
    await carine.tap("Teamlid uitnodigen")
    assert "https://t.me/signaalbot_test_bot?start=inv_" in carine.last
    await carine.tap("Medewerkers")
    assert "Ahmed — team" in carine.last
    await carine.tap("❌ Ahmed")
    assert "geen toegang meer" in carine.last
    await carine.command("admin")
    await carine.tap("Terneuzen")
    await carine.tap("Afmelden")
    assert "niet aangesloten" in carine.last
    signaler = Person(runner, 8804)
    await signaler.command("start")
    await signaler.tap("Nee", "Kapper")
    await signaler.say("4531AB")
    assert "niet aangesloten" in signaler.last  # no Signaalpunt now: nothing is stored


async def test_an_organisation_link_fills_in_role_and_organisation(
        api: Any, runner: BotRunner, tmp_path: Path) -> None:
    added = await runner.services.admin.add_organisation(
        CLI, "PostNL depot Terneuzen", "bezorger", "GM0715", "signaalbot_test_bot")
    code = added.code
    assert added.link.endswith(f"?start=org_{code}") and added.gemeente_name == "Terneuzen"
    person = Person(runner, 8805)
    await person.command("start", f"org_{code}")
    await person.tap("Nee")
    assert "postcode" in person.last  # the role was filled in: one tap less
    await person.say("4531")
    await person.say("1")
    await person.tap("Post stapelt", "Klaar", "Minder dan", "Elke week", "Nog niets", "Klaar",
                     "Overslaan", "Nee", "anoniem", "Versturen")
    async with runner.services.uow() as uow:
        [signal] = list(await uow.session.scalars(select(Signal)))
        org = await uow.organisations.get_organisation(code=code)
    assert org is not None and signal.organisation_id == org.id and signal.role == "bezorger"
    with pytest.raises(AdminError):
        await runner.services.admin.add_organisation(CLI, "X", "astronaut", None, "bot")


async def test_texts_in_the_gemeentes_own_words(api: Any, runner: BotRunner) -> None:
    admin = runner.services.admin
    await admin.set_text(CLI, "GM0715", "thanks",
                         "Bedankt! Uw nummer is {reference}. Team <Terneuzen> & co.")
    preview = await admin.preview(CLI, "GM0715", "thanks")
    assert preview == "Bedankt! Uw nummer is SP-2026-000123. Team &lt;Terneuzen&gt; &amp; co."
    assert "Signaalpunt" in await admin.preview(CLI, "GM0917", "thanks")  # others: built in
    with pytest.raises(AdminError):
        await admin.set_text(CLI, "GM0715", "thanks", "Hoi {naam}")
    with pytest.raises(AdminError):
        await admin.set_text(CLI, "GM0715", "bogus", "Hoi")
    person = Person(runner, 8806)
    await file_signal(person)
    thanks = person.thanks()
    assert thanks.startswith("Bedankt! Uw nummer is SP-")
    assert "Team <Terneuzen> & co." in thanks
    assert api.messages(8806)  # and nothing was sent while previewing: only this conversation


def test_config_apply_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'apply.db'}"
    config = str(write_config(tmp_path, db_url))
    dry = run_cli("config", "apply", "--dry-run", "--config", config)
    assert dry.returncode == 0, dry.stderr
    assert "GM0715: new gemeente Terneuzen" in dry.stdout and "would be made" in dry.stdout
    first = run_cli("config", "apply", "--config", config)
    assert "new gemeente" in first.stdout and "made" in first.stdout  # the dry run applied nothing
    second = run_cli("config", "apply", "--config", config)
    assert second.stdout.strip() == "no changes"
    changed = str(write_config(tmp_path, db_url, escalation=12))
    third = run_cli("config", "apply", "--config", changed)
    assert "GM0715: escalation_hours 24 -> 12" in third.stdout
    assert run_cli("config", "apply", "--config", changed).stdout.strip() == "no changes"


def test_cli_admin_commands(tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    config = str(write_config(tmp_path, db_url))
    env = {"SIGNAALBOT_TELEGRAM__BOT_USERNAME": "signaalbot_test_bot"}
    assert run_cli("config", "apply", "--config", config).returncode == 0
    invite = run_cli("staff", "invite", "-g", "GM0715", "--role", "regisseur", "--config", config,
                     env=env)
    assert invite.stdout.startswith("https://t.me/signaalbot_test_bot?start=inv_")
    qr = tmp_path / "depot.png"
    org = run_cli("org", "add", "Jumbo Terneuzen", "--role", "winkel", "-g", "GM0715",
                  "--qr", str(qr), "--config", config, env=env)
    assert org.returncode == 0, org.stderr
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    listed = run_cli("staff", "list", "-g", "GM0715", "--config", config)
    assert "7001\tregisseur\tCarine" in listed.stdout
    preview = run_cli("texts", "preview", "-g", "GM0715", "thanks", "--config", config)
    assert preview.stdout.strip() == "Dank, SP-2026-000123"
    wrong = run_cli("gemeente", "set", "-g", "GM0999", "retention_days", "10", "--config", config)
    assert wrong.returncode == 1 and wrong.stderr.strip() == "signaalbot: unknown gemeente GM0999"
    no_name = run_cli("staff", "invite", "-g", "GM0715", "--config", config)
    assert no_name.returncode == 2 and "telegram.bot_username" in no_name.stderr
    for group in ("gemeente", "staff", "org", "texts", "config"):
        assert run_cli(group, "--help").returncode == 0


def test_an_organisation_code_is_never_read_as_an_option() -> None:
    from bot.core.admin import organisation_code

    codes = [organisation_code() for _ in range(2000)]
    assert all(len(code) == 8 and code[0] not in "-_" for code in codes)
