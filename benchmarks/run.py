"""How fast and how far one Signaalbot process goes, against the python-telegram-bot floor.

Run from the repository root::

    python benchmarks/run.py [--quick] [--database sqlite|postgresql|both] [--drafts N]

Everything runs on this machine: the Telegram Bot API stand-in (``tests/standin/``) and the
simulated people run in this process, each bot in a process of its own
(``benchmarks/botproc.py``), so the bot's CPU time and memory are its own. A simulated person
pushes an update into the stand-in and waits for the bot's reply before the next step, like a
person (closed loop). Latency is from the push until the reply call reaches the stand-in.
Signaalbot runs with Telegram's overall cap of ~30 messages/s lifted (it enforces that cap
itself; the stand-in and the echo floor have none), so the figures are the process's own.

1. Echo bots (``echo_section``): a bare stock PTB echo bot, sequential, is **the floor**; the
   same bot on other transports and with concurrent updates, and a raw aiohttp loop without
   PTB, show what the framework and the transport cost.
2. Signaalbot (``signaalbot_section``), per database: N signalers each filing a full signal
   exactly like ``tests.harness.file_signal`` (saturation: no pause between steps), the same at
   a person's pace, and the memory cost of 10k open drafts. Phases are functions in
   ``PHASES``; add one there to measure something more in the same bot process.

Prints tables and writes ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import importlib.util
import itertools
import json
import os
import platform
import random
import signal
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "true")

import burst  # noqa: E402  (beside this script)
import telegram  # noqa: E402

from storage.crypto import generate_key  # noqa: E402
from tests.harness import Person, file_signal  # noqa: E402
from tests.standin import BotApiStandIn  # noqa: E402

BOTPROC = Path(__file__).with_name("botproc.py")
RESULTS = Path(__file__).with_name("results") / "latest.json"
PG_ADMIN_DSN = os.environ.get("SIGNAALBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
ALERT_CHATS = (7001, -1007002)
# The demo gemeente of the tests (tests/conftest.py's TERNEUZEN); a person's alert chat gets
# alerts only as staff.
TERNEUZEN = {"code": "GM0715", "name": "Terneuzen", "pc4": ["4531-4539"],
             "alert_chat_ids": list(ALERT_CHATS),
             "staff": [{"telegram_id": ALERT_CHATS[0], "name": "Carine", "role": "regisseur"}]}
REPLY_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})
STEP_TIMEOUT = 30.0
WARM_UP = 5  # signals filed before measuring (connections, caches)
SIGNAALBOT_CONCURRENCY = 64
UNCAPPED_PER_SECOND = 1_000_000


@dataclass(frozen=True)
class Load:
    """How much each section does."""

    echo_users: int  # concurrent echo users
    echo_messages: int  # per echo user
    signalers: int  # concurrent signalers in the saturation run
    signals: int  # per signaler and round in the saturation run (each by a new person)
    rounds: int  # saturation rounds, each right after a round of the floor
    paced_signalers: int  # concurrent signalers in the paced run
    pace: tuple[float, float]  # think time before each step in the paced run, seconds
    drafts: int  # drafts opened for the memory figure
    variants: bool  # every echo variant and the non-default Signaalbot variants


# The full paced run offers about 50 updates/s (people who take 1-3 s per step); the quick one
# about 90, in less time.
FULL = Load(echo_users=100, echo_messages=20, signalers=100, signals=1, rounds=4,
            paced_signalers=100, pace=(1.0, 3.0), drafts=10_000, variants=True)
QUICK = Load(echo_users=50, echo_messages=10, signalers=50, signals=1, rounds=2,
             paced_signalers=20, pace=(0.1, 0.3), drafts=150, variants=False)

# Echo bot variants: (name, backend, concurrent updates, Signaalbot's ordered processor, uvloop).
ECHO_VARIANTS = [
    ("stock httpx, sequential (floor)", "httpx", 1, False, False),
    ("stock httpx, sequential, uvloop", "httpx", 1, False, True),
    ("stock httpx, concurrent 64", "httpx", 64, False, False),
    ("httpx + httpx-aiohttp transport, sequential", "httpx-aiohttp", 1, False, False),
    ("httpx + httpx-aiohttp transport, concurrent 64", "httpx-aiohttp", 64, False, False),
    ("AiohttpRequest, sequential", "aiohttp", 1, False, False),
    ("AiohttpRequest, concurrent 64", "aiohttp", 64, False, False),
    ("AiohttpRequest, concurrent 64, chat-ordered", "aiohttp", 64, True, False),
    ("AiohttpRequest, concurrent 64, chat-ordered, uvloop", "aiohttp", 64, True, True),
]
FLOOR = ECHO_VARIANTS[0]
SIGNAALBOT_TRANSPORT = ECHO_VARIANTS[-1][0]  # the transport and processing Signaalbot uses


# --- the stand-in and the simulated people -------------------------------------------------


class BenchStandIn(BotApiStandIn):
    """The Bot API stand-in, telling per chat when the bot's replies arrived."""

    def __init__(self) -> None:
        super().__init__()
        self._seen = 0
        self._replies: dict[int, list[float]] = {}
        self._waiting: dict[int, tuple[int, asyncio.Future[float]]] = {}

    def _signal(self) -> None:
        # Only the calls since the last signal: skipping the older ones one by one (islice)
        # made the stand-in slower with every call, and a long run unfair to what ran late.
        for call in self.calls[self._seen:]:
            if call.method in REPLY_METHODS and call.ok:
                chat = call.params["chat_id"]
                times = self._replies.setdefault(chat, [])
                times.append(call.at)
                count, future = self._waiting.get(chat, (0, None))
                if future is not None and len(times) >= count:
                    del self._waiting[chat]
                    if not future.done():  # not given up on (timed out)
                        future.set_result(times[count - 1])
        self._seen = len(self.calls)
        super()._signal()

    def replies(self, chat: int) -> int:
        """How many replies the bot sent (or edited) in this chat so far."""
        return len(self._replies.get(chat, ()))

    async def reply(self, chat: int, count: int) -> float:
        """Wait for the chat's ``count``-th reply; return when it arrived (monotonic)."""
        times = self._replies.get(chat, [])
        if len(times) >= count:
            return times[count - 1]
        future = asyncio.get_running_loop().create_future()
        self._waiting[chat] = (count, future)
        try:
            return await asyncio.wait_for(future, STEP_TIMEOUT)
        except TimeoutError:
            raise RuntimeError(f"no reply in chat {chat} within {STEP_TIMEOUT}s\n"
                               f"{self.describe()}") from None


class SimulatedPerson:
    """A person in a private chat: the harness ``Person``'s interface, timing every step.

    Each step pushes one update and waits for the bot's reply to it; ``think`` adds a pause
    (uniform between its bounds) before each step.
    """

    button = Person.button

    def __init__(self, api: BenchStandIn, user_id: int, latencies: list[float],
                 think: tuple[float, float] | None = None) -> None:
        self.api, self.id = api, user_id
        self._latencies = latencies
        self._think = think
        api.user(user_id, first_name="Signaler")

    async def _step(self, push: Callable[[], object], replies: int = 1) -> None:
        if self._think:
            await asyncio.sleep(random.uniform(*self._think))
        expected = self.api.replies(self.id) + replies
        started = time.monotonic()
        push()
        arrived = await self.api.reply(self.id, expected)
        self._latencies.append(arrived - started)

    async def command(self, command: str, args: str | None = None) -> None:
        """Send a command like /start."""
        await self._step(lambda: self.api.send_command(self.id, command, args))

    async def say(self, text: str) -> None:
        """Type and send a message."""
        await self._step(lambda: self.api.send_text(self.id, text))

    async def share_contact(self, phone: str) -> None:
        """Share a contact; the bot acknowledges it and asks the next question (two replies)."""
        await self._step(lambda: self.api.send_contact(self.id, phone, "Test"), replies=2)

    async def tap(self, *labels: str) -> None:
        """Press buttons by (part of) their label, one after another."""
        for label in labels:
            message, data = self.button(label)
            await self._step(lambda m=message, d=data: self.api.press(self.id, m, d))


# --- measuring ------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


@dataclass
class Measurement:
    """One closed-loop run: how many updates, how long, each update's latency, CPU used."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    reports: int = 0
    bot_cpu_s: float = 0.0
    driver_cpu_s: float = 0.0

    @property
    def updates_per_s(self) -> float:
        """Updates answered per second of wall time."""
        return len(self.latencies) / self.seconds

    def add(self, other: Measurement) -> None:
        """Count another run (of the same kind) in."""
        self.latencies += other.latencies
        self.seconds += other.seconds
        self.reports += other.reports
        self.bot_cpu_s += other.bot_cpu_s
        self.driver_cpu_s += other.driver_cpu_s

    def summary(self) -> dict[str, Any]:
        """The figures, rounded for the table and the JSON file."""
        return {
            "updates": len(self.latencies),
            "seconds": round(self.seconds, 3),
            "updates_per_s": round(self.updates_per_s, 1),
            "reports": self.reports,
            "reports_per_s": round(self.reports / self.seconds, 2),
            "p50_ms": round(percentile(self.latencies, 0.50) * 1000, 1),
            "p99_ms": round(percentile(self.latencies, 0.99) * 1000, 1),
            "max_ms": round(max(self.latencies) * 1000, 1),
            "bot_cpu_pct": round(100 * self.bot_cpu_s / self.seconds),
            "bot_cpu_ms_per_update": round(1000 * self.bot_cpu_s / len(self.latencies), 2),
            "driver_cpu_pct": round(100 * self.driver_cpu_s / self.seconds),
        }


async def pool(jobs: Iterable[Awaitable[None]], concurrency: int) -> None:
    """Await the jobs, ``concurrency`` at a time (pass a generator: jobs start when taken)."""
    queue = iter(jobs)

    async def worker() -> None:
        for job in queue:
            await job

    await asyncio.gather(*(worker() for _ in range(concurrency)))


class BotProcess:
    """A bot in its own process (``botproc.py``), with its CPU time and memory from /proc."""

    def __init__(self, spec: dict[str, Any], log_dir: Path) -> None:
        self.spec = spec
        self.log = log_dir / f"bot-{uuid.uuid4().hex[:8]}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, api: BotApiStandIn) -> None:
        """Start the bot and wait until it long-polls the stand-in."""
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, str(BOTPROC), json.dumps(self.spec),
                stdout=asyncio.subprocess.PIPE, stderr=log)
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        if not line.strip().startswith(b'{"ready"'):
            raise RuntimeError(f"bot did not start: {self.log.read_text()[-2000:]}")
        await api.wait_for(lambda: api.polling, timeout=30)

    @property
    def pid(self) -> int:
        """The bot's process id."""
        assert self.process is not None
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User plus system CPU time the bot used so far."""
        stat = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")

    def memory_kb(self) -> dict[str, int]:
        """Resident set size now (VmRSS) and at its peak (VmHWM), in KiB."""
        fields = dict(line.split(":", 1) for line in
                      Path(f"/proc/{self.pid}/status").read_text().splitlines() if ":" in line)
        return {key: int(fields[key].split()[0]) for key in ("VmRSS", "VmHWM")}

    async def stop(self) -> list[str]:
        """Stop the bot like SIGTERM in production; return its ERROR log lines."""
        assert self.process is not None and self.process.stdout is not None
        self.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self.process.wait(), 60)
        return [line for line in self.log.read_text().splitlines()
                if line.startswith(("ERROR", "CRITICAL", "Traceback"))]

    async def measure(self, work: Awaitable[None], result: Measurement) -> Measurement:
        """Run ``work`` and record its wall time and the CPU time of bot and driver."""
        # The stand-ins keep every call, so this process's full collections grew to half a
        # second, and their pauses landed in the figures: what exists now is frozen first.
        gc.collect()
        gc.freeze()
        bot_cpu, driver_cpu, started = self.cpu_seconds(), time.process_time(), time.monotonic()
        await work
        result.seconds = time.monotonic() - started
        result.bot_cpu_s = self.cpu_seconds() - bot_cpu
        result.driver_cpu_s = time.process_time() - driver_cpu
        return result


@asynccontextmanager
async def running_bot(spec: dict[str, Any], log_dir: Path) -> Any:
    """A fresh stand-in with the alert chats, and a bot process polling it."""
    async with BenchStandIn() as api:
        api.user(ALERT_CHATS[0], first_name="Regisseur")
        api.group(ALERT_CHATS[1], title="Team Terneuzen")
        bot = BotProcess({**spec, "token": api.token, "base_url": api.base_url}, log_dir)
        await bot.start(api)
        errors: list[str] = []
        try:
            yield api, bot, errors
        except BaseException:
            await bot.stop()
            print(f"the bot's log ends:\n{bot.log.read_text()[-6000:]}", file=sys.stderr)
            raise
        errors += await bot.stop()


_user_ids = itertools.count(1_000_000)


def new_people(api: BenchStandIn, count: int, latencies: list[float],
               think: tuple[float, float] | None = None) -> Iterator[SimulatedPerson]:
    """``count`` people the bot has never seen."""
    return (SimulatedPerson(api, next(_user_ids), latencies, think) for _ in range(count))


# --- section 1: echo bots -------------------------------------------------------------------


def echo_spec(variant: tuple[str, str, int, bool, bool]) -> dict[str, Any]:
    """The bot process spec of an echo variant."""
    _name, backend, concurrent, ordered, uvloop = variant
    return {"kind": "raw" if backend == "raw" else "echo", "backend": backend,
            "concurrent": concurrent, "ordered": ordered, "uvloop": uvloop}


async def echo_warm_up(api: BenchStandIn, load: Load) -> None:
    """Each of ``load.echo_users`` new people says hello once (connections, caches)."""
    await pool((person.say("Hallo") for person in new_people(api, load.echo_users, [])),
               load.echo_users)


async def echo_round(api: BenchStandIn, bot: BotProcess, load: Load) -> Measurement:
    """``load.echo_users`` new people at once, each sending ``load.echo_messages`` in turn."""
    result = Measurement()
    people = list(new_people(api, load.echo_users, result.latencies))

    async def talk(person: SimulatedPerson) -> None:
        for number in range(load.echo_messages):
            await person.say(f"Bericht {number}")

    return await bot.measure(asyncio.gather(*(talk(person) for person in people)), result)


async def echo_run(variant: tuple[str, str, int, bool, bool], load: Load, log_dir: Path
                   ) -> dict[str, Any]:
    """One echo bot, warmed up, then one round."""
    name, backend, concurrent, _ordered, uvloop = variant
    async with running_bot(echo_spec(variant), log_dir) as (api, bot, errors):
        await echo_warm_up(api, load)
        result = await echo_round(api, bot, load)
        summary = {"variant": name, "backend": backend, "concurrent_updates": concurrent,
                   "uvloop": uvloop, **result.summary(),
                   "peak_rss_mb": round(bot.memory_kb()["VmHWM"] / 1024, 1)}
    summary["errors"] = errors
    return summary


async def echo_section(load: Load, log_dir: Path) -> dict[str, dict[str, Any]]:
    """Signaalbot's transport; with ``load.variants`` every variant and raw.

    (The floor runs beside Signaalbot too: ``signaalbot_section``.)
    """
    variants = [v for v in ECHO_VARIANTS if load.variants or v[0] == SIGNAALBOT_TRANSPORT]
    if load.variants:
        variants.append(("raw aiohttp loop, no PTB, sequential", "raw", 1, False, False))
    results = {}
    for variant in variants:
        if variant[1] == "httpx-aiohttp" and importlib.util.find_spec("httpx_aiohttp") is None:
            print(f"  {variant[0]:<48} skipped: pip install httpx-aiohttp to measure it")
            continue
        results[variant[0]] = await echo_run(variant, load, log_dir)
        print_echo_row(results[variant[0]])
    return results


# --- section 2: Signaalbot --------------------------------------------------------------------


@dataclass
class Context:
    """What the Signaalbot phases share: the stand-in, the bot process, the load, the database."""

    api: BenchStandIn
    bot: BotProcess
    load: Load
    database: Database
    floor: Callable[[], Awaitable[Measurement]]  # one round of the floor, in its own process


async def saturation(ctx: Context) -> dict[str, Any]:
    """``load.signalers`` at once, each filing ``load.signals`` signals without pausing.

    In ``load.rounds`` rounds, each right after a round of the floor: this machine's speed
    drifts by a fifth or more within minutes, so the ratio compares runs seconds apart.
    """
    await pool((file_signal(person) for person in new_people(ctx.api, WARM_UP, [])), WARM_UP)
    result, floor, ratios = Measurement(), Measurement(), []

    async def signaler(run: Measurement) -> None:
        for person in new_people(ctx.api, ctx.load.signals, run.latencies):
            await file_signal(person)
            run.reports += 1

    for _ in range(ctx.load.rounds):
        floor_run, run = await ctx.floor(), Measurement()
        await ctx.bot.measure(
            asyncio.gather(*(signaler(run) for _ in range(ctx.load.signalers))), run)
        ratios.append(round(run.updates_per_s / floor_run.updates_per_s, 2))
        result.add(run)
        floor.add(floor_run)
    return {**result.summary(), "floor_updates_per_s": round(floor.updates_per_s, 1),
            "ratio": round(result.updates_per_s / floor.updates_per_s, 2),
            "round_ratios": ratios}


async def paced(ctx: Context) -> dict[str, Any]:
    """``load.paced_signalers`` at once, pausing before each step like a person."""
    result = Measurement()
    people = list(new_people(ctx.api, ctx.load.paced_signalers, result.latencies, ctx.load.pace))
    await ctx.bot.measure(asyncio.gather(*(file_signal(person) for person in people)), result)
    result.reports = len(people)
    return {"signalers": len(people), "think_s": list(ctx.load.pace), **result.summary()}


async def open_drafts(ctx: Context) -> dict[str, Any]:
    """Open ``load.drafts`` conversations that stop at the third step; the bot's RSS growth."""
    before = await settled_rss_kb(ctx.bot)
    ignored: list[float] = []

    async def start(person: SimulatedPerson) -> None:
        await person.command("start")
        await person.tap("Nee")
        await person.tap("Kapper")

    started = time.monotonic()
    await pool((start(person) for person in new_people(ctx.api, ctx.load.drafts, ignored)),
               ctx.load.signalers)
    seconds = time.monotonic() - started
    after = await settled_rss_kb(ctx.bot)
    stored = await ctx.database.count_drafts()
    return {"drafts": ctx.load.drafts, "drafts_in_database": stored,
            "seconds": round(seconds, 1), "rss_before_mb": round(before / 1024, 1),
            "rss_after_mb": round(after / 1024, 1),
            "bytes_per_draft": round((after - before) * 1024 / ctx.load.drafts)}


Phase = Callable[[Context], Awaitable[dict[str, Any]]]
# Phases run in this order against one bot process; each result is stored under its name.
PHASES: list[tuple[str, Phase]] = [
    ("saturation", saturation),
    ("paced", paced),
    ("drafts", open_drafts),
]


async def settled_rss_kb(bot: BotProcess) -> int:
    """The bot's RSS once it has been idle for a moment."""
    await asyncio.sleep(0.5)
    return bot.memory_kb()["VmRSS"]


class Database:
    """A fresh, empty database for one run: a SQLite file, or a new PostgreSQL database."""

    def __init__(self, kind: str, directory: Path) -> None:
        self.kind = kind
        self._name = f"sb_bench_{uuid.uuid4().hex[:12]}"
        self._path = directory / f"{self._name}.db"

    @property
    def url(self) -> str:
        """The SQLAlchemy URL Signaalbot gets."""
        if self.kind == "sqlite":
            return f"sqlite+aiosqlite:///{self._path}"
        base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        return f"{base}/{self._name}"

    async def __aenter__(self) -> Database:
        if self.kind == "postgresql":
            await self._admin(f'CREATE DATABASE "{self._name}"')
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.kind == "postgresql":
            await self._admin(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self._path}{suffix}").unlink(missing_ok=True)

    async def count_drafts(self) -> int:
        """How many drafts the database holds."""
        if self.kind == "sqlite":
            with sqlite3.connect(self._path) as connection:
                return int(connection.execute("SELECT count(*) FROM drafts").fetchone()[0])
        import asyncpg

        connection = await asyncpg.connect(self.url.replace("+asyncpg", ""))
        try:
            return int(await connection.fetchval("SELECT count(*) FROM drafts"))
        finally:
            await connection.close()

    @staticmethod
    async def _admin(statement: str) -> None:
        import asyncpg

        connection = await asyncio.wait_for(asyncpg.connect(PG_ADMIN_DSN), 5)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    @staticmethod
    async def postgresql_problem() -> str | None:
        """Why PostgreSQL cannot be used here, or None."""
        try:
            await Database._admin("SELECT 1")
        except Exception as error:  # any failure means: not reachable here
            return f"PostgreSQL not reachable at {PG_ADMIN_DSN}: {error}"
        return None


def signaalbot_settings(database_url: str, backend: str, concurrent: int) -> dict[str, Any]:
    """A real Signaalbot settings dict (the stand-in's token and URL are added per run).

    Telegram's overall cap of about 30 messages a second, which Signaalbot enforces itself
    (``telegram.messages_per_second``), is lifted: the stand-in has no cap and neither has the
    echo floor, so the figures are those of the process.
    """
    return {"telegram": {"http_backend": backend, "concurrent_updates": concurrent,
                         "messages_per_second": UNCAPPED_PER_SECOND},
            "database": {"url": database_url}, "security": {"encryption_key": generate_key()},
            "gemeenten": [TERNEUZEN]}


async def signaalbot_run(kind: str, load: Load, log_dir: Path,
                         floor: Callable[[], Awaitable[Measurement]], *,
                         backend: str = "aiohttp", concurrent: int = SIGNAALBOT_CONCURRENCY,
                         phases: list[tuple[str, Phase]] = PHASES) -> dict[str, Any]:
    """One Signaalbot process on a fresh database of ``kind``, through the given phases."""
    async with Database(kind, log_dir) as database:
        spec = {"kind": "signaalbot",
                "settings": signaalbot_settings(database.url, backend, concurrent)}
        summary: dict[str, Any] = {"database": kind, "backend": backend,
                                   "concurrent_updates": concurrent}
        async with running_bot(spec, log_dir) as (api, bot, errors):
            ctx = Context(api, bot, load, database, floor)
            for name, phase in phases:
                summary[name] = await phase(ctx)
            summary["peak_rss_mb"] = round(bot.memory_kb()["VmHWM"] / 1024, 1)
        summary["errors"] = errors
    return summary


async def signaalbot_section(databases: list[str], load: Load, log_dir: Path
                             ) -> dict[str, dict[str, Any]]:
    """Signaalbot on each database; with ``load.variants`` also other transports/concurrency.

    The floor's echo bot runs beside it, in its own process, for the interleaved rounds.
    """
    results = {}
    async with running_bot(echo_spec(FLOOR), log_dir) as (floor_api, floor_bot, _):
        await echo_warm_up(floor_api, load)

        async def floor() -> Measurement:
            return await echo_round(floor_api, floor_bot, load)

        for kind in databases:
            results[kind] = await signaalbot_run(kind, load, log_dir, floor)
            print_signaalbot_row(f"{kind}, aiohttp, chat-ordered 64", results[kind])
        if load.variants:
            only_saturation = PHASES[:1]
            for label, backend, concurrent in (("httpx, chat-ordered 64", "httpx", 64),
                                               ("aiohttp, sequential", "aiohttp", 1)):
                kind = databases[0]
                result = await signaalbot_run(kind, load, log_dir, floor, backend=backend,
                                              concurrent=concurrent, phases=only_saturation)
                results[f"{kind}, {label}"] = result
                print_signaalbot_row(f"{kind}, {label}", result)
    return results


# --- output ----------------------------------------------------------------------------------


def print_echo_row(row: dict[str, Any]) -> None:
    """One line of the echo table."""
    print(f"  {row['variant']:<48} {row['updates_per_s']:>7.0f} {row['p50_ms']:>7.1f} "
          f"{row['p99_ms']:>7.1f} {row['bot_cpu_ms_per_update']:>6.2f} "
          f"{row['bot_cpu_pct']:>5}% {row['driver_cpu_pct']:>5}%"
          f"{'  ERRORS' if row['errors'] else ''}", flush=True)


def print_signaalbot_row(label: str, row: dict[str, Any]) -> None:
    """One line of the Signaalbot table."""
    run = row["saturation"]
    paced_run, drafts = row.get("paced"), row.get("drafts")
    paced_text = f"{paced_run['p50_ms']:>6.1f}/{paced_run['p99_ms']:<6.1f}" if paced_run else (
        f"{'-':^13}")
    draft_text = f"{drafts['bytes_per_draft']:>8}" if drafts else f"{'-':>8}"
    ratio = f"{run['floor_updates_per_s']:>5.0f} {run['ratio']:>5.2f}"
    print(f"  {label:<36} {run['updates_per_s']:>7.0f} {ratio} {run['reports_per_s']:>6.1f} "
          f"{run['p50_ms']:>6.1f}/{run['p99_ms']:<6.1f} {paced_text} "
          f"{run['bot_cpu_ms_per_update']:>6.2f} {run['bot_cpu_pct']:>4}% "
          f"{row['peak_rss_mb']:>6.1f} {draft_text}"
          f"{'  ERRORS' if row['errors'] else ''}", flush=True)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "python_telegram_bot": telegram.__version__, "system": platform.platform(),
            "load_average_at_start": round(os.getloadavg()[0], 2)}


def headline(intake: dict[str, dict[str, Any]], databases: list[str]) -> dict[str, Any]:
    """The required top-level keys: from the database with the lowest ratio to the floor."""
    database = min(databases, key=lambda kind: intake[kind]["saturation"]["ratio"])
    chosen = intake[database]
    return {
        "floor_updates_per_s": chosen["saturation"]["floor_updates_per_s"],
        "intake_updates_per_s": chosen["saturation"]["updates_per_s"],
        "ratio": chosen["saturation"]["ratio"],
        "p50_ms": chosen["saturation"]["p50_ms"],
        "p99_ms": chosen["saturation"]["p99_ms"],
        "paced_p50_ms": chosen["paced"]["p50_ms"],
        "paced_p99_ms": chosen["paced"]["p99_ms"],
        "reports_per_s": chosen["saturation"]["reports_per_s"],
        "peak_rss_mb": chosen["peak_rss_mb"],
        "bytes_per_draft": chosen["drafts"]["bytes_per_draft"],
        "database": database,
    }


async def main(quick: bool, database: str, drafts: int | None, output: Path) -> dict[str, Any]:
    """Run every section and write the results."""
    load = QUICK if quick else FULL
    if drafts is not None:
        load = dataclasses.replace(load, drafts=drafts)
    databases = ["sqlite", "postgresql"] if database == "both" else [database]
    if "postgresql" in databases and (problem := await Database.postgresql_problem()):
        print(f"skipping PostgreSQL: {problem}")
        databases.remove("postgresql")
    if not databases:
        raise SystemExit("no database to benchmark")
    random.seed(8)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sb_bench_") as tmp:
        log_dir = Path(tmp)
        print(f"Echo bots: {load.echo_users} users x {load.echo_messages} messages, closed loop"
              " (CPU: bot CPU ms per update, bot and driver CPU use)")
        print(f"  {'variant':<48} {'upd/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>6} "
              f"{'bot':>6} {'drv':>6}")
        echo = await echo_section(load, log_dir)
        print(f"\nSignaalbot: {load.rounds} rounds of {load.signalers} signalers x {load.signals} "
              f"full signals, each after a round of the floor (floor, ratio); then "
              f"{load.paced_signalers} paced {load.pace[0]}-{load.pace[1]} s per step; then "
              f"{load.drafts} open drafts")
        print(f"  {'database, transport, processing':<36} {'upd/s':>7} {'floor':>5} {'ratio':>5} "
              f"{'rep/s':>6} "
              f"{'p50/p99 ms':>13} {'paced p50/p99':>13} {'CPU ms':>6} {'bot':>5} "
              f"{'RSS MB':>6} {'B/draft':>8}")
        intake = await signaalbot_section(databases, load, log_dir)
        alerts, chats, pace = (120, 40, (0.5, 1.5)) if quick else (500, 100, (0.5, 1.5))
        print(f"\nAlert burst: {alerts} alerts to {chats} chats at Telegram's cap, while 20 "
              f"signalers file a signal (reading {pace[0]}-{pace[1]} s per step)")
        async with Database(databases[0], log_dir) as burst_database:
            burst_figures = await burst.run(alerts, chats, 20, burst_database.url, pace)
        for key, value in burst_figures.items():
            print(f"  {key:28} {value}")
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if quick else "full",
        "machine": machine(),
        **headline(intake, databases),
        **burst_figures,
        "load": dataclasses.asdict(load),
        "echo": echo,
        "intake": intake,
        "run_seconds": round(time.monotonic() - started, 1),
    }
    print(f"\nfloor {results['floor_updates_per_s']:.0f} upd/s, intake "
          f"{results['intake_updates_per_s']:.0f} upd/s ({results['database']}): ratio "
          f"{results['ratio']:.2f}; p50/p99 {results['p50_ms']}/{results['p99_ms']} ms "
          f"(paced {results['paced_p50_ms']}/{results['paced_p99_ms']} ms); peak RSS "
          f"{results['peak_rss_mb']} MB; {results['bytes_per_draft']} bytes/draft; "
          f"{results['run_seconds']} s")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {output}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller load, under a minute")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--drafts", type=int, help=f"open drafts to measure (default "
                        f"{FULL.drafts}, quick {QUICK.drafts})")
    parser.add_argument("--output", type=Path, default=RESULTS)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.quick, arguments.database, arguments.drafts, arguments.output))
