"""The event stream and the daemon coming and going mid-conversation, the bot restarting, and
the daemon check at start: nothing typed is lost or taken twice, every prompt comes once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.conftest import TEST_KEY
from tests.helpers.cli import bot_environment, signaalbot
from tests.helpers.config import write_toml
from tests.helpers.signal import WHOLE_SIGNAL, SignalPerson, SignalRunner, filed_once
from tests.signalcli import SignalCliStandIn


async def typed_while(runner: SignalRunner, person: SignalPerson, lines: tuple[str, ...],
                      cut: Callable[[], Awaitable[None]]) -> None:
    """Type `lines` one after another without waiting for answers; after every second line,
    once the bot has read it, `cut()` the connection. Then wait until all are handled."""
    assert runner.channel is not None
    start = runner.channel.received
    async with runner.reading(len(lines)):
        for number, line in enumerate(lines, 1):
            person.phone.says(line)
            if number % 2 == 0:  # the next line may come while the bot is away
                await runner.read_up_to(start + number)
                await cut()


async def test_the_stream_drops_while_the_person_types(signalcli: SignalCliStandIn,
                                                       signal_runner: SignalRunner) -> None:
    anna = SignalPerson(signal_runner, signalcli.person("Anna"))
    stream = signal_runner.channel.stream if signal_runner.channel else None
    assert stream is not None and stream.max_delay == signal_runner.backoff
    await anna.say(*WHOLE_SIGNAL[:3])
    signalcli.drop_stream()
    async with signal_runner.reading(3):
        for line in WHOLE_SIGNAL[3:6]:  # typed while disconnected: they wait at the server
            anna.phone.says(line)

    async def drop() -> None:
        signalcli.drop_stream()

    await typed_while(signal_runner, anna, WHOLE_SIGNAL[6:], drop)
    await signal_runner.settled()
    assert stream.connections >= 6  # it came back after every drop
    await filed_once(signal_runner, anna)


async def test_the_daemon_restarts_mid_conversation(signalcli: SignalCliStandIn,
                                                    signal_runner: SignalRunner) -> None:
    anna = SignalPerson(signal_runner, signalcli.person("Anna"))
    await anna.say(*WHOLE_SIGNAL[:4])

    async def restart() -> None:  # what was just read comes again: taken once
        await signal_runner.settled()  # (replies go out through the daemon)
        await signalcli.restart(down_for=0.1, redeliver=0.5)

    await typed_while(signal_runner, anna, WHOLE_SIGNAL[4:14], restart)
    while_down = asyncio.create_task(signalcli.restart(down_for=0.2))
    await signalcli.wait_for(lambda: signalcli.connected == 0)
    async with signal_runner.reading(1):
        anna.phone.says(WHOLE_SIGNAL[14])  # typed while the daemon is away
        await while_down
    await filed_once(signal_runner, anna)


async def test_the_bot_restarts_mid_conversation(signalcli: SignalCliStandIn,
                                                 signal_runner: SignalRunner) -> None:
    anna = SignalPerson(signal_runner, signalcli.person("Anna"))
    await anna.say(*WHOLE_SIGNAL[:5])
    for line, start, end in ((5, 6, 9), (9, 10, 15)):
        assert signal_runner.channel is not None
        anna.phone.says(WHOLE_SIGNAL[line])
        await signal_runner.read_up_to(signal_runner.channel.received + 1)
        await signal_runner.stop()  # as on SIGTERM: the line in hand is answered first
        for typed in WHOLE_SIGNAL[start:end]:  # typed while the bot is down
            anna.phone.says(typed)
        await signal_runner.start()
        await signal_runner.settled()
    await filed_once(signal_runner, anna)


async def test_the_bot_starts_before_signal_cli(signalcli: SignalCliStandIn, settings: Settings,
                                                caplog: pytest.LogCaptureFixture) -> None:
    await signalcli.stop()
    runner = SignalRunner(signalcli, settings)
    starting = asyncio.create_task(runner.start())
    try:
        async with asyncio.timeout(5):
            while not any("does not answer" in r.getMessage() for r in caplog.records):
                await asyncio.sleep(0.01)
        [warning] = [r for r in caplog.records if "does not answer" in r.getMessage()]
        assert warning.levelno == logging.WARNING and signalcli.check_url in warning.getMessage()
        anna = SignalPerson(runner, signalcli.person("Anna"))
        anna.phone.says("/start")  # waits at Signal's server until the daemon is up
        await signalcli.start()
        await starting
        await runner.settled()
        assert "Welkom" in anna.last
        await anna.say(*WHOLE_SIGNAL[1:])
        await filed_once(runner, anna)
    finally:
        if runner.channel is not None:
            await runner.stop()


async def test_a_too_old_signal_cli_refuses_to_start(signalcli: SignalCliStandIn, db_url: str,
                                                     tmp_path: Path) -> None:
    signalcli.version = "0.11.5"
    config = write_toml(tmp_path, f"""
[database]
url = "{db_url}"
[security]
encryption_key = "{TEST_KEY}"
[signal]
account = "{signalcli.account}"
rpc_url = "{signalcli.rpc_url}"
events_url = "{signalcli.events_url}"
[[gemeenten]]
code = "GM0715"
name = "Terneuzen"
pc4 = ["4531-4539"]
alert_chat_ids = [7001]
""")
    process = await asyncio.create_subprocess_exec(
        *signaalbot(), "run", "--config", str(config), env=bot_environment(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    said = (out + err).decode()
    errors = [line for line in said.splitlines() if line.strip() and " INFO " not in line]
    assert process.returncode not in (0, None), said
    assert errors == ["signaalbot: config error: signal-cli 0.11.5 is too old: Signaalbot "
                      "needs 0.11.6 or newer"], said
    assert "Traceback" not in said and signalcli.connected == 0


async def test_a_reply_signal_cli_could_not_send_is_tried_again(signalcli: SignalCliStandIn,
                                                                 signal_runner: SignalRunner
                                                                 ) -> None:
    anna = SignalPerson(signal_runner, signalcli.person("Anna"))
    await anna.say("/start")
    signalcli.fail_io("send", "Connection reset by Signal's server", times=2)
    await anna.say("nee")  # the reply to it fails twice, then arrives
    assert "Wie bent u?" in anna.last
    assert len([t for t in anna.texts() if "Wie bent u?" in t]) == 1
