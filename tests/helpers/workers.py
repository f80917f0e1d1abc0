"""N ``signaalbot run`` worker processes in webhook mode behind a load balancer.

``LoadBalancer`` stands where a gemeente's load balancer stands: Telegram (the stand-in)
posts each update to it, and it passes the update on to one worker after another (round
robin). An update that got no 200 from a worker (an error, a timeout, a refused or dropped
connection) goes to the next worker after a growing pause. Told to, it also delivers an
update twice (to two workers) or holds one back until the next has been answered (reorders).

``Workers`` runs the processes (same config and database, each on its own port) and plays
the runner a ``tests.harness.Person`` needs: an update counts as processed once Telegram got
its 200.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.settings import keyring
from storage.db import create_engine, session_factory
from storage.uow import UnitOfWork
from tests.conftest import make_settings
from tests.helpers.cli import bot_environment, signaalbot
from tests.standin import BotApiStandIn

JSON = dict[str, Any]
SECRET = "webhook-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ATTEMPTS = 40  # tries of one update before the balancer answers 502 (Telegram tries later)
FIRST_PAUSE = 0.02  # seconds before the second try; doubled up to MAX_PAUSE
MAX_PAUSE = 0.5
HOLD_SECONDS = 0.5  # longest an update is held back to be reordered


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LoadBalancer:
    """Round robin over worker URLs, with retries; duplicates and reorders when told to.

    Args:
        backends: The workers' webhook URLs.
        duplicate_every: Every so many updates one goes to two workers (0: never).
        reorder_every: Every so many updates one is held back until the next one has been
            answered (0: never).

    ``hold``: the id of one update to hold back until the next one has been answered.
    """

    def __init__(self, backends: list[str], *, duplicate_every: int = 0,
                 reorder_every: int = 0) -> None:
        self.backends = backends
        self.duplicate_every = duplicate_every
        self.reorder_every = reorder_every
        self.hold: int | None = None  # the id of an update to hold back behind the next one
        self.forwarded: list[tuple[int, int, int]] = []  # (update_id, backend, status)
        self._turn = 0
        self._count = 0
        self._held: asyncio.Event | None = None
        self._port = free_port()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        """Where Telegram posts."""
        return f"http://127.0.0.1:{self._port}/telegram"

    async def start(self) -> None:
        """Listen on 127.0.0.1."""
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        app = web.Application()
        app.router.add_post("/telegram", self._receive)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._port).start()

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {"Content-Type": "application/json",
                   SECRET_HEADER: request.headers.get(SECRET_HEADER, "")}
        update_id = int((await request.json())["update_id"])
        self._count += 1
        count = self._count
        periodic = bool(self.reorder_every and count % self.reorder_every == 0)
        release = None
        if update_id == self.hold or (periodic and self._held is None):
            self.hold = None
            held = self._held = asyncio.Event()
            with contextlib.suppress(TimeoutError):  # until a later update was answered
                await asyncio.wait_for(held.wait(), HOLD_SECONDS if periodic else 10.0)
            if self._held is held:
                self._held = None
        else:
            release, self._held = self._held, None
        copies = 2 if self.duplicate_every and count % self.duplicate_every == 0 else 1
        statuses = await asyncio.gather(
            *(self._forward(update_id, body, headers) for _ in range(copies)))
        if release is not None:
            release.set()  # the update held back goes now, after this one
        return web.Response(status=200 if all(s == 200 for s in statuses) else 502)

    async def _forward(self, update_id: int, body: bytes, headers: dict[str, str]) -> int:
        """To one worker after another until one answers 200 (or the tries run out)."""
        assert self._http is not None
        pause, status = FIRST_PAUSE, 0
        for _ in range(ATTEMPTS):
            backend = self._turn % len(self.backends)
            self._turn += 1
            try:
                async with self._http.post(self.backends[backend], data=body,
                                           headers=headers) as response:
                    status = response.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            self.forwarded.append((update_id, backend, status))
            if status == 200:
                return status
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE)
        return status


class Workers:
    """``count`` workers (``signaalbot run``, webhook mode) on one database, behind a balancer.

    Args:
        api: The Bot API stand-in (Telegram).
        tmp_path: Where the config and the workers' logs go.
        db_url: The shared database (PostgreSQL).
        count: How many workers.
        config: Their config file's text from (stand-in, database URL, webhook URL); by
            default Terneuzen, alerts to Carine (7001), signals only.
        balancer: Options of the ``LoadBalancer``.
    """

    def __init__(self, api: BotApiStandIn, tmp_path: Path, db_url: str, count: int,
                 config: Callable[[BotApiStandIn, str, str], str] | None = None,
                 **balancer: int) -> None:
        self.api = api
        self.db_url = db_url
        self.ports = [free_port() for _ in range(count)]
        self.balancer = LoadBalancer(
            [f"http://127.0.0.1:{port}/telegram" for port in self.ports], **balancer)
        self.processes: list[asyncio.subprocess.Process] = []
        self.logs = [tmp_path / f"worker{number}.log" for number in range(count)]
        self.config = tmp_path / "config.toml"
        self.config.write_text((config or worker_config)(api, db_url, self.balancer.url),
                               encoding="utf-8")

    async def start(self) -> None:
        """Start the balancer and every worker (all at once); wait until each is ready."""
        await self.balancer.start()
        for port, log in zip(self.ports, self.logs, strict=True):
            with log.open("wb") as output:
                self.processes.append(await asyncio.create_subprocess_exec(
                    *signaalbot(), "run", "--config", str(self.config), stdout=output,
                    stderr=output, cwd=self.config.parent,
                    env={**bot_environment(), "SIGNAALBOT_TELEGRAM__WEBHOOK__PORT": str(port)}))
        await asyncio.gather(*(self.ready(number) for number in range(len(self.ports))))

    async def status(self, number: int, path: str) -> int:
        """The HTTP status of a GET on a worker's ``path`` (0: no answer)."""
        try:
            async with aiohttp.ClientSession() as http, http.get(
                    f"http://127.0.0.1:{self.ports[number]}{path}") as response:
                return response.status
        except aiohttp.ClientError:
            return 0

    async def ready(self, number: int, timeout: float = 60.0) -> None:
        """Wait until a worker's ``/readyz`` answers 200."""
        async with asyncio.timeout(timeout):
            while await self.status(number, "/readyz") != 200:
                if self.processes[number].returncode is not None:
                    raise AssertionError(self.logs[number].read_text(encoding="utf-8"))
                await asyncio.sleep(0.1)

    def kill(self, number: int) -> None:
        """SIGKILL a worker: it dies at once, mid-update."""
        self.processes[number].kill()

    async def stop(self) -> list[int | None]:
        """SIGTERM the workers still running; their exit codes (None: killed here)."""
        alive = [p for p in self.processes if p.returncode is None]
        for process in alive:
            process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(30):
                await asyncio.gather(*(p.wait() for p in alive))
        finally:
            for process in self.processes:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
            await self.balancer.stop()
        return [p.returncode for p in self.processes]

    def output(self, number: int) -> str:
        """What a worker logged."""
        return self.logs[number].read_text(encoding="utf-8")

    async def processed(self, *updates: JSON, timeout: float = 20.0) -> None:
        """Wait until Telegram got a 200 for each of these updates (their replies are sent)."""
        ids = {update["update_id"] for update in updates}
        await self.api.wait_for(lambda: ids <= self.api.delivered, timeout)

    @contextlib.asynccontextmanager
    async def database(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work on the workers' database."""
        keys = keyring(make_settings(self.db_url))
        engine = create_engine(self.db_url, keyring=keys)
        try:
            async with UnitOfWork(session_factory(engine), keys) as uow:
                yield uow
        finally:
            await engine.dispose()


def worker_config(api: BotApiStandIn, db_url: str, url: str, *,
                  alert_chat_ids: tuple[int, ...] = (7001,), telegram: str = "") -> str:
    """The workers' config: Terneuzen, signals only, Telegram by webhook at ``url``.

    Alerts go to ``alert_chat_ids`` (Carine, 7001, is the regisseur); ``telegram``: more
    lines of the ``[telegram]`` table.
    """
    return f"""
[telegram]
token = "{api.token}"
base_url = "{api.base_url}"
mode = "webhook"
{telegram}
[telegram.webhook]
url = "{url}"
listen = "127.0.0.1"
secret_token = "{SECRET}"
[database]
url = "{db_url}"
[intake]
flows = ["signaal"]
[[gemeenten]]
code = "GM0715"
name = "Terneuzen"
pc4 = ["4531-4539"]
alert_chat_ids = {list(alert_chat_ids)}
staff = [{{ telegram_id = 7001, name = "Carine", role = "regisseur" }}]
"""
