"""Signaalbot's Signal channel against the signal-cli stand-in, and people on their phones.

``SignalRunner`` runs the channel as ``signaalbot run`` does with only ``[signal]`` set (the
services, the outbox, the stream's one consumer); it can stop and start again. ``SignalPerson``
types on a phone and reads what the bot wrote back.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

from bot.core.people import SIGNAL
from bot.services import Services, open_services
from bot.settings import Settings
from handlers.signal.app import SignalChannel
from tests.signalcli import SignalCliStandIn
from tests.signalcli.phones import Phone

ACCOUNT = "+31612345678"


def with_signal(settings: Settings, cli: SignalCliStandIn) -> Settings:
    """The settings with the Signal channel pointed at the stand-in."""
    return settings.model_copy(update={"signal": settings.signal.model_copy(update={
        "account": cli.account, "rpc_url": cli.rpc_url, "events_url": cli.events_url})})


async def settled(cli: SignalCliStandIn, channel: SignalChannel, services: Services,
                  timeout: float = 15.0) -> None:
    """Wait until nothing is going on: every event read and handled, the outbox idle."""
    loop = asyncio.get_running_loop()

    def quiet() -> bool:
        return (not cli.pending and channel.quiet and cli.connected >= 1
                and services.dispatcher.idle.is_set())

    deadline, calm = loop.time() + timeout, 0
    while calm < 3:  # three looks in a row: nothing is between two steps either
        calm = calm + 1 if quiet() else 0
        if loop.time() > deadline:
            raise AssertionError(f"the Signal channel did not settle ({channel.handled} "
                                 f"handled, {len(cli.pending)} pending)")
        await asyncio.sleep(0.02)


class SignalRunner:
    """One bot process serving only Signal, against the stand-in.

    ``backoff``: the longest wait between reconnects of the event stream (short in tests).
    """

    def __init__(self, cli: SignalCliStandIn, settings: Settings, *,
                 backoff: float = 0.1) -> None:
        self.cli = cli
        self.settings = with_signal(settings, cli)
        self.backoff = backoff
        self.channel: SignalChannel | None = None
        self._services: Services | None = None

    async def start(self) -> None:
        """Open the services, start the outbox and the channel (it connects to the stream)."""
        channel = SignalChannel(self.settings)
        channel.stream.max_delay = self.backoff
        services = await open_services(self.settings, {SIGNAL: channel.sender})
        try:
            services.start_background()
            await channel.start(services)
        except BaseException:  # e.g. a daemon too old: nothing is left running
            await channel.stop()
            await services.close()
            raise
        self.channel, self._services = channel, services
        await self.cli.wait_connected()

    async def stop(self) -> None:
        """Stop as on SIGTERM: the channel, then the services."""
        channel, services, self.channel, self._services = self.channel, self._services, None, None
        assert channel is not None and services is not None
        await channel.stop()
        await services.close()

    @property
    def services(self) -> Services:
        """The running services."""
        assert self._services is not None
        return self._services

    async def settled(self, timeout: float = 15.0) -> None:
        """Wait until every event is handled and the outbox is idle."""
        assert self.channel is not None
        await settled(self.cli, self.channel, self.services, timeout)

    @contextlib.asynccontextmanager
    async def reading(self, envelopes: int = 1, timeout: float = 10.0) -> AsyncIterator[None]:
        """Around pushing `envelopes`: waits until the channel has read that many more, then
        until it settles (so "no answer" is proven by state, not by a pause)."""
        assert self.channel is not None
        channel, loop = self.channel, asyncio.get_running_loop()
        wanted = channel.received + envelopes
        yield
        deadline = loop.time() + timeout
        while channel.received < wanted:
            if loop.time() > deadline:
                raise AssertionError(f"the channel read {channel.received} envelopes, "
                                     f"not {wanted}")
            await asyncio.sleep(0.01)
        await self.settled()


class SignalPerson:
    """Someone with Signal on their phone, in a one-to-one chat with the bot."""

    def __init__(self, runner: Any, phone: Phone) -> None:
        self.runner = runner  # SignalRunner, or a BotRunner hosting the Signal channel
        self.phone = phone
        self.cli = phone.cli

    @property
    def key(self) -> tuple[str, str]:
        """(channel, external id): how the bot stores this person."""
        return SIGNAL, self.phone.aci

    async def say(self, *lines: str) -> None:
        """Type and send each line, waiting each time until the bot is done with it."""
        for line in lines:
            self.phone.says(line)
            await self.runner.settled()

    @property
    def last(self) -> str:
        """The newest message the bot wrote to this person."""
        texts = self.texts()
        assert texts, f"the bot never wrote to {self.phone.name}"
        return texts[-1]

    def texts(self) -> list[str]:
        """Every message the bot wrote to this person that their phone still shows."""
        return [m.text for m in self.cli.messages(self.phone) if not m.deleted]


async def file_signal(person: SignalPerson, *, contact: bool = True,
                      postcode: str = "4531 ab") -> str:
    """Walk a whole signal on Signal, typing numbers and words; returns the reference."""
    await person.say("/start", "nee", "kapper", postcode, "12a", "1 2", "langer dan een half",
                     "elke week", "2", "Hij zit <altijd> binnen & de tuin verwildert",
                     "weet ik niet")
    if contact:
        await person.say("ja", "Fatima de Vries", "0612345678")
    else:
        await person.say("nee")
    await person.say("verstuur")
    return reference(person.last)


def reference(text: str) -> str:
    """The signal's reference in the bot's confirmation."""
    found = re.search(r"SP-\d{4}-\d{6}", text)
    assert found, f"no reference in {text!r}"
    return found.group(0)
