"""The composition root: database, engine, intake and outbox, wired from settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.engine import Engine
from bot.intake import IntakeService
from bot.outbox import Dispatcher, Sender
from bot.questionnaire import build_questionnaire
from bot.settings import Settings
from storage.db import create_engine, session_factory, upgrade
from storage.models import utcnow
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything a channel adapter needs; create with ``open_services``."""

    settings: Settings
    db: AsyncEngine
    sessions: async_sessionmaker[Any]
    engine: Engine
    intake: IntakeService
    dispatcher: Dispatcher
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def uow(self) -> UnitOfWork:
        """A new unit of work."""
        return UnitOfWork(self.sessions)

    def start_background(self) -> None:
        """Start the outbox dispatcher loop."""
        self._tasks.append(asyncio.create_task(self.dispatcher.run(), name="outbox"))

    async def purge_expired_drafts(self) -> int:
        """Delete drafts that were left unfinished too long."""
        async with self.uow() as uow:
            count = await uow.drafts.purge_expired(now=utcnow())
            await uow.commit()
        if count:
            log.info("purged %d expired drafts", count)
        return count

    async def close(self) -> None:
        """Stop background work and close the database."""
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.db.dispose()


async def sync_gemeenten(settings: Settings, uow: UnitOfWork) -> None:
    """Load the configured gemeenten, alert chats and PC4 areas into the database."""
    for gemeente in settings.gemeenten:
        await uow.gemeenten.upsert(
            code=gemeente.code,
            name=gemeente.name,
            active=gemeente.active,
            fallback_advice=gemeente.fallback_advice,
            alert_chat_ids=gemeente.alert_chat_ids,
            pc4_ranges=gemeente.pc4_ranges,
        )
    await uow.commit()


async def open_services(settings: Settings, sender: Sender) -> Services:
    """Connect the database (migrating it if configured), load routing, wire the services."""
    db = create_engine(settings.database.url)
    if settings.database.migrate_on_start:
        await upgrade(db)
    sessions = session_factory(db)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    async with new_uow() as uow:
        await sync_gemeenten(settings, uow)
    engine = Engine(build_questionnaire(
        description_max_chars=settings.intake.description_max_chars))
    dispatcher = Dispatcher(new_uow, sender)
    intake = IntakeService(
        new_uow,
        engine,
        draft_ttl=timedelta(hours=settings.intake.draft_ttl_hours),
        default_advice=settings.intake.fallback_advice,
        on_commit=dispatcher.kick,
    )
    return Services(settings, db, sessions, engine, intake, dispatcher)
