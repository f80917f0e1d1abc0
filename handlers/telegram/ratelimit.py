"""Telegram's sending limits, with the conversation before the fan-out.

Telegram allows a bot about 30 messages a second overall, one a second per chat and 20 a
minute per group; we stay at 28 a second, as requests can bunch on their way. Bulk messages
from the outbox wait their turn (``wait_turn``): evenly spaced, at most a share of the
overall budget, and only while the conversation leaves room.
Replies in a conversation pass straight through; they wait only in the rare second in which
they alone would exceed the overall cap, and then for the next free slot (milliseconds, as
bulk is spread out). A 429 from Telegram pauses sending for ``retry_after``; a reply that
meets a 429 waits and is retried.

The limits are the bot's, not a worker's. With several workers on one PostgreSQL database
(``share``, with ``storage.workers.WorkerRegistry`` as the ``Peers``):

- overall: each worker keeps ``messages_per_second / live workers`` (rounded down, at least
  one), counted over 1.1 s while it has company (a tenth spare, as the requests of several
  bunch more on their way), so the sum stays under the cap (up to 28 workers) with no
  statement on the hot path; the workers are counted by heartbeat every 2 s, a dead one's
  share returns to the others within 6 s, and a worker that joins others sends no bulk
  until they have counted it;
- groups: a group's turn is taken in the database (one statement) just before the worker
  sends: free while the group's last message, whoever sent it, is 1.1 s old and fewer than
  20 went in the last 61 s (a second spare); a turn not free, the worker lets its other
  bulk go and asks again once it may be;
- private chats: a person's updates are handled by one worker at a time, and a chat's outbox
  rows are sent by one worker at a time, so the per-chat spacing kept in each worker holds.

A 429 pauses the worker that got it. On SQLite (one process) the limiter keeps all limits
in memory, with no statement at all.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

BULK = "bulk"  # rate_limit_args of outbox sends
SHARED_GROUP_WINDOW = 61.0  # a group's minute, with a second spare for the workers' skew
COUNTED = frozenset({
    "sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto", "sendDocument",
    "copyMessage", "forwardMessage", "sendMediaGroup",
})


class Peers(Protocol):
    """The workers that share the bot's limits (``storage.workers.WorkerRegistry``)."""

    live: int  # the live workers, this one included

    async def settled(self) -> None:
        """Return once the other workers count this one."""

    async def take_turn(self, chat_id: int, *, spacing: float, most: int, window: float
                        ) -> float:
        """Take a group's turn for all workers if free: 0; else seconds until it may be."""


def _seconds(retry_after: float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


class PriorityRateLimiter(BaseRateLimiter[str]):
    """Keeps the bot within Telegram's limits; conversation replies never queue behind bulk."""

    def __init__(self, *, per_second: float = 28, chat_interval: float = 1.1,
                 group_per_minute: int = 20, reply_reserve: float = 0.2,
                 max_retries: int = 2, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_second = per_second
        self._reserve = reply_reserve
        self._bulk_next = 0.0
        self._chat_interval = chat_interval
        self._group_per_minute = group_per_minute
        self._max_retries = max_retries
        self._clock = clock
        self._recent: deque[float] = deque()  # every counted send in the last window
        self._chat_next: dict[int, float] = {}
        self._group_recent: dict[int, deque[float]] = {}
        self._paused_until = 0.0
        self._global = asyncio.Lock()
        self._peers: Peers | None = None

    def share(self, peers: Peers) -> None:
        """Keep the limits together with the other workers in ``peers`` (see the module)."""
        self._peers = peers

    def caps(self) -> tuple[int, int]:
        """This worker's sends a second: overall, and the part of it bulk may use."""
        share = self._per_second / (self._peers.live if self._peers is not None else 1)
        return max(1, int(share)), max(1, int(share * (1 - self._reserve)))

    def window(self) -> float:
        """Seconds over which the caps count: one alone, 1.1 while others send too."""
        return 1.0 if self._peers is None or self._peers.live == 1 else 1.1

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> Any:
        """Run one API call: bulk calls were admitted by ``wait_turn``; others just count."""
        for attempt in range(self._max_retries + 1):
            if rate_limit_args != BULK and endpoint in COUNTED:
                while (wait := self._overall_delay(self.caps()[0])) > 0:
                    await asyncio.sleep(wait)
                self._recent.append(self._clock())
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = _seconds(error.retry_after)
                self._paused_until = max(self._paused_until, self._clock() + wait)
                if rate_limit_args == BULK or attempt == self._max_retries:
                    raise
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def wait_turn(self, chat_id: int) -> None:
        """Wait until a bulk message to ``chat_id`` may go, and book its slot."""
        if self._peers is not None:
            await self._peers.settled()
        while (wait := self._chat_next.get(chat_id, 0.0) - self._clock()) > 0:
            await asyncio.sleep(wait)
        while True:
            async with self._global:
                while (wait := self._delay(chat_id)) > 0:
                    await asyncio.sleep(wait)
                if self._peers is not None and chat_id < 0:
                    wait = await self._peers.take_turn(
                        chat_id, spacing=self._chat_interval, most=self._group_per_minute,
                        window=SHARED_GROUP_WINDOW)
                if wait <= 0:
                    self._book(chat_id)
                    return
            await asyncio.sleep(wait)  # another worker's turn in the group; other bulk goes on

    def _book(self, chat_id: int) -> None:
        """Count a bulk send that goes now."""
        now = self._clock()
        self._recent.append(now)
        self._bulk_next = now + 1.0 / self.caps()[1]
        self._chat_next[chat_id] = now + self._chat_interval
        if chat_id < 0 and self._peers is None:  # else its turn was taken in the database
            self._group_recent.setdefault(chat_id, deque()).append(now)
        self._forget(now)

    def _overall_delay(self, cap: int) -> float:
        """Seconds until fewer than ``cap`` sends lie in the last window (and no 429 pause)."""
        now = self._clock()
        window = self.window()
        while self._recent and self._recent[0] <= now - window:
            self._recent.popleft()
        wait = self._paused_until - now
        if len(self._recent) >= cap:
            wait = max(wait, self._recent[-cap] + window - now)
        return wait

    def _delay(self, chat_id: int) -> float:
        """Seconds until the overall, spacing, per-chat and per-group budgets allow bulk."""
        now = self._clock()
        waits = [self._overall_delay(self.caps()[1]), self._bulk_next - now,
                 self._chat_next.get(chat_id, 0.0) - now]
        group = self._group_recent.get(chat_id)
        if group is not None:
            while group and group[0] <= now - 60.0:
                group.popleft()
            if len(group) >= self._group_per_minute:
                waits.append(group[0] + 60.0 - now)
        return max(waits)

    def _forget(self, now: float) -> None:
        """Drop per-chat bookkeeping that no longer limits anything (bounded memory)."""
        if len(self._chat_next) > 10_000:
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
            self._group_recent = {c: q for c, q in self._group_recent.items()
                                  if q and q[-1] > now - 60.0}
