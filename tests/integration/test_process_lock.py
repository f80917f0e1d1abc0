"""A lock one process at a time holds among those sharing a database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from storage.process_lock import ProcessLock
from tests.harness import eventually
from tests.helpers.postgres import end_lock_holders

NAME = "signal stream +31612345678"


async def test_one_holds_the_lock_until_it_lets_go(db_url: str) -> None:
    first, second, other = (ProcessLock(db_url, NAME), ProcessLock(db_url, NAME),
                            ProcessLock(db_url, "signal stream +31687654321"))
    try:
        assert await first.acquire() and await first.acquire()  # taken, then checked
        assert not await second.acquire() and not second.held
        assert await other.acquire()  # another name is another lock
        await first.release()
        assert await second.acquire() and not await first.acquire()
    finally:
        for lock in (first, second, other):
            await lock.release()


async def test_sqlite_locks_a_file_next_to_the_database(tmp_path: Path) -> None:
    lock = ProcessLock(f"sqlite+aiosqlite:///{tmp_path / 'signaalbot.db'}", NAME)
    assert lock.path == f"{tmp_path / 'signaalbot.db'}.signal-stream-31612345678.lock"
    assert await lock.acquire()
    await lock.release()


async def test_in_memory_sqlite_has_one_process_so_the_lock_is_always_free() -> None:
    first, second = (ProcessLock("sqlite+aiosqlite://", NAME),
                     ProcessLock("sqlite+aiosqlite:///:memory:", NAME))
    assert first.path is None and await first.acquire() and await second.acquire()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_lock_whose_connection_is_ended_is_lost_at_once(db_url: str) -> None:
    lost = asyncio.Event()
    first, second = ProcessLock(db_url, NAME, on_lost=lost.set), ProcessLock(db_url, NAME)
    try:
        assert await first.acquire() and not await second.acquire()
        assert await end_lock_holders(db_url) == 1
        await asyncio.wait_for(lost.wait(), 5)
        assert not first.held
        assert await second.acquire() and not await first.acquire()
        # The one that lost it takes it again once it is free, on a new connection.
        await second.release()
        assert await first.acquire()
    finally:
        await first.release()
        await second.release()


HOLD = """
import asyncio, sys
from storage.process_lock import ProcessLock

async def hold():
    lock = ProcessLock(sys.argv[1], sys.argv[2])
    print(await lock.acquire(), flush=True)
    await asyncio.sleep(60)

asyncio.run(hold())
"""


async def test_a_process_that_dies_lets_go_of_the_lock(db_url: str) -> None:
    """Killed, it releases nothing itself: the system (SQLite's file) or the server does."""
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", HOLD, db_url, NAME,
                                                 stdout=asyncio.subprocess.PIPE)
    lock = ProcessLock(db_url, NAME)
    try:
        assert child.stdout is not None
        assert await asyncio.wait_for(child.stdout.readline(), 10) == b"True\n"
        assert not await lock.acquire()
        child.kill()
        await child.wait()
        await eventually(lock.acquire)  # the server notices the closed connection
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
        await lock.release()


async def test_a_database_out_of_reach_gives_no_lock_and_one_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    lock = ProcessLock("postgresql+asyncpg://postgres@127.0.0.1:9/none", NAME)
    assert not await lock.acquire() and not await lock.acquire()
    assert lock.failing and not lock.held
    assert len([r for r in caplog.records if r.levelname == "WARNING"]) == 1
