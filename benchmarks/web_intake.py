"""The web section of the benchmark (``run.py``): Signaalbot serving the web chat alone.

The bot is ``signaalbot run`` with only ``[web]`` set, in a process of its own
(``botproc.py``, kind ``web``), on a free port of 127.0.0.1, with the web's rate limits raised
(every simulated person comes from this one address). A simulated person is a browser without
JavaScript, an aiohttp session with its own cookie jar, walking a whole signal exactly like
``tests.helpers.web.file_signal``: it GETs the first page, then POSTs each step's form and
waits for the page it answers with before the next (closed loop; 15 requests, the last one's
redirect to the page after sending followed within it). Latency is per request, from sending
it until its page is read.

1. Throughput: ``load.rounds`` rounds of ``load.signalers`` new people at once, without pauses.
2. Paced: ``load.paced_signalers`` people pausing ``load.pace`` seconds before each request.

Beside the figures are those of Signaalbot on Telegram in the same run, for comparison only:
a request here is an update there, but the transports differ (HTML over HTTP, no outbox
reply).
"""

from __future__ import annotations

import asyncio
import random
import socket
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
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
from tests.helpers.web import PUBLIC_URL, Visitor, file_signal

REQUESTS_PER_SIGNAL = 15  # the GET and the POSTs file_signal makes
READY_TIMEOUT = 30.0


class WebChat:
    """Where the bot's web chat listens: a free port of 127.0.0.1, and a wait until it answers."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"

    async def wait_for(self, _ready: Any, timeout: float = READY_TIMEOUT) -> None:
        """Wait until the chat serves its stylesheet (``BotProcess.start``'s readiness)."""
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    async with http.get(f"{self.base}/static/web.css") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the web chat did not answer within {timeout}s")
                await asyncio.sleep(0.05)


class WebWalker(Visitor):
    """A browser timing each request, pausing before it when paced."""

    def __init__(self, base: str, latencies: list[float],
                 think: tuple[float, float] | None = None) -> None:
        super().__init__(base)
        self._latencies = latencies
        self._think = think

    async def open(self, path: str = "/") -> str:
        """GET a page, timed."""
        return await self._timed(super().open(path))

    async def post(self, data: Any, **kwargs: Any) -> str:
        """POST the form, timed."""
        return await self._timed(super().post(data, **kwargs))

    async def _timed(self, request: Any) -> str:
        if self._think:
            await asyncio.sleep(random.uniform(*self._think))
        started = time.monotonic()
        page = await request
        if self.status != 200:
            raise RuntimeError(f"HTTP {self.status}: {page[:200]}")
        self._latencies.append(time.monotonic() - started)
        return page


async def walk(chat: WebChat, latencies: list[float],
               think: tuple[float, float] | None = None) -> None:
    """One new person files a whole signal in a browser of their own."""
    person = WebWalker(chat.base, latencies, think)
    try:
        await file_signal(person)
    finally:
        await person.close()


def settings(database_url: str, port: int) -> dict[str, Any]:
    """Settings of a bot serving the web chat alone, its rate limits out of the way.

    Its Telegram alert chats (required) are left to a Telegram process: their copies wait.
    """
    terneuzen = {"code": "GM0715", "name": "Terneuzen", "pc4": ["4531-4539"],
                 "alert_chat_ids": list(ALERT_CHATS)}
    return {"web": {"public_url": PUBLIC_URL, "port": port, "session_requests": 100_000,
                    "address_requests": 1_000_000},
            "database": {"url": database_url}, "security": {"encryption_key": generate_key()},
            "gemeenten": [terneuzen], "intake": SIGNALS_ONLY}


@asynccontextmanager
async def running_web_bot(database: Database, log_dir: Path) -> Any:
    """A bot process serving the web chat, once it answers."""
    chat = WebChat()
    bot = BotProcess({"kind": "web", "settings": settings(database.url, chat.port)}, log_dir)
    await bot.start(chat)
    errors: list[str] = []
    try:
        yield chat, bot, errors
    finally:
        errors += await bot.stop()


async def web_run(kind: str, load: Any, log_dir: Path) -> dict[str, Any]:
    """One bot process on a fresh database of ``kind``: throughput, then paced."""
    async with Database(kind, log_dir) as database, running_web_bot(
            database, log_dir) as (chat, bot, errors):
        await pool((walk(chat, []) for _ in range(WARM_UP_SIGNALS)), WARM_UP_SIGNALS)
        result, rounds = Measurement(), []
        for _ in range(load.rounds):
            run = Measurement()
            people = load.signalers * load.signals
            await bot.measure(pool((walk(chat, run.latencies) for _ in range(people)),
                                   load.signalers), run)
            run.reports = people
            rounds.append(round(run.updates_per_s, 1))
            result.add(run)
        paced = Measurement()
        await bot.measure(asyncio.gather(*(walk(chat, paced.latencies, load.pace)
                                           for _ in range(load.paced_signalers))), paced)
        paced.reports = load.paced_signalers
        summary = {
            "database": kind,
            "throughput": {**result.summary(), "round_requests_per_s": rounds},
            "paced": {"signalers": load.paced_signalers, "think_s": list(load.pace),
                      **paced.summary()},
            "peak_rss_mb": round(bot.memory_kb()["VmHWM"] / 1024, 1)}
    summary["errors"] = errors
    return summary


async def web_section(databases: list[str], load: Any, log_dir: Path,
                      telegram: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The web runs on each database, printed beside Signaalbot on Telegram (``telegram``)."""
    title = (f"Web chat (aiohttp browsers with their own cookie jars, a bot serving the web "
             f"alone): {load.rounds} rounds of {load.signalers} people x {load.signals} full "
             f"signals ({REQUESTS_PER_SIGNAL} requests), then {load.paced_signalers} paced "
             f"{load.pace[0]}-{load.pace[1]} s per request; beside each, Signaalbot on "
             f"Telegram in this run (upd/s there: requests/s here)")
    return await channel_section(title, "web", "req", databases,
                                 lambda kind: web_run(kind, load, log_dir), telegram)


def headline(results: dict[str, dict[str, Any]], database: str) -> dict[str, Any]:
    """Top-level keys of the JSON file: the web figures on the headline's database."""
    return channel_headline(results, database, "web", "request")
