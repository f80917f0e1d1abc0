"""The composition root: database, engine, intake and outbox, wired from settings."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
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
from bot.core.outbox import Dispatcher, Sender, Throttle
from bot.core.privacy import Privacy
from bot.core.questionnaires import for_settings
from bot.core.staff import StaffService
from bot.settings import Settings, keyring
from storage.crypto import Keyring
from storage.db import create_engine, session_factory, upgrade
from storage.uow import UnitOfWork


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
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def uow(self) -> UnitOfWork:
        """A new unit of work."""
        return UnitOfWork(self.sessions, self.keyring)

    def reading_uow(self) -> UnitOfWork:
        """A unit of work for long read-only queries (``/stats``): they do not hold the loop."""
        return UnitOfWork(session_factory(self.reader), self.keyring)

    def start_background(self) -> None:
        """Start the outbox dispatcher loop."""
        self._tasks.append(asyncio.create_task(self.dispatcher.run(), name="outbox"))

    async def close(self, grace_seconds: float = 10.0) -> None:
        """Stop background work (finishing the message in flight) and close the database."""
        self.dispatcher.stop()
        for task in self._tasks:
            try:
                await asyncio.wait_for(asyncio.shield(task), grace_seconds)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._tasks.clear()
        await self.db.dispose()
        if self.reader is not self.db:  # SQLite's threaded reader; on PostgreSQL the same engine
            await self.reader.dispose()


async def sync_gemeenten(settings: Settings, uow: UnitOfWork) -> None:
    """Apply the configuration to the database (see ``bot.core.config_apply``)."""
    await config_apply.apply(settings, uow)


async def prepare_database(settings: Settings, db: AsyncEngine, keys: Keyring) -> None:
    """Migrate the schema (when ``database.migrate_on_start``), then apply the configuration."""
    if settings.database.migrate_on_start:
        await upgrade(db)
    async with UnitOfWork(session_factory(db), keys) as uow:
        await sync_gemeenten(settings, uow)


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
    await prepare_database(settings, db, keys)
    sessions = session_factory(db)
    reader = (create_engine(settings.database.url, keyring=keys, threaded=True)
              if db.dialect.name == "sqlite" else db)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(sessions, keys)

    engine = Engine(for_settings(settings))
    alerts = Alerts(engine)
    dispatcher = Dispatcher(new_uow, senders, throttles=throttles,
                            on_undeliverable=alerts.reroute)
    intake = IntakeService(
        new_uow,
        engine,
        alerts,
        draft_ttl=timedelta(hours=settings.intake.draft_ttl_hours),
        default_advice=settings.intake.fallback_advice,
        on_commit=dispatcher.kick,
    )
    staff = StaffService(new_uow, alerts,
                         question_ttl=timedelta(days=settings.workflow.question_expiry_days),
                         on_commit=dispatcher.kick)
    followup = FollowUp(new_uow, on_commit=dispatcher.kick)
    privacy = Privacy(new_uow, engine.questionnaire, alerts, on_commit=dispatcher.kick)
    admin = AdminService(new_uow, admins=frozenset(settings.admins), on_commit=dispatcher.kick)
    return Services(settings, db, sessions, reader, keys, engine, intake, staff, followup, privacy,
                    admin, dispatcher)
