"""Signal as a channel of the bot process: the sender, and the one consumer of the stream.

``SignalChannel.start`` checks the daemon, then reads its event stream; each person's
envelopes are handled in order, different people's at once (``signal.concurrent_people``).
An envelope that Signal's server delivers again (signal-cli restarted before acknowledging it)
is passed over; after a restart of the bot, the stored record of handled updates catches it.
Exactly one process may read the stream (every connected client receives every event):
``signaalbot run`` does, commands and consoles never do; of several ``run`` processes on one
database, the one holding the stream's lock (``storage.process_lock``) reads, the others only
send, and each tries every few seconds to take over.
Without a Telegram token ``handlers.channels.run`` serves it; with one, the Telegram
application hosts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core import messages, staff_commands
from bot.core.buttons import DeclineButton, StaffButton, unpack
from bot.core.flood import Flood
from bot.core.outbox import Buttons
from bot.core.people import SIGNAL
from bot.services import Services
from bot.settings import ConfigError, Settings
from handlers.signal.conversation import SignalConversation
from handlers.signal.envelopes import Incoming, Kind, classify
from handlers.signal.events import EventStream
from handlers.signal.rpc import RpcError, SignalRpc, Unreachable
from handlers.signal.sender import SignalSender

if TYPE_CHECKING:
    from storage.process_lock import ProcessLock

log = logging.getLogger(__name__)

OLDEST_VERSION = (0, 11, 6)  # the daemon's /api/v1/check came with signal-cli 0.11.6
TAKEOVER_SECONDS = 2.0  # how often a process that only sends tries to read the stream
RECENT = 4096  # envelopes remembered to pass over when Signal's server delivers them again


class SignalChannel:
    """signal-cli's daemon as one channel of this process."""

    name = SIGNAL

    def __init__(self, all_settings: Settings) -> None:
        settings = all_settings.signal
        self.account = settings.account
        self.rpc = SignalRpc(str(settings.rpc_url))
        self.stream = EventStream(str(settings.events_url))
        days = settings.disappearing_days
        self.sender = SignalSender(self.rpc, disappearing=timedelta(days=days) if days else None)
        self._conversation: SignalConversation | None = None
        self._services: Services | None = None
        self._reader: asyncio.Task[None] | None = None
        self._lock: ProcessLock | None = None
        self._turns: asyncio.Task[None] | None = None  # takes the lock, or checks it is held
        self._sending_only = False  # told that another process reads the stream
        self._people: dict[str, asyncio.Task[None]] = {}  # each person's newest envelope
        self._slots = asyncio.Semaphore(settings.concurrent_people)
        security = all_settings.security
        self._flood = Flood(security.flood_updates, security.flood_seconds)
        self._recent: dict[int, None] = {}  # the newest envelopes' update ids, oldest first
        self.received = 0  # envelopes read from the stream so far
        self.handled = 0  # of those, answered (or passed over)

    async def start(self, services: Services) -> None:
        """Check the daemon (a warning when it is not there yet), then read its stream.

        The stream is read while this process holds its lock; the outbox is sent regardless.
        """
        self._services = services
        self._conversation = SignalConversation(services, self.sender)
        self.sender.button_lines = self._button_lines
        await self._check()
        self._lock = services.process_lock(f"{self.name} stream {self.account}",
                                           on_lost=self._lock_lost)
        await self._take_turn()
        self._turns = asyncio.create_task(self._keep_turns(), name="signal-stream-lock")

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Stop reading; let the envelopes in hand finish (for a while).

        The stream's lock is released at once, so another process can take over.
        """
        if self._turns is not None:
            self._turns.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._turns
        await self._stop_reading()
        if self._lock is not None:
            await self._lock.release()
        pending = list(self._people.values())
        if pending:
            _, late = await asyncio.wait(pending, timeout=grace_seconds)
            for task in late:
                task.cancel()

    async def close(self) -> None:
        """Close the HTTP session, once the outbox is done with the sender too."""
        await self.rpc.close()

    @property
    def reading(self) -> bool:
        """This process reads the stream (it holds the stream's lock)."""
        return (self._reader is not None and not self._reader.done()
                and not self._reader.cancelling())

    async def _keep_turns(self) -> None:
        while True:
            await asyncio.sleep(TAKEOVER_SECONDS)
            await self._take_turn()

    async def _take_turn(self) -> None:
        """Read if the lock is (still) this process's, else only send."""
        assert self._lock is not None
        if not await self._lock.acquire():
            await self._stop_reading()
            if not self._sending_only and not self._lock.failing:  # held by another
                log.warning("another Signaalbot process reads the Signal stream; "
                            "this one only sends")
                self._sending_only = True
        elif not self.reading:
            await self._stop_reading()  # one whose lock was lost, if still closing
            if self._sending_only:
                log.info("this process reads the Signal stream now")
            self._sending_only = False
            self._reader = asyncio.create_task(self._read(), name="signal-events")

    def _lock_lost(self) -> None:
        """The lock went with its database connection: another process may read by now."""
        if self._reader is not None:
            self._reader.cancel()

    async def _stop_reading(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    async def _check(self) -> None:
        """The daemon's health and version, one line each; the stream waits for it anyway."""
        if not await self.rpc.healthy():
            log.warning("signal-cli does not answer at %s yet; Signal starts once it does "
                        "(run it with --receive-mode on-connection, see README)",
                        self.rpc.check_url)
            return
        try:
            version = str((await self.rpc.call("version") or {}).get("version", ""))
        except (RpcError, Unreachable) as error:
            log.warning("signal-cli's version is unknown: %s", error)
            return
        numbers = tuple(int(n) for n in re.findall(r"\d+", version)[:3])
        if numbers and numbers < OLDEST_VERSION:
            raise ConfigError(f"signal-cli {version} is too old: Signaalbot needs "
                              f"{'.'.join(map(str, OLDEST_VERSION))} or newer")
        log.info("Signal ready through signal-cli %s; the daemon must run with "
                 "--receive-mode on-connection, or messages sent while the bot is down are lost",
                 version)

    async def _read(self) -> None:
        async for event in self.stream:
            self.received += 1
            incoming = classify(event)
            if incoming.sender is None or incoming.kind in (Kind.QUIET, Kind.UNKNOWN):
                if incoming.kind is Kind.UNKNOWN:
                    log.info("a Signal envelope of an unknown kind (or no sender) passed over")
                self.handled += 1
                continue
            if not self._first_time(incoming.update_id):
                self.handled += 1  # Signal's server delivered it again: it was answered
                continue
            now = time.monotonic()
            if self._flood.allows(incoming.sender, now):
                self._enqueue(incoming)
            elif self._flood.should_warn(incoming.sender, now):
                self._enqueue(replace(incoming, kind=Kind.FLOOD))
            else:
                self.handled += 1

    def _first_time(self, update_id: int) -> bool:
        """Whether this envelope is new, not one Signal's server delivered again.

        (It does when signal-cli restarted before acknowledging it.)
        """
        if update_id in self._recent:
            return False
        self._recent[update_id] = None
        if len(self._recent) > RECENT:
            del self._recent[next(iter(self._recent))]
        return True

    def _enqueue(self, incoming: Incoming) -> None:
        """Hand the envelope on after the person's previous one."""
        sender = incoming.sender
        assert sender is not None
        task = asyncio.create_task(self._handle(self._people.get(sender), incoming))
        self._people[sender] = task
        task.add_done_callback(
            lambda done: self._people.pop(sender) if self._people.get(sender) is done else None)

    async def _handle(self, previous: asyncio.Task[None] | None, incoming: Incoming) -> None:
        if previous is not None:
            await asyncio.wait((previous,))
        assert self._conversation is not None and incoming.sender is not None
        async with self._slots:
            try:
                await self._conversation.handle(incoming)
            except Exception:  # the person is told; what they did is stored or not
                log.exception("a Signal message could not be handled")
                await self._conversation.say(incoming.sender, messages.TRY_AGAIN)
            finally:
                self.handled += 1

    @property
    def quiet(self) -> bool:
        """Every envelope read so far is handled."""
        return self.handled == self.received

    async def _button_lines(self, buttons: Buttons) -> list[str]:
        """Buttons as what a person types instead.

        Staff commands (their signals' references looked up); how a signaler declines
        questions.
        """
        assert self._services is not None
        pressed = [unpack(data) for row in buttons for _, data in row]
        wanted = {b.signal_id for b in pressed if isinstance(b, StaffButton)}
        references: dict[int, str] = {}
        if wanted:
            async with self._services.uow() as uow:
                references = await uow.signals.references(signal_ids=wanted)
        found = staff_commands.lines(buttons, references)
        if any(isinstance(b, DeclineButton) for b in pressed):
            found.append(messages.SIGNAL_DECLINE_HOW)
        return found
