"""The composition root: database, engine, intake and outbox, wired from settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.core import config_apply
from bot.core.admin import AdminService
from bot.core.alerts import Alerts
from bot.core.engine import Engine
from bot.core.followup import FollowUp
from bot.core.intake import IntakeService
from bot.core.kaart import KaartCache, KaartService
from bot.core.language_choice import LanguageChoice
from bot.core.news import NewsService
from bot.core.outbox import Dispatcher, Sender, Throttle
from bot.core.privacy import Privacy
from bot.core.questionnaires import flows_for_settings
from bot.core.staff import StaffService
from bot.settings import Settings, keyring
from storage.changes import ChangeListener
from storage.crypto import Keyring
from storage.db import create_engine, preparing, session_factory, upgrade
from storage.process_lock import ProcessLock
from storage.uow import UnitOfWork
from storage.workers import BEAT_SECONDS, WorkerRegistry

log = logging.getLogger(__name__)
RETENTION_SECONDS = 3600  # retention is checked hourly; each signal is erased once its day comes


@dataclass
class Services:
    """Everything a channel adapter needs; create with ``open_services``."""

    settings: Settings
    db: AsyncEngine
    sessions: async_sessionmaker[Any]
    reader: AsyncEngine  # for long read-only queries; on SQLite they run in a worker thread
    keyring: Keyring
    engine: Engine
    intake: IntakeService
    staff: StaffService
    followup: FollowUp
    privacy: Privacy
    admin: AdminService
    dispatcher: Dispatcher
    kaart: KaartService
    news: NewsService
    languages: LanguageChoice
    worker_id: str  # this worker among those sharing the database (host, process, random)
    workers: WorkerRegistry | None  # on PostgreSQL: the workers sharing it, counted by heartbeat
    changes: ChangeListener  # hears what other workers changed (``storage.changes``)
    _scheduler: ProcessLock | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _periodic: list[asyncio.Task[None]] = field(default_factory=list)

    def uow(self) -> UnitOfWork:
        """A new unit of work."""
        return UnitOfWork(self.sessions, self.keyring)

    def reading_uow(self) -> UnitOfWork:
        """A unit of work for long read-only queries (``/stats``): they do not hold the loop."""
        return UnitOfWork(session_factory(self.reader), self.keyring)

    def process_lock(self, name: str, *, on_lost: Callable[[], None] | None = None
                     ) -> ProcessLock:
        """A lock that one process on this database holds at a time (``ProcessLock``)."""
        return ProcessLock(self.settings.database.url, name, on_lost=on_lost)

    def start_background(self, *, due_work: bool = False, counted: bool = False) -> None:
        """Start the outbox, the listener for other workers' changes, maybe the scheduled rounds.

        With ``due_work`` the scheduled rounds: the follow-up checks (escalations, reminders,
        question expiry) and the retention purge. They run in one worker at a time: the one
        holding the lock ``scheduler``; a standby takes it at its next round once the holder
        is gone. With ``counted`` (on PostgreSQL) the worker joins those that share the bot's
        limits (``workers``) and beats its heartbeat while it runs.
        """
        self._periodic.append(asyncio.create_task(self.changes.run(), name="changes"))
        if counted and self.workers is not None:
            self._periodic.append(asyncio.create_task(
                _every(BEAT_SECONDS, self.workers.beat, first=0), name="heartbeat"))
        self._tasks.append(asyncio.create_task(self.dispatcher.run(), name="outbox"))
        if due_work:
            self._scheduler = self.process_lock("scheduler")
            self._periodic += [
                asyncio.create_task(_every(self.settings.workflow.check_interval_seconds,
                                           self._scheduled(self.followup.run_due), first=1),
                                    name="followup"),
                asyncio.create_task(_every(RETENTION_SECONDS, self._scheduled(self._retention),
                                           first=30), name="retention"),
            ]

    @property
    def scheduling(self) -> bool:
        """Whether this worker runs the scheduled rounds (holds the lock ``scheduler``)."""
        return self._scheduler is not None and self._scheduler.held

    def _scheduled(self, work: Callable[[], Awaitable[object]]
                   ) -> Callable[[], Awaitable[object]]:
        """``work``, run only while this worker holds the scheduler's lock."""
        lock = self._scheduler
        assert lock is not None

        async def round_() -> None:
            if await lock.acquire():
                await work()

        round_.__name__ = getattr(work, "__name__", "work")
        return round_

    async def _retention(self) -> None:
        report = await self.privacy.purge()
        if report.signals:
            log.info("retention: personal fields of %d closed signals erased",
                     len(report.signals))
            self.dispatcher.kick()

    async def close(self, grace_seconds: float = 10.0) -> None:
        """Stop background work (finishing the message in flight) and close the database."""
        for task in self._periodic:
            task.cancel()
        await asyncio.gather(*self._periodic, return_exceptions=True)
        self._periodic.clear()
        if self._scheduler is not None:
            await self._scheduler.release()  # a standby takes the rounds at its next one
        self.dispatcher.stop()
        for task in self._tasks:
            try:
                await asyncio.wait_for(asyncio.shield(task), grace_seconds)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._tasks.clear()
        if self.workers is not None and self.workers.joined:
            try:
                await self.workers.leave()
            except Exception:  # its row then ages out: the others wait a little longer
                log.warning("worker %s not removed from the workers", self.worker_id,
                            exc_info=True)
        await self.db.dispose()
        if self.reader is not self.db:  # SQLite's threaded reader; on PostgreSQL the same engine
            await self.reader.dispose()


async def _every(seconds: float, work: Callable[[], Awaitable[object]], *, first: float) -> None:
    """Run ``work`` after ``first`` seconds, then every ``seconds``; a failure is logged."""
    await asyncio.sleep(first)
    while True:
        try:
            await work()
        except Exception:  # the next round tries again
            log.exception("periodic %s failed", getattr(work, "__name__", "work"))
        await asyncio.sleep(seconds)


async def sync_gemeenten(settings: Settings, uow: UnitOfWork) -> None:
    """Apply the configuration to the database (see ``bot.core.config_apply``)."""
    await config_apply.apply(settings, uow)


async def prepare_database(settings: Settings, db: AsyncEngine, keys: Keyring) -> None:
    """Migrate the schema (when ``database.migrate_on_start``), then apply the configuration."""
    if settings.database.migrate_on_start:
        await upgrade(db)
    async with UnitOfWork(session_factory(db), keys) as uow:
        await sync_gemeenten(settings, uow)


def intake_engine(settings: Settings) -> Engine:
    """The engine of the conversation as configured: the door and the questionnaires it opens.

    With one kind of report only (``intake.flows``) there is no door: it starts in that one.
    """
    door, flows = flows_for_settings(settings)
    if door is None:
        (only,) = flows.values()
        return Engine(only)
    return Engine(door, flows=flows)


async def open_services(settings: Settings, senders: Mapping[str, Sender], *,
                        throttles: Mapping[str, Throttle] | None = None) -> Services:
    """Connect the database (``prepare_database``), wire the services.

    ``senders`` deliver the outbox, each its channel's rows (``channel -> Sender``), waiting on
    the channel's throttle in ``throttles``; other channels' rows are left to their process.

    Raises:
        ConfigError: without a valid encryption key.
    """
    keys = keyring(settings)
    db = create_engine(settings.database.url, keyring=keys)
    async with preparing(db):  # workers starting at once: one after the other
        await prepare_database(settings, db, keys)
    sessions = session_factory(db)
    reader = (create_engine(settings.database.url, keyring=keys, threaded=True)
              if db.dialect.name == "sqlite" else db)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(sessions, keys)

    engine = intake_engine(settings)
    alerts = Alerts(engine)
    worker_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
    dispatcher = Dispatcher(new_uow, senders, throttles=throttles,
                            on_undeliverable=alerts.reroute, worker_id=worker_id,
                            alone=db.dialect.name == "sqlite")
    kaart = KaartCache()
    intake = IntakeService(
        new_uow,
        engine,
        alerts,
        draft_ttl=timedelta(hours=settings.intake.draft_ttl_hours),
        default_advice=settings.intake.fallback_advice,
        kaart=kaart,
        on_commit=dispatcher.kick,
    )
    staff = StaffService(new_uow, alerts,
                         question_ttl=timedelta(days=settings.workflow.question_expiry_days),
                         on_commit=dispatcher.kick)
    followup = FollowUp(new_uow, on_commit=dispatcher.kick)
    privacy = Privacy(new_uow, alerts, on_commit=dispatcher.kick)
    admin = AdminService(new_uow, admins=frozenset(settings.admins), on_commit=dispatcher.kick)
    workers = WorkerRegistry(db, worker_id) if db.dialect.name == "postgresql" else None
    languages = LanguageChoice(new_uow, trusted=lambda: changes.listening)
    changes = ChangeListener(settings.database.url, lambda _: languages.forget_all())
    return Services(settings, db, sessions, reader, keys, engine, intake, staff, followup, privacy,
                    admin, dispatcher, KaartService(new_uow, kaart),
                    NewsService(new_uow, on_commit=dispatcher.kick), languages, worker_id,
                    workers, changes)
