"""Signal as a channel of the bot process: the sender, and the one consumer of the stream.

``SignalChannel.start`` checks the daemon, then reads its event stream; each person's
envelopes are handled in order, different people's at once (``signal.concurrent_people``).
An envelope that Signal's server delivers again (signal-cli restarted before acknowledging it)
is passed over; after a restart of the bot, the stored record of handled updates catches it.
Exactly one process may read the stream (every connected client receives every event):
``signaalbot run`` does, commands and consoles never do.
``run`` serves Signal alone; with a Telegram token too, the Telegram application hosts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from dataclasses import replace
from datetime import timedelta

from bot.core import messages, staff_commands
from bot.core.buttons import DeclineButton, StaffButton, unpack
from bot.core.flood import Flood
from bot.core.outbox import Buttons
from bot.core.people import SIGNAL
from bot.runtime import new_event_loop, prepare, stop_signals, tune_garbage_collector
from bot.services import Services, open_services
from bot.settings import ConfigError, Settings, keyring
from handlers.signal.conversation import SignalConversation
from handlers.signal.envelopes import Incoming, Kind, classify
from handlers.signal.events import EventStream
from handlers.signal.rpc import RpcError, SignalRpc, Unreachable
from handlers.signal.sender import SignalSender

log = logging.getLogger(__name__)

OLDEST_VERSION = (0, 11, 6)  # the daemon's /api/v1/check came with signal-cli 0.11.6
RECENT = 4096  # envelopes remembered to pass over when Signal's server delivers them again


class SignalChannel:
    """signal-cli's daemon as one channel of this process."""

    name = SIGNAL

    def __init__(self, all_settings: Settings) -> None:
        settings = all_settings.signal
        self.rpc = SignalRpc(str(settings.rpc_url))
        self.stream = EventStream(str(settings.events_url))
        days = settings.disappearing_days
        self.sender = SignalSender(self.rpc, disappearing=timedelta(days=days) if days else None)
        self._conversation: SignalConversation | None = None
        self._services: Services | None = None
        self._reader: asyncio.Task[None] | None = None
        self._people: dict[str, asyncio.Task[None]] = {}  # each person's newest envelope
        self._slots = asyncio.Semaphore(settings.concurrent_people)
        security = all_settings.security
        self._flood = Flood(security.flood_updates, security.flood_seconds)
        self._recent: dict[int, None] = {}  # the newest envelopes' update ids, oldest first
        self.received = 0  # envelopes read from the stream so far
        self.handled = 0  # of those, answered (or passed over)

    async def start(self, services: Services) -> None:
        """Check the daemon (a warning when it is not there yet), then read its stream."""
        self._services = services
        self._conversation = SignalConversation(services, self.sender)
        self.sender.button_lines = self._button_lines
        await self._check()
        self._reader = asyncio.create_task(self._read(), name="signal-events")

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Stop reading; let the envelopes in hand finish (for a while); close the session."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        pending = list(self._people.values())
        if pending:
            _, late = await asyncio.wait(pending, timeout=grace_seconds)
            for task in late:
                task.cancel()
        await self.rpc.close()

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

def run(settings: Settings) -> None:
    """Serve Signal alone until SIGINT or SIGTERM (with a Telegram token, Telegram's run does).

    Raises:
        ConfigError: settings that cannot work, or a signal-cli that is too old.
    """
    keyring(settings)  # refuse to start without a valid encryption key
    loop = new_event_loop()
    try:
        loop.run_until_complete(_serve(settings))
    finally:
        loop.close()


async def _serve(settings: Settings) -> None:
    with stop_signals() as stopped:
        await prepare(settings)
        if stopped.is_set():
            return
        channel = SignalChannel(settings)
        services = await open_services(settings, {SIGNAL: channel.sender})
        try:
            services.start_background(due_work=True)
            await channel.start(services)
            tune_garbage_collector()
            await stopped.wait()
        finally:
            await channel.stop()
            await services.close()
