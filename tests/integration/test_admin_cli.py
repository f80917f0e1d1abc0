"""The operator's admin commands say what they did, and what the config will undo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers.cli import invoke
from tests.helpers.config import write_config

ENV: dict[str, str] = {"SIGNAALBOT_TELEGRAM__BOT_USERNAME": "signaalbot_test_bot"}
LINK = re.compile(r"https://t\.me/signaalbot_test_bot\?start=org_[\w-]+")
HEERLEN = """
[[gemeenten]]
code = "GM0917"
name = "Heerlen"
pc4 = ["6411-6419"]
alert_chat_ids = [7101]
staff = [{ telegram_id = 7101, name = "Bram", role = "regisseur" }]
"""


@pytest.fixture
def config(tmp_path: Path) -> str:
    """A config declaring Terneuzen, applied to a database that also knows Heerlen."""
    path = write_config(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    declared = path.read_text(encoding="utf-8")
    path.write_text(declared + HEERLEN, encoding="utf-8")
    assert cli(str(path), "config", "apply")[0] == 0
    path.write_text(declared, encoding="utf-8")  # Heerlen is in the database, not the config
    return str(path)


def cli(config: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The command line with the bot's username set."""
    return invoke(config, *args, env={**ENV, **(env or {})})


def test_staff_invite_says_whom_it_invites_and_for_how_long(config: str) -> None:
    code, out, err = cli(config, "staff", "invite", "-g", "GM0715", "--role", "regisseur")
    assert code == 0 and err == ""
    link, explanation = out.splitlines()
    assert link.startswith("https://t.me/signaalbot_test_bot?start=inv_")
    assert re.fullmatch(
        r"for one person, once: they join GM0715 \(Terneuzen\) as regisseur; valid 7 days, "
        r"until \d{4}-\d\d-\d\d \d\d:\d\d UTC", explanation), explanation


def test_org_add_refuses_a_name_its_gemeente_has_and_org_list_shows_the_links(
        config: str, tmp_path: Path) -> None:
    code, out, err = cli(config, "org", "add", " postnl  depot TERNEUZEN", "--role", "bezorger",
                         "-g", "GM0715")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        'signaalbot: GM0715 already has the organisation "PostNL depot Terneuzen" (code '
        "postnl-tnz): `signaalbot org list -g GM0715` shows its link, `signaalbot org qr "
        "postnl-tnz --qr FILE` writes its QR code again"]
    code, out, err = cli(config, "org", "add", "PostNL depot Terneuzen", "--role", "bezorger",
                         "-g", "GM0917")  # another gemeente may have one of that name
    assert code == 0, err
    code, _, err = cli(config, "org", "add", "x" * 121, "--role", "winkel", "-g", "GM0715")
    assert code == 1 and err.strip() == (
        "signaalbot: an organisation's name is 1 to 120 characters, not 121")
    assert cli(config, "org", "add", "Kapsalon <Knip>", "--role", "kapper")[0] == 0  # national

    code, out, err = cli(config, "org", "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "GM0715 Terneuzen"
    assert re.fullmatch(r"  PostNL depot Terneuzen\tbezorger\t" + LINK.pattern, lines[1])
    assert lines[2] == "GM0917 Heerlen" and "PostNL depot Terneuzen\tbezorger" in lines[3]
    assert lines[4] == "no gemeente" and "Kapsalon <Knip>\tkapper" in lines[5]
    assert len(lines) == 6 and "Carine" not in out and "7001" not in out  # nothing personal
    code, only, _ = cli(config, "org", "list", "-g", "GM0917")
    assert code == 0 and only.splitlines() == lines[2:4]
    code, out, err = cli(config, "org", "list", "-g", "GM0715",  # with the web chat's link
                         env={"SIGNAALBOT_WEB__PUBLIC_URL": "https://meld.example.nl"})
    assert code == 0 and out.splitlines()[1] == lines[1] + (
        "\thttps://meld.example.nl/s/postnl-tnz")

    qr = tmp_path / "again.png"
    code, out, err = cli(config, "org", "qr", "postnl-tnz", "--qr", str(qr))
    assert code == 0, err
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli(config, "org", "qr", "nope-nope", "--qr", str(qr))[2].strip() == (
        "signaalbot: no organisation nope-nope; `signaalbot org list` shows them")


def test_changes_the_config_will_undo_are_announced(config: str) -> None:
    code, out, err = cli(config, "gemeente", "set", "-g", "GM0715", "retention_days", "60")
    assert code == 0 and out.strip() == "GM0715: retention_days set to 60"
    assert err.strip() == (
        "signaalbot: note: GM0715 is declared in the config with retention_days = 30; the "
        "next `signaalbot run` or `config apply` sets that again (change it in the config)")
    code, out, err = cli(config, "gemeente", "set", "-g", "GM0715", "escalation_hours", "24")
    assert code == 0 and out.strip() == "GM0715: escalation_hours set to 24" and err == ""
    code, out, err = cli(config, "gemeente", "set", "-g", "GM0917", "silent_days", "0.5")
    assert code == 1 and "silent_days must be a number from 1 to 365" in err
    code, out, err = cli(config, "gemeente", "set", "-g", "GM0917", "silent_days", "2.5")
    assert out.strip() == "GM0917: silent_days set to 2.5" and err == ""  # not declared

    code, out, err = cli(config, "gemeente", "off", "-g", "GM0715")
    assert code == 0 and "active = true" in err and "GM0715" in err
    code, out, err = cli(config, "gemeente", "alert-chats", "-g", "GM0715", "7001", "-100123")
    assert code == 0 and "alert_chat_ids = [7001]" in err
    code, out, err = cli(config, "texts", "set", "-g", "GM0715", "thanks", "Dank u")
    assert code == 0 and "texts.thanks" in err
    code, out, err = cli(config, "texts", "set", "-g", "GM0715", "welcome", "Hallo")
    assert code == 0 and err == ""  # the config words no welcome


def test_texts_preview_shows_the_text_as_a_user_sees_it(config: str) -> None:
    code, out, err = cli(config, "texts", "preview", "-g", "GM0917", "thanks")
    assert code == 0, err
    assert "SP-2026-000123" in out and "Heerlen" in out  # the built-in text, filled in
    assert not re.search(r"</?b>|&\w+;", out)  # no markup, no entities
    assert cli(config, "texts", "set", "-g", "GM0715", "feedback_closed",
               "Klaar: {reference} <Team> & {gemeente}")[0] == 0
    code, out, _ = cli(config, "texts", "preview", "-g", "GM0715", "feedback_closed")
    assert out == "Klaar: SP-2026-000123 <Team> & Terneuzen\n"
    code, out, _ = cli(config, "texts", "preview", "-g", "GM0917", "alert_footer")
    assert out == "(empty)\n"


def test_bold_shows_as_bold_on_a_terminal() -> None:
    from bot.cli.admin import as_seen

    text = "Welkom bij het <b>Signaalpunt</b> &amp; <i>meer</i>"
    assert as_seen(text, terminal=True) == "Welkom bij het \033[1mSignaalpunt\033[0m & meer"
    assert as_seen(text, terminal=False) == "Welkom bij het Signaalpunt & meer"
