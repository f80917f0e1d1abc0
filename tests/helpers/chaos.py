"""Chaos tests: ``signaalbot run`` in a process killed at will, people who repeat themselves.

``BotProcess`` starts and kills the bot; ``persist`` is one person filing a signal who does
the same again whenever the bot stays silent; ``outbox_settled``, ``stored_signals`` and
``alert_records`` look at the bot's database from the test process.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.core.outbox import LEASE, REPLY_LEASE
from bot.settings import keyring, load_settings
from storage.db import create_engine, session_factory
from storage.models import Outbox, Signal
from storage.uow import UnitOfWork
from tests.conftest import TEST_KEY
from tests.helpers.cli import bot_environment

REFERENCE = re.compile(r"onder nummer (SP-\d{4}-\d{6})")  # in the thanks after filing

SETTLE_MARGIN = timedelta(seconds=30)
WaitFor = Callable[[Callable[[], bool], float], Awaitable[None]]  # a stand-in's wait_for


class BotProcess:
    """``signaalbot run`` in a process of its own, killed and started again at will."""

    def __init__(self, config: Path, log: Path) -> None:
        self._config, self._log = config, log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self._log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--config", str(self._config),
                stdout=log, stderr=log, env=bot_environment())

    async def stop(self, how: int) -> None:
        """Send `how` (SIGKILL, SIGTERM) and wait until the process is gone."""
        assert self.process is not None
        self.process.send_signal(how)
        await self.process.wait()


async def persist(*, reference: Callable[[], str | None], seen: Callable[[], Any],
                  act: Callable[[], None], wait_for: WaitFor, silence: float, deadline: float,
                  repeats: list[Any], who: Any,
                  think: Callable[[], float] = lambda: 0.0) -> str | None:
    """One person filing a signal; returns the reference their chat shows (None: stranded).

    Args:
        reference: The reference the chat shows, if any.
        seen: What the person sees in their chat now (compared for a change).
        act: Do the obvious next thing, from what the chat shows.
        wait_for: The stand-in's ``wait_for(predicate, timeout)`` (AssertionError on timeout).
        silence: Seconds the person waits for the bot before doing the same again.
        deadline: Seconds the person keeps trying.
        repeats: `who` is added each time the bot stayed silent.
        who: The person, as recorded in `repeats`.
        think: Seconds the person takes before each thing they do.
    """
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while loop.time() < end:
        if found := reference():
            return found
        await asyncio.sleep(think())
        before = seen()
        act()  # the same again if nothing changed
        try:
            await wait_for(lambda seen_before=before: seen() != seen_before, silence)
        except AssertionError:
            repeats.append(who)  # silence: the same again, as people do
            continue
        await asyncio.sleep(0.05)  # let a reply that comes in parts arrive
    return None


async def _database(config: Path) -> tuple[Any, UnitOfWork]:
    settings = load_settings(config, security={"encryption_key": TEST_KEY})
    engine = create_engine(settings.database.url, keyring=keyring(settings))
    return engine, UnitOfWork(session_factory(engine), keyring(settings))


async def outbox_settled(config: Path, channel: str | None = None) -> None:
    """Wait until the bot has sent (or given up) every queued message (of one channel).

    On PostgreSQL a killed process's chats wait for their leases to end (``LEASE``), its
    replies for ``REPLY_LEASE``: the wait allows for both, and half a minute more.
    """
    engine, uow = await _database(config)
    query = select(func.count()).select_from(Outbox).where(
        Outbox.sent_at.is_(None), Outbox.failed_at.is_(None))
    if channel is not None:
        query = query.where(Outbox.channel == channel)
    deadline = time.monotonic() + (max(LEASE, REPLY_LEASE) + SETTLE_MARGIN).total_seconds()
    try:
        while True:
            async with uow:
                waiting = await uow.session.scalar(query)
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{waiting} outbox messages still waiting")
            await asyncio.sleep(0.1)
    finally:
        await engine.dispose()


async def stored_signals(config: Path) -> dict[str, str]:
    """Every stored signal: reference -> gemeente code."""
    engine, uow = await _database(config)
    try:
        async with uow:
            rows = await uow.session.execute(select(Signal.reference, Signal.gemeente_code))
            return {reference: code for reference, code in rows}
    finally:
        await engine.dispose()


async def alert_records(config: Path) -> list[tuple[str, int | str, int | None]]:
    """Every alert sent, as recorded: (signal reference, staff chat, message id)."""
    engine, uow = await _database(config)
    try:
        async with uow:
            rows = await uow.session.execute(
                select(Signal.reference, Outbox.chat_id, Outbox.address, Outbox.message_id)
                .join(Signal, Signal.id == Outbox.signal_id)
                .where(Outbox.kind == "alert", Outbox.sent_at.is_not(None)))
            return [(reference, chat if chat is not None else str(address), message_id)
                    for reference, chat, address, message_id in rows]
    finally:
        await engine.dispose()
