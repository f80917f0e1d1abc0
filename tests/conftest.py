"""Shared fixtures: databases (SQLite and PostgreSQL), settings, and a guard on ERROR logs."""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from storage.crypto import generate_key

# PTB 22 warns on integer durations unless told to use timedelta; warnings are errors here.
os.environ.setdefault("PTB_TIMEDELTA", "true")

PG_ADMIN_DSN = os.environ.get("SIGNAALBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("SIGNAALBOT_REQUIRE_POSTGRES") == "1"

TERNEUZEN = {"code": "GM0715", "name": "Terneuzen", "pc4": ["4531-4539"],
             "alert_chat_ids": [7001, -1007002], "backup_chat_ids": [7009],
             "escalation_hours": 24, "silent_days": 5,
             "staff": [{"telegram_id": 7001, "name": "Carine", "role": "regisseur"},
                       {"telegram_id": 7003, "name": "Ahmed", "role": "team"},
                       {"telegram_id": 7004, "name": "Sanne", "role": "team"}]}
HEERLEN = {"code": "GM0917", "name": "Heerlen", "pc4": ["6411-6419"], "alert_chat_ids": [7101],
           "staff": [{"telegram_id": 7101, "name": "Bram", "role": "regisseur"}]}
HILLEGOM = {"code": "GM0534", "name": "Hillegom", "pc4": ["2181-2182"], "alert_chat_ids": [],
            "active": False, "fallback_advice": "Bel HLTsamen op 0252-123456."}


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """Async tests run on the event loop the bot runs on in production (uvloop)."""
    from bot.runtime import new_event_loop

    return {"loop": new_event_loop}


@pytest.fixture(autouse=True)
def no_error_logs() -> Iterator[_ErrorCollector]:
    """Any ERROR log during a test fails it: exceptions cannot hide behind PTB's error handler."""
    collector = _ErrorCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    yield collector
    root.removeHandler(collector)
    if collector.records:
        shown = "\n".join(f"{r.name}: {r.getMessage()} {r.exc_info[1] if r.exc_info else ''}"
                          for r in collector.records)
        pytest.fail(f"ERROR logged during the test:\n{shown}")


async def _pg_available() -> str | None:
    try:
        import asyncpg

        connection = await asyncio.wait_for(asyncpg.connect(PG_ADMIN_DSN), timeout=3)
        await connection.close()
        return None
    except Exception as error:  # any failure means: not reachable here
        return f"PostgreSQL not reachable at {PG_ADMIN_DSN}: {error}"


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database URL: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'signaalbot.db'}"
        return
    reason = await _pg_available()
    if reason:
        if REQUIRE_PG:
            pytest.fail(reason)
        pytest.skip(reason)
    import asyncpg

    name = f"sb_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{base}/{name}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


TEST_KEY = generate_key()


# The kinds of report the bot offers by default: a door to each (``intake.flows``).
ALL_FLOWS = {"flows": ["signaal", "zelfmelding", "vrijwilliger"]}


def make_settings(db_url: str, **overrides: Any) -> Settings:
    """Settings for tests: three gemeenten (two on board), no config file read.

    They offer signals only, so a conversation starts in the signal, without the door (the
    tests of the door and the other reports pass ``intake=ALL_FLOWS``).
    """
    values: dict[str, Any] = {
        "database": {"url": db_url},
        "security": {"encryption_key": TEST_KEY},
        "gemeenten": [TERNEUZEN, HEERLEN, HILLEGOM],
        "intake": {"flows": ["signaal"]},
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Test settings on the parametrised database."""
    return make_settings(db_url)


@asynccontextmanager
async def bot_api() -> AsyncIterator[Any]:
    """The Telegram Bot API stand-in on 127.0.0.1, with the test alert chats known to it."""
    from tests.standin import BotApiStandIn

    async with BotApiStandIn() as standin:
        standin.user(7001, first_name="Carine")
        standin.group(-1007002, title="Team Terneuzen")
        standin.user(7003, first_name="Ahmed")
        standin.user(7004, first_name="Sanne")
        standin.user(7009, first_name="Backup")
        standin.user(7101, first_name="Bram")
        yield standin


@pytest.fixture
async def api() -> AsyncIterator[Any]:
    """The Telegram Bot API stand-in (``bot_api``)."""
    async with bot_api() as standin:
        yield standin


@pytest.fixture
async def runner(api: Any, settings: Settings) -> AsyncIterator[Any]:
    """Signaalbot running against the stand-in (stopped at the end if still running)."""
    from tests.harness import BotRunner

    bot = BotRunner(api, settings)
    await bot.start()
    yield bot
    if bot.app is not None:
        await bot.stop()


@pytest.fixture
async def signalcli() -> AsyncIterator[Any]:
    """The signal-cli daemon stand-in on 127.0.0.1."""
    from tests.signalcli import SignalCliStandIn

    async with SignalCliStandIn() as standin:
        yield standin


@pytest.fixture
async def signal_runner(signalcli: Any, settings: Settings) -> AsyncIterator[Any]:
    """Signaalbot serving Signal only, against the stand-in (stopped at the end)."""
    from tests.helpers.signal import SignalRunner

    bot = SignalRunner(signalcli, settings)
    await bot.start()
    yield bot
    if bot.channel is not None:
        await bot.stop()
