"""The stand-in's shared state: account, people, chats, calls, queued events, the clock."""

from __future__ import annotations

import asyncio
import collections
import itertools
import time
import uuid
from typing import TYPE_CHECKING

from tests.signalcli.chats import Chat
from tests.signalcli.protocol import JSON, VERSION, Call

if TYPE_CHECKING:
    from tests.signalcli.faults import SendFault
    from tests.signalcli.phones import Phone
    from tests.signalcli.stream import Client


class StandInState:
    """What the parts of `SignalCliStandIn` share, and the helpers they all use."""

    def __init__(self, account: str, keepalive: float) -> None:
        self.account = account
        self.account_aci = str(uuid.uuid4())
        self.keepalive = keepalive
        self.version = VERSION  # what the `version` method answers (a test may set an old one)
        self.calls: list[Call] = []
        self.events: list[JSON] = []  # every event ever pushed, in order
        self._by_aci: dict[str, Phone] = {}
        self._by_number: dict[str, Phone] = {}
        self._chats: dict[str, Chat] = {}  # by the person's ACI
        self._numbers = itertools.count(10_000_001)
        self._pending: collections.deque[JSON] = collections.deque()  # for the next client
        self._clients: list[Client] = []
        self.most_connected = 0  # the most event streams ever open at once
        self._written: collections.deque[tuple[float, JSON]] = collections.deque(maxlen=100_000)
        self._faults: list[SendFault] = []
        self._io_faults: dict[str, list[str]] = {}  # method -> messages of coming IO errors
        self._clock_offset_ms = 0
        self._last_timestamp = 0
        self._activity = asyncio.Event()  # replaced on every change; see _signal

    def _signal(self) -> None:
        """Wakes everything waiting in `wait_for`."""
        self._activity.set()
        self._activity = asyncio.Event()

    def _now_ms(self) -> int:
        """Signal's clock in milliseconds (see `advance_clock`)."""
        return int(time.time() * 1000) + self._clock_offset_ms

    def _timestamp(self) -> int:
        """A new message timestamp: the clock, strictly increasing over all senders."""
        self._last_timestamp = max(self._now_ms(), self._last_timestamp + 1)
        return self._last_timestamp

    def chat(self, phone: Phone) -> Chat:
        """The person's chat with the bot (created empty on first use)."""
        chat = self._chats.get(phone.aci)
        if chat is None:
            chat = self._chats[phone.aci] = Chat(phone)
        return chat
