"""The operator's first hour: ``signaalbot run`` and the admin commands as installed.

``run`` prepares the database (migrations, the config's gemeenten and staff) before it talks to
Telegram; Telegram out of reach is one line per attempt, a rejected token one line with the
token masked; a stop signal ends it cleanly at any moment. Admin commands work on a fresh
database.
"""

from __future__ import annotations

import asyncio
import re
import signal
import socket
from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory

from bot.settings import Settings
from storage.crypto import Keyring
from storage.db import alembic_config, create_engine, current_revision, session_factory
from storage.uow import UnitOfWork
from tests.conftest import TEST_KEY
from tests.harness import BotRunner, Person
from tests.helpers.cli import bot_environment, signaalbot
from tests.helpers.config import write_config
from tests.standin import BotApiStandIn

TOKEN = "7654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # BotFather's shape, not the stand-in's
MASKED = "7654321:AA…aw"
RETRYING = "trying again"
OUTAGE = 6.0  # seconds Telegram is away while the bot runs: four failed polls, backoff visible
USER = 42


def config_for(tmp_path: Path, db_url: str, *, token: str = TOKEN,
               base_url: str = "http://127.0.0.1:9/bot") -> Path:
    """Terneuzen's config with a ``[telegram]`` section: `token` at `base_url`."""
    return write_config(tmp_path, db_url, telegram={
        "token": token, "bot_username": "signaalbot_test_bot", "base_url": base_url})


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A port of 127.0.0.1 that refuses connections (bound, not listening)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


class Run:
    """``signaalbot run --config CONFIG`` in a process of its own, its output in a file."""

    def __init__(self, config: Path) -> None:
        self._config = config
        self._output = config.with_suffix(".log")
        self.process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Run:
        with self._output.open("wb") as output:
            self.process = await asyncio.create_subprocess_exec(
                *signaalbot(), "run", "--config", str(self._config), stdout=output,
                stderr=output, env=bot_environment(), cwd=self._config.parent)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    @property
    def lines(self) -> list[str]:
        return self._output.read_text(encoding="utf-8").splitlines()

    def retries(self) -> list[str]:
        return [line for line in self.lines if RETRYING in line]

    async def wait_for(self, count: int, timeout: float = 20.0) -> None:
        """Until ``count`` lines say the bot tries again (or the process ended)."""
        assert self.process is not None
        async with asyncio.timeout(timeout):
            while len(self.retries()) < count and self.process.returncode is None:
                await asyncio.sleep(0.05)

    async def stop(self, how: int | None = signal.SIGTERM) -> int:
        """Send ``how`` (None: nothing) and return the exit code."""
        assert self.process is not None
        if how is not None and self.process.returncode is None:
            self.process.send_signal(how)
        async with asyncio.timeout(20):
            return await self.process.wait()

    def describe(self) -> str:
        return "\n".join(self.lines)


def assert_clean(run: Run, token: str = TOKEN) -> None:
    """No traceback, no error, no unclosed session, and the token nowhere in the output."""
    output = run.describe()
    for unwanted in ("Traceback", " ERROR ", "Unclosed", token):
        assert unwanted not in output, output


def question(api: BotApiStandIn) -> tuple[dict[str, Any], str] | None:
    """The signaler's newest message from the bot and its first button's data, if it has one."""
    message = api.last_message(USER)
    rows = (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
    return (message, rows[0][0]["callback_data"]) if message and rows else None


def moment(line: str) -> datetime:
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")


async def test_run_without_telegram_prepares_the_database_and_retries(
        db_url: str, tmp_path: Path, refusing_port: int) -> None:
    config = config_for(tmp_path, db_url, base_url=f"http://127.0.0.1:{refusing_port}/bot")
    # Both stop signals end it cleanly: Ctrl-C on one database, the service manager's on the other.
    how = signal.SIGINT if db_url.startswith("sqlite") else signal.SIGTERM
    async with Run(config) as run:
        await run.wait_for(2)
        assert len(run.retries()) >= 2, run.describe()
        assert await run.stop(how) == 0, run.describe()
    assert_clean(run)
    assert len(run.lines) <= len(run.retries()) + 3, run.describe()  # the retries, little else
    assert re.search(r"in \d+ s", run.retries()[0]), run.describe()
    keys = Keyring(TEST_KEY)
    engine = create_engine(db_url, keyring=keys)
    try:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert await current_revision(engine) == head
        async with UnitOfWork(session_factory(engine), keys) as uow:
            gemeente = await uow.gemeenten.get(code="GM0715")
            team = await uow.staff.list_team(gemeente_code="GM0715")
        assert gemeente is not None and gemeente.name == "Terneuzen"
        assert [member.name for member in team] == ["Carine"]
    finally:
        await engine.dispose()


async def test_run_with_a_rejected_token_says_so_in_one_line(api: BotApiStandIn,
                                                            tmp_path: Path) -> None:
    config = config_for(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
                          base_url=api.base_url)
    async with Run(config) as run:
        code = await run.stop(None)
    assert code != 0, run.describe()
    assert_clean(run)
    said = [line for line in run.lines if "token" in line.lower()]
    assert len(said) == 1 and MASKED in said[0] and "rejected" in said[0], run.describe()
    assert len(run.lines) <= 2, run.describe()
    assert [call.method for call in api.calls] == ["getMe"]  # and it did not try again


async def test_run_with_the_database_out_of_reach_says_so_in_one_line(
        refusing_port: int, tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{refusing_port}/none"
    async with Run(config_for(tmp_path, url)) as run:
        code = await run.stop(None)
    assert code != 0, run.describe()
    assert_clean(run)
    assert len(run.lines) <= 2 and "database" in run.lines[-1], run.describe()


async def test_an_outage_while_running_is_one_warning_per_retry_and_the_chat_goes_on(
        api: BotApiStandIn, tmp_path: Path) -> None:
    config = config_for(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
                          token=api.token, base_url=api.base_url)
    api.user(USER)
    async with Run(config) as run:
        await api.wait_for(lambda: api.polling, timeout=20)
        api.send_command(USER, "start")
        await api.wait_for(lambda: question(api) is not None, timeout=10)
        await api.stop()
        await asyncio.sleep(OUTAGE)
        await api.start()
        asked = question(api)
        assert asked is not None
        since = len(api.calls)
        api.press(USER, *asked)  # the signaler answers the question they were at
        await api.wait_for(lambda: any(call.ok and call.params.get("chat_id") == USER
                                       for call in api.calls[since:]), timeout=30)
        assert await run.stop() == 0, run.describe()
    assert_clean(run, api.token)
    warnings = run.retries()
    assert len(warnings) >= 3 and all(" WARNING " in line for line in warnings), run.describe()
    gaps = [(b - a).total_seconds() for a, b in pairwise(map(moment, warnings))]
    assert gaps[-1] > gaps[0] * 1.5, run.describe()  # backing off, not hammering


async def test_admin_commands_work_on_a_fresh_database(db_url: str, tmp_path: Path) -> None:
    config = config_for(tmp_path, db_url)

    async def command(*args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            *signaalbot(), *args, "--config", str(config), stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=bot_environment(), cwd=tmp_path)
        out, err = await process.communicate()
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    code, out, err = await command("staff", "list", "--gemeente", "GM0715")
    assert code == 0 and "Carine" in out and "Traceback" not in err, out + err
    code, out, err = await command("org", "add", "Kapsalon Knip", "--role", "kapper",
                                   "--gemeente", "GM0715")
    assert code == 0 and "t.me/signaalbot_test_bot" in out and not err, out + err


async def test_a_command_menu_lost_on_the_way_does_not_stop_the_start(
        api: BotApiStandIn, settings: Settings) -> None:
    api.fail_next("setMyCommands", None)  # Telegram gone between getMe and the menu
    runner = BotRunner(api, settings)
    await runner.start()
    try:
        person = Person(runner, USER)
        await person.command("start")
        assert person.texts()
    finally:
        await runner.stop()
