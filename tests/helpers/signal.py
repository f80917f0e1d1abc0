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
from storage.models import Signal
from tests.helpers.stored import rows
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
        await asyncio.sleep(0.01)


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
        self.channel, self._services = channel, services
        try:
            services.start_background()
            await channel.start(services)
        except BaseException:  # e.g. a daemon too old: nothing is left running
            await self.stop()
            raise
        await self.cli.wait_connected()

    async def stop(self) -> None:
        """Stop as on SIGTERM: the channel, then the services."""
        channel, services, self.channel, self._services = self.channel, self._services, None, None
        assert channel is not None and services is not None
        await channel.stop()
        await services.close()
        await channel.close()

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
    async def reading(self, envelopes: int = 1) -> AsyncIterator[None]:
        """Around pushing `envelopes`: waits until the channel has read that many more, then
        until it settles (so "no answer" is proven by state, not by a pause)."""
        assert self.channel is not None
        wanted = self.channel.received + envelopes
        yield
        await self.read_up_to(wanted)
        await self.settled()

    async def read_up_to(self, received: int, timeout: float = 10.0) -> None:
        """Wait until the channel has read `received` envelopes since it started."""
        assert self.channel is not None
        channel, loop = self.channel, asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while channel.received < received:
            if loop.time() > deadline:
                raise AssertionError(f"the channel read {channel.received} envelopes, "
                                     f"not {received}")
            await asyncio.sleep(0.01)


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


REFERENCE = re.compile(r"SP-\d{4}-\d{6}")
# A whole signal typed on Signal, one line per message; what the bot then stores.
WHOLE_SIGNAL = ("/start", "nee", "kapper", "4531 ab", "12a", "1 2", "langer dan een half",
                "elke week", "2", "Hij zit <altijd> binnen & de tuin verwildert", "weet ik niet",
                "ja", "Fatima de Vries", "0612345678", "verstuur")
FILED = {"role": "kapper", "gemeente": "GM0715", "postcode": "4531 AB", "house_number": "12 A",
         "signs": ["gordijnen", "post"], "since": "lang", "frequency": "wekelijks",
         "actions": ["aangebeld"], "description": "Hij zit <altijd> binnen & de tuin verwildert",
         "person_knows": "onbekend", "contact_ok": "ja", "contact_name": "Fatima de Vries",
         "contact_phone": "0612345678"}


async def file_signal(person: SignalPerson, *, contact: bool = True,
                      postcode: str = "4531 ab") -> str:
    """Walk a whole signal on Signal, typing numbers and words; returns the reference."""
    lines = list(WHOLE_SIGNAL)
    lines[3] = postcode
    if not contact:
        lines[11:14] = ["nee"]
    await person.say(*lines)
    return reference(next(text for text in reversed(person.texts())  # the thanks; the
                          if REFERENCE.search(text)))  # suggestions may follow it


async def filed_once(runner: Any, person: SignalPerson) -> None:
    """`WHOLE_SIGNAL`, however delivered, is one signal with every answer, and each line got
    exactly one reply (the last, and the suggestions after it), in order: no prompt doubled,
    none lost."""
    [signal] = await rows(runner, Signal)
    assert signal.answers == FILED
    texts = person.texts()
    assert len(texts) == len(WHOLE_SIGNAL) + 1, texts  # and the suggestions after the thanks
    assert "Welkom" in texts[0] and reference(texts[-2]) == signal.reference
    assert "/vraagje" in texts[-1]
    acks = texts[1:-2]
    assert all(text.startswith("✔") for text in acks)
    questions = [text.split("\n\n", 1)[1] for text in acks]
    assert len(set(questions)) == len(questions)  # each question asked once


def reference(text: str) -> str:
    """The signal's reference in the bot's confirmation."""
    found = REFERENCE.search(text)
    assert found, f"no reference in {text!r}"
    return found.group(0)


class Hosted:
    """A Telegram ``BotRunner`` that hosts the Signal channel too, as ``signaalbot run`` does
    with a token and ``[signal]`` set; settles both."""

    def __init__(self, runner: Any, cli: SignalCliStandIn) -> None:
        self.runner = runner
        self.cli = cli

    @property
    def services(self) -> Services:
        """The process's services."""
        return self.runner.services  # type: ignore[no-any-return]

    async def settled(self, timeout: float = 15.0) -> None:
        """Wait until neither channel nor the outbox has anything going on."""
        [channel] = self.runner.hosted
        for _ in range(2):  # a step on one channel may queue work for the other
            await self.runner.settled(timeout)
            await settled(self.cli, channel, self.services, timeout)
