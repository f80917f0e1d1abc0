"""signal-cli's event stream (``GET /api/v1/events``): Server-Sent Events, reconnected.

Each ``receive`` event carries one JSON object (``{"envelope": ..., "account": ...}``) on a
``data:`` line; a comment line (``:``) keeps the connection alive every 15 seconds. The stream
has no ids to resume from: an event is delivered to the clients connected at that moment.
Run the daemon with ``--receive-mode on-connection``, so that while no client is connected
messages wait on Signal's server instead of being fetched for nobody.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

# Three keep-alives missed: the connection is dead even if no socket says so.
READ_TIMEOUT = 45.0
FIRST_DELAY = 0.5
MAX_DELAY = 30.0


class EventStream:
    """The daemon's events, one JSON object each, across reconnects (backoff with jitter)."""

    def __init__(self, events_url: str, *, read_timeout: float = READ_TIMEOUT,
                 max_delay: float = MAX_DELAY) -> None:
        self.events_url = events_url
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=10,
                                              sock_read=read_timeout)
        self.max_delay = max_delay  # the longest wait between reconnects (seconds)
        self.connected = asyncio.Event()  # set while a stream is open
        self.connections = 0  # streams opened so far

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        """Yield every ``receive`` event's object; reconnects until cancelled."""
        failures = 0
        async with aiohttp.ClientSession(timeout=self._timeout) as session:
            while True:
                try:
                    async for event in self._one_connection(session):
                        failures = 0
                        yield event
                    problem = "the stream ended"
                except (aiohttp.ClientError, TimeoutError) as error:
                    problem = str(error) or type(error).__name__
                finally:
                    self.connected.clear()
                failures += 1
                delay = random.uniform(0, min(self.max_delay, FIRST_DELAY * 2 ** failures))
                log_at = logging.WARNING if failures in (1, 10) else logging.DEBUG
                log.log(log_at, "Signal event stream lost (%s); reconnecting in %.1f s",
                        problem, delay)
                await asyncio.sleep(delay)

    async def _one_connection(self, session: aiohttp.ClientSession
                              ) -> AsyncIterator[dict[str, Any]]:
        async with session.get(self.events_url,
                               headers={"Accept": "text/event-stream"}) as response:
            if response.status != 200:
                raise aiohttp.ClientResponseError(response.request_info, (),
                                                  status=response.status,
                                                  message="event stream refused")
            self.connections += 1
            self.connected.set()
            log.info("Signal event stream connected")
            name, data = "message", []
            async for raw in response.content:
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                if not line:  # the end of an event
                    if name == "receive" and data:
                        event = _parse("\n".join(data))
                        if event is not None:
                            yield event
                    name, data = "message", []
                elif line.startswith(":"):
                    continue  # keep-alive
                else:
                    field, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if field == "event":
                        name = value
                    elif field == "data":
                        data.append(value)


def _parse(text: str) -> dict[str, Any] | None:
    try:
        event = json.loads(text)
    except ValueError:
        log.warning("Signal event that is no JSON skipped")
        return None
    return event if isinstance(event, dict) else None
