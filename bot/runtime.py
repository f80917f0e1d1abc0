"""The bot process, whatever its channels serve.

Its event loop and garbage collector, the signals that stop it, and the database prepared
before any channel is reached.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Awaitable, Iterator

from bot.services import prepare_database
from bot.settings import Settings, keyring
from storage.db import create_engine, current_revision, preparing

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def stop_signals() -> Iterator[asyncio.Event]:
    """An event that SIGINT or SIGTERM sets while in this block (on the running loop)."""
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    for sig in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C raises instead
            loop.add_signal_handler(sig, stopped.set)
    try:
        yield stopped
    finally:
        for sig in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)


async def unless(stopped: asyncio.Event, work: Awaitable[None]) -> bool:
    """Await ``work``; if ``stopped`` is set first, cancel it and return False."""
    task, stop = asyncio.ensure_future(work), asyncio.ensure_future(stopped.wait())
    try:
        await asyncio.wait((task, stop), return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return False
    task.result()
    return True


def new_event_loop() -> asyncio.AbstractEventLoop:
    """The bot's event loop: uvloop where it is installed (not on Windows), else asyncio's.

    uvloop takes about a tenth off the bot's CPU time per update (docs/benchmarks.md).
    """
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


# Python's default (a young collection every 700 allocations) made the collector an eighth of
# the bot's CPU time under load, mostly full collections walking what start-up loaded.
GC_THRESHOLDS = (10_000, 20, 20)


def tune_garbage_collector() -> None:
    """Freeze what start-up loaded (full collections skip it); collect young objects less often.

    Measured A/B (docs/benchmarks.md): 2.6 -> 2.2 ms CPU per update, collector time 1.4 ->
    0.1 s over a run of ~10 s.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


async def prepare(settings: Settings) -> None:
    """The database migrated and the config applied, before any channel is reached."""
    keys = keyring(settings)
    db = create_engine(settings.database.url, keyring=keys)
    try:
        async with preparing(db):  # N workers starting at once: one after the other
            await prepare_database(settings, db, keys)
        revision = await current_revision(db)
    finally:
        await db.dispose()
    log.info("database at revision %s; config applied (%d gemeente(n))", revision,
             len(settings.gemeenten))
