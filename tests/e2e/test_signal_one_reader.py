"""Two bot processes on one database and one signal-cli: one reads the stream, the other only
sends and takes over when the reader stops or loses its lock; no message is answered twice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.settings import Settings
from tests.harness import eventually
from tests.helpers.postgres import end_lock_holders
from tests.helpers.signal import SignalPerson, SignalRunner

TAKEOVER = 10.0  # seconds a standby may take (it tries every 2)


@pytest.fixture
async def pair(signalcli: Any, settings: Settings) -> AsyncIterator[list[SignalRunner]]:
    """Two processes started one after the other: the first reads, the second only sends."""
    runners = [SignalRunner(signalcli, settings), SignalRunner(signalcli, settings)]
    for runner in runners:
        await runner.start()
    yield runners
    for runner in runners:
        if runner.channel is not None:
            await runner.stop()


async def until(predicate: Callable[[], bool]) -> None:
    """Wait (polling) until the processes' state is as the predicate says."""

    async def check() -> bool:
        return predicate()

    await eventually(check, TAKEOVER)


def readers(runners: list[SignalRunner]) -> list[SignalRunner]:
    return [r for r in runners if r.channel is not None and r.channel.reading]


async def answered_once(person: SignalPerson, runners: list[SignalRunner], line: str) -> None:
    """The person writes a line; exactly one bot message answers it."""
    before = len(person.texts())
    person.phone.says(line)
    for runner in runners:
        if runner.channel is not None:
            await runner.settled()
    assert len(person.texts()) == before + 1


async def test_only_one_process_reads_the_stream(
        signalcli: Any, pair: list[SignalRunner], caplog: pytest.LogCaptureFixture) -> None:
    first, second = pair
    assert readers(pair) == [first] and signalcli.connected == 1
    assert [r.getMessage() for r in caplog.get_records("setup") if r.name == "handlers.signal.app"
            and "only sends" in r.getMessage()] == [
        "another Signaalbot process reads the Signal stream; this one only sends"]
    anna = SignalPerson(first, signalcli.person("Anna"))
    await answered_once(anna, pair, "/start")
    assert "Typ het nummer" in anna.last
    assert second.channel is not None and second.channel.received == 0
    assert signalcli.most_connected == 1


async def test_the_other_takes_over_when_the_reader_stops(signalcli: Any,
                                                          pair: list[SignalRunner]) -> None:
    first, second = pair
    anna = SignalPerson(second, signalcli.person("Anna"))
    await first.stop()
    anna.phone.says("/start")  # while nobody reads: it waits on Signal's server
    await until(lambda: readers(pair) == [second] and signalcli.connected == 1)
    await second.settled()
    assert len(anna.texts()) == 1 and "Typ het nummer" in anna.last
    await answered_once(anna, [second], "nee")
    assert signalcli.most_connected == 1


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_reader_that_loses_its_lock_stops_reading(signalcli: Any,
                                                          pair: list[SignalRunner],
                                                          db_url: str) -> None:
    """Its lock's connection ended, the reader stops at once: by then the other may hold the
    lock. Whichever takes it next reads, on a new stream; never both."""
    first, second = pair
    assert first.channel is not None and second.channel is not None
    assert await end_lock_holders(db_url) == 1
    await until(lambda: len(readers(pair)) == 1 and signalcli.connected == 1
                and (second.channel.reading or first.channel.stream.connections == 2))
    anna = SignalPerson(first, signalcli.person("Anna"))
    await answered_once(anna, pair, "/start")
    assert signalcli.most_connected == 1 and len(readers(pair)) == 1
