"""``signaalbot staff-console`` as an operator starts it: one line for what stops it, else work."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bot.core import messages
from tests.conftest import TEST_KEY
from tests.helpers.cli import clean_environment, signaalbot
from tests.helpers.config import write_toml


def staff_console(tmp_path: Path, config: str, who: str,
                  typed: str = "/quit\n") -> subprocess.CompletedProcess[str]:
    path = write_toml(tmp_path, config)
    return subprocess.run([*signaalbot(), "staff-console", "--as", who, "--config", str(path)],
                          input=typed, capture_output=True, text=True, cwd=tmp_path,
                          env=clean_environment(), timeout=60)


def config(tmp_path: Path, *, key: bool = True) -> str:
    return f"""
[database]
url = "sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
[security]
encryption_key = "{TEST_KEY if key else ''}"
[[gemeenten]]
code = "GM0715"
name = "Terneuzen"
pc4 = ["4531-4539"]
alert_chat_ids = [7001]
staff = [{{ channel = "console", id = "anna", name = "Anna", role = "regisseur" }}]
"""


def test_without_a_key_it_says_so_in_one_line(tmp_path: Path) -> None:
    result = staff_console(tmp_path, config(tmp_path, key=False), "console:anna")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "signaalbot: config error: security.encryption_key: missing; make one with `signaalbot "
        "keys generate` and set SIGNAALBOT_SECURITY__ENCRYPTION_KEY"]


def test_someone_who_is_no_staff_member_is_told_so(tmp_path: Path) -> None:
    result = staff_console(tmp_path, config(tmp_path), "console:bert")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "signaalbot: console:bert is no active staff member of any gemeente; add them to a "
        "gemeente's staff in the config (channel and id)")
    assert messages.CONSOLE_STAFF_INTRO.split("{")[0] not in result.stdout


def test_a_staff_member_works_until_quit(tmp_path: Path) -> None:
    result = staff_console(tmp_path, config(tmp_path), "console:anna", "/open\n/quit\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        messages.CONSOLE_STAFF_INTRO.format(person="console:anna"), messages.OPEN_NONE,
        messages.GOODBYE]
