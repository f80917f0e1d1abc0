"""What the benchmark (``run.py``) is built from: the stand-in and the simulated people, bot
processes, the databases, measurements and the printed rows."""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import os
import random
import signal
import sqlite3
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.harness import Person
from tests.standin import BotApiStandIn

BOTPROC = Path(__file__).with_name("botproc.py")
# The benchmarks walk a signal from /start as before the doors: signals only, no door.
SIGNALS_ONLY = {"flows": ["signaal"]}
PG_ADMIN_DSN = os.environ.get("SIGNAALBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
ALERT_CHATS = (7001, -1007002)
REPLY_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})
STEP_TIMEOUT = 30.0
WARM_UP_SIGNALS = 5  # signals filed before measuring (connections, caches)


# --- the stand-in and the simulated people -------------------------------------------------


class BenchStandIn(BotApiStandIn):
    """The Bot API stand-in, telling per chat when the bot's replies arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.backends: list[str] = []  # webhook workers: each POST to the next, in turn
        self._turn = 0
        self._seen = 0
        self._replies: dict[int, list[float]] = {}
        self._waiting: dict[int, tuple[int, asyncio.Future[float]]] = {}

    def _target(self, url: str) -> str:
        """As a load balancer in front of the workers would, at no cost here."""
        if not self.backends:
            return url
        self._turn += 1
        return self.backends[self._turn % len(self.backends)]

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


def cpu_seconds(*pids: int) -> float:
    """User plus system CPU time these processes used so far (from /proc)."""
    ticks = 0
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(stat[11]) + int(stat[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def context_switches(*pids: int) -> int:
    """How often these processes gave up (waiting) or lost (preempted) a core so far."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if "ctxt_switches:" in line:  # voluntary and nonvoluntary
                total += int(line.split(":")[1])
    return total


class BotProcess:
    """A bot in its own process (``botproc.py``), with its CPU time and memory from /proc."""

    def __init__(self, spec: dict[str, Any], log_dir: Path) -> None:
        self.spec = spec
        self.log = log_dir / f"bot-{uuid.uuid4().hex[:8]}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, api: Any, ready: Callable[[], bool] | None = None) -> None:
        """Start the bot and wait until it long-polls the stand-in (or ``ready()`` holds,
        re-checked whenever the stand-in ``api`` sees something happen)."""
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, str(BOTPROC), json.dumps(self.spec),
                stdout=asyncio.subprocess.PIPE, stderr=log)
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        if not line.strip().startswith(b'{"ready"'):
            raise RuntimeError(f"bot did not start: {self.log.read_text()[-2000:]}")
        await api.wait_for(ready or (lambda: api.polling), timeout=30)

    @property
    def pid(self) -> int:
        """The bot's process id."""
        assert self.process is not None
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User plus system CPU time the bot used so far."""
        return cpu_seconds(self.pid)

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


# --- printed rows --------------------------------------------------------------------------


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


