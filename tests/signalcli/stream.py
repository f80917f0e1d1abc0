"""GET /api/v1/events: the SSE stream, with receive-mode on-connection's queueing."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.signalcli.protocol import JSON, KEEPALIVE, sse_event
from tests.signalcli.state import StandInState


@dataclass(eq=False)
class Client:
    """One connected /api/v1/events stream and the events not yet written to it."""

    response: web.StreamResponse
    transport: Any
    queue: collections.deque[tuple[JSON, bytes]] = field(default_factory=collections.deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False


class EventStream(StandInState):
    """Hands every event to every connected client; keeps them (as Signal's server does)
    while none is connected, and delivers them to the next one."""

    @property
    def connected(self) -> int:
        """How many event streams are open."""
        return len(self._clients)

    @property
    def pending(self) -> list[JSON]:
        """Events waiting for a client to connect."""
        return list(self._pending)

    def push_raw(self, envelope: JSON, *, exception: JSON | None = None) -> None:
        """Pushes an envelope of any shape (kinds the phones do not model), as given;
        `exception` (e.g. {"message": ..., "type": "UntrustedIdentityException"}) is added
        as signal-cli does for envelopes it could not decrypt."""
        event: JSON = {"envelope": envelope, "account": self.account}
        if exception is not None:
            event["exception"] = exception
        self._publish(event)

    def drop_stream(self) -> None:
        """Closes every event stream now (a network drop); unwritten events stay queued."""
        for client in list(self._clients):
            self._detach(client)

    def _push_envelope(self, timestamp: int, source: JSON, content: JSON) -> int:
        envelope = {**source, "timestamp": timestamp, "serverReceivedTimestamp": timestamp,
                    "serverDeliveredTimestamp": timestamp, **content}
        self._publish({"envelope": envelope, "account": self.account})
        return timestamp

    def _publish(self, event: JSON) -> None:
        self.events.append(event)
        if self._clients:
            self._hand_out((event,))
        else:
            self._pending.append(event)
        self._signal()

    def _hand_out(self, events: Any) -> None:
        now = max(self._now_ms(), self._last_timestamp)
        for event in events:
            envelope = event.get("envelope")
            if isinstance(envelope, dict) and "serverDeliveredTimestamp" in envelope:
                envelope["serverDeliveredTimestamp"] = now
            item = (event, sse_event(event))
            for client in self._clients:
                client.queue.append(item)
        for client in self._clients:
            client.wake.set()

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        client = Client(response, request.transport)
        self._clients.append(client)
        self.most_connected = max(self.most_connected, len(self._clients))
        if len(self._clients) == 1 and self._pending:
            pending = list(self._pending)
            self._pending.clear()
            self._hand_out(pending)
        self._signal()
        try:
            await self._feed(client)
        except ConnectionError:
            pass
        finally:
            self._detach(client)
        return response

    async def _feed(self, client: Client) -> None:
        """Writes the client's events as they come and a keep-alive every `keepalive` seconds
        (whether or not events were written meanwhile, as signal-cli does)."""
        loop = asyncio.get_running_loop()
        keepalive_at = loop.time() + self.keepalive
        while not client.closed:
            if loop.time() >= keepalive_at:
                await client.response.write(KEEPALIVE)
                keepalive_at += self.keepalive
                continue
            if not client.queue:
                client.wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout_at(keepalive_at):
                        await client.wake.wait()
                continue
            batch = list(client.queue)
            await client.response.write(b"".join(payload for _, payload in batch))
            if client.closed:
                return
            for _ in batch:
                client.queue.popleft()
            moment = time.monotonic()
            self._written.extend((moment, event) for event, _ in batch)

    def _detach(self, client: Client) -> None:
        """Ends a stream; if no other stream is open, its unwritten events wait for the next."""
        if client.closed:
            return
        client.closed = True
        client.wake.set()
        self._clients.remove(client)
        if not self._clients:
            self._pending.extendleft(reversed([event for event, _ in client.queue]))
        client.queue.clear()
        if client.transport is not None:
            client.transport.close()
        self._signal()

    def _written_since(self, seconds: float) -> list[JSON]:
        """Events written to a stream in the last `seconds`, each once, oldest first."""
        cutoff = time.monotonic() - seconds
        seen: dict[int, JSON] = {}
        for moment, event in self._written:
            if moment >= cutoff:
                seen.setdefault(id(event), event)
        return list(seen.values())
