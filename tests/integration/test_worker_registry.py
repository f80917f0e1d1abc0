"""The workers on one PostgreSQL database: counted by heartbeat, and group slots they share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from storage.db import create_engine, upgrade
from storage.workers import WorkerRegistry
from tests.harness import eventually

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings.database.url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


async def test_workers_count_each_other_and_a_silent_one_drops_out(db: AsyncEngine) -> None:
    first = WorkerRegistry(db, "host:1:aaaaaa", dead_after=1.0)
    second = WorkerRegistry(db, "host:2:bbbbbb", dead_after=1.0)
    assert await first.beat() == 1
    await first.settled()  # alone: at once
    assert await second.beat() == 2
    assert await first.beat() == 2

    async def second_counted_dead() -> bool:  # it beats no more, as if killed
        return await first.beat() == 1

    await eventually(second_counted_dead)
    assert first.live == 1


async def test_a_worker_that_leaves_is_not_counted(db: AsyncEngine) -> None:
    first = WorkerRegistry(db, "host:1:aaaaaa")
    second = WorkerRegistry(db, "host:2:bbbbbb")
    await first.beat()
    await second.beat()
    await second.leave()
    assert await first.beat() == 1


async def test_a_group_takes_turns_whichever_worker_asks(db: AsyncEngine) -> None:
    first, second = (WorkerRegistry(db, f"host:{n}:cccccc") for n in range(2))
    limits = {"spacing": 30.0, "most": 20, "window": 60.0}
    assert await first.take_turn(-100, **limits) == 0  # a group's first: free
    assert await second.take_turn(-100, **limits) == pytest.approx(30.0, abs=5)
    assert await first.take_turn(-200, **limits) == 0  # another group: its own turns


async def test_a_group_gets_at_most_so_many_a_window(db: AsyncEngine) -> None:
    workers = [WorkerRegistry(db, f"host:{n}:dddddd") for n in range(3)]
    limits = {"spacing": 0.0, "most": 3, "window": 60.0}
    assert [await worker.take_turn(-100, **limits) for worker in workers] == [0, 0, 0]
    assert await workers[0].take_turn(-100, **limits) == pytest.approx(60.0, abs=5)
    async with db.connect() as connection:  # the first of the three left the window
        await connection.execute(text(
            "UPDATE group_sends SET sends[1] = now() - interval '61 seconds'"))
        await connection.commit()
    assert await workers[1].take_turn(-100, **limits) == 0
    assert await workers[2].take_turn(-100, **limits) > 0
