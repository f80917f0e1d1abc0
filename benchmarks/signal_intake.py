"""The Signal section of the benchmark (``run.py``): Signaalbot serving Signal alone.

The bot is ``signaalbot run`` with only ``[signal]`` set, in a process of its own
(``botproc.py``, kind ``signal``), against the signal-cli stand-in (``tests/signalcli/``) in
this process. A simulated person is a phone of the stand-in walking a whole signal exactly like
``tests.helpers.signal.file_signal`` (numbers and words, 15 envelopes): each line is pushed to
the bot's event stream, and the person waits for the bot's answer to reach the stand-in (its
``send`` call) before typing the next (closed loop). Latency is from the push until then.

1. Throughput: ``load.rounds`` rounds of ``load.signalers`` new people at once, without pauses.
2. Paced: ``load.paced_signalers`` people pausing ``load.pace`` seconds before each line.

There is no bare signal-cli bot to serve as a floor; beside the figures are those of
Signaalbot on Telegram in the same run (the same people, rounds and pace), for comparison only:
the transports differ (an event stream and JSON-RPC calls instead of long polling).
"""

from __future__ import annotations

import asyncio
import random
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from measure import (
    ALERT_CHATS,
    SIGNALS_ONLY,
    WARM_UP_SIGNALS,
    BotProcess,
    Database,
    Measurement,
    pool,
)
from sections import channel_headline, channel_section

from storage.crypto import generate_key
from tests.helpers.signal import file_signal
from tests.signalcli import SignalCliStandIn
from tests.signalcli.protocol import values

ENVELOPES_PER_SIGNAL = 15  # the lines file_signal types
REPLIES_PER_SIGNAL = ENVELOPES_PER_SIGNAL + 1  # one per line, and the suggestions after filing
STEP_TIMEOUT = 30.0


class BenchSignalCli(SignalCliStandIn):
    """The signal-cli stand-in, telling per person when the bot's messages arrived."""

    def __init__(self) -> None:
        super().__init__()
        self._seen = 0
        self._waiting: dict[str, tuple[int, asyncio.Future[float]]] = {}

    def _signal(self) -> None:
        # Only the calls since the last look, and only the people waiting: a wait_for per
        # person would re-check every person after every call.
        arrived = time.monotonic()
        for call in self.calls[self._seen:]:
            if call.method != "send":
                continue
            for recipient in values(call.params, "recipient") or ():
                count, future = self._waiting.get(recipient, (0, None))
                if future is not None and self.received(recipient) >= count:
                    del self._waiting[recipient]
                    if not future.done():  # not given up on (timed out)
                        future.set_result(arrived)
        self._seen = len(self.calls)
        super()._signal()

    def received(self, aci: str) -> int:
        """How many messages the bot sent this person so far."""
        chat = self._chats.get(aci)
        return len(chat.messages) if chat is not None else 0

    async def reply(self, aci: str, count: int) -> float:
        """Wait for the person's ``count``-th message; return when it arrived (monotonic)."""
        future = asyncio.get_running_loop().create_future()
        self._waiting[aci] = (count, future)
        try:
            return await asyncio.wait_for(future, STEP_TIMEOUT)
        except TimeoutError:
            raise RuntimeError(f"no answer to {aci} within {STEP_TIMEOUT}s") from None


class SignalWalker:
    """A person on Signal, timing each line: ``SignalPerson``'s interface for ``file_signal``."""

    def __init__(self, cli: BenchSignalCli, latencies: list[float],
                 think: tuple[float, float] | None = None) -> None:
        self.cli, self.phone = cli, cli.person("Signaler")
        self._latencies = latencies
        self._think = think

    async def say(self, *lines: str) -> None:
        """Type each line once the bot answered the one before (after a pause, if paced)."""
        aci = self.phone.aci
        for line in lines:
            if self._think:
                await asyncio.sleep(random.uniform(*self._think))
            expected = self.cli.received(aci) + 1
            started = time.monotonic()
            self.phone.says(line)
            self._latencies.append(await self.cli.reply(aci, expected) - started)

    def texts(self) -> list[str]:
        """Every message the bot wrote to this person."""
        return [message.text for message in self.cli.messages(self.phone)]


def walkers(cli: BenchSignalCli, count: int, latencies: list[float],
            think: tuple[float, float] | None = None) -> list[SignalWalker]:
    """``count`` people the bot has never seen."""
    return [SignalWalker(cli, latencies, think) for _ in range(count)]


def settings(database_url: str, cli: BenchSignalCli, regisseur: str) -> dict[str, Any]:
    """Settings of a bot serving Signal alone; the gemeente's regisseur is on Signal.

    Its Telegram alert chats (required) are left to a Telegram process: their copies wait.
    """
    terneuzen = {"code": "GM0715", "name": "Terneuzen", "pc4": ["4531-4539"],
                 "alert_chat_ids": list(ALERT_CHATS),
                 "staff": [{"channel": "signal", "id": regisseur, "name": "Carine",
                            "role": "regisseur"}]}
    return {"signal": {"account": cli.account, "rpc_url": cli.rpc_url,
                       "events_url": cli.events_url},
            "database": {"url": database_url}, "security": {"encryption_key": generate_key()},
            "gemeenten": [terneuzen], "intake": SIGNALS_ONLY}


@asynccontextmanager
async def running_signal_bot(database: Database, log_dir: Path) -> Any:
    """The stand-in and a bot process reading its event stream."""
    async with BenchSignalCli() as cli:
        regisseur = cli.person("Regisseur")
        bot = BotProcess({"kind": "signal",
                          "settings": settings(database.url, cli, regisseur.aci)}, log_dir)
        await bot.start(cli, lambda: cli.connected >= 1)
        errors: list[str] = []
        try:
            yield cli, bot, errors, regisseur
        finally:
            errors += await bot.stop()


async def signal_run(kind: str, load: Any, log_dir: Path) -> dict[str, Any]:
    """One bot process on a fresh database of ``kind``: throughput, then paced."""
    async with Database(kind, log_dir) as database, running_signal_bot(
            database, log_dir) as (cli, bot, errors, regisseur):
        await pool((file_signal(person) for person in walkers(cli, WARM_UP_SIGNALS, [])),
                   WARM_UP_SIGNALS)
        result, rounds, everyone = Measurement(), [], []
        for _ in range(load.rounds):
            run = Measurement()
            people = walkers(cli, load.signalers * load.signals, run.latencies)
            await bot.measure(pool((file_signal(person) for person in people),
                                   load.signalers), run)
            run.reports = len(people)
            rounds.append(round(run.updates_per_s, 1))
            result.add(run)
            everyone += people
        paced = Measurement()
        people = walkers(cli, load.paced_signalers, paced.latencies, load.pace)
        await bot.measure(asyncio.gather(*(file_signal(person) for person in people)), paced)
        paced.reports = len(people)
        filed = WARM_UP_SIGNALS + len(everyone) + len(people)
        await cli.wait_for(lambda: cli.received(regisseur.aci) >= filed, timeout=30)
        await cli.wait_for(lambda: all(cli.received(person.phone.aci) >= REPLIES_PER_SIGNAL
                                       for person in everyone + people), timeout=30)
        answers = {cli.received(person.phone.aci) for person in everyone + people}
        if answers != {REPLIES_PER_SIGNAL}:  # else the latencies paired the wrong answers
            raise RuntimeError(f"people got {answers} answers, not one per line and the "
                               "suggestions")
        summary = {
            "database": kind,
            "throughput": {**result.summary(), "round_updates_per_s": rounds},
            "paced": {"signalers": len(people), "think_s": list(load.pace), **paced.summary()},
            "alerts_to_regisseur": cli.received(regisseur.aci),
            "peak_rss_mb": round(bot.memory_kb()["VmHWM"] / 1024, 1)}
    summary["errors"] = errors
    return summary


async def signal_section(databases: list[str], load: Any, log_dir: Path,
                         telegram: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The Signal runs on each database, printed beside Signaalbot on Telegram (``telegram``)."""
    title = (f"Signal (signal-cli stand-in, a bot serving Signal alone): {load.rounds} rounds of "
             f"{load.signalers} people x {load.signals} full signals ({ENVELOPES_PER_SIGNAL} "
             f"envelopes), then {load.paced_signalers} paced {load.pace[0]}-{load.pace[1]} s "
             f"per line; beside each, Signaalbot on Telegram in this run (not a floor: the "
             f"transports differ)")
    return await channel_section(title, "Signal", "upd", databases,
                                 lambda kind: signal_run(kind, load, log_dir), telegram)


def headline(results: dict[str, dict[str, Any]], database: str) -> dict[str, Any]:
    """Top-level keys of the JSON file: the Signal figures on the headline's database."""
    return channel_headline(results, database, "signal", "update")
