"""Telegram's sending limits, with the conversation before the fan-out.

Telegram allows a bot about 30 messages a second overall, one a second per chat and 20 a
minute per group; we stay at 28 a second, as requests can bunch on their way. Bulk messages
from the outbox wait their turn (``wait_turn``): evenly spaced, at most a share of the
overall budget, and only while the conversation leaves room.
Replies in a conversation pass straight through; they wait only in the rare second in which
they alone would exceed the overall cap, and then for the next free slot (milliseconds, as
bulk is spread out). A 429 from Telegram pauses sending for ``retry_after``; a reply that
meets a 429 waits and is retried.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

BULK = "bulk"  # rate_limit_args of outbox sends
COUNTED = frozenset({
    "sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto", "sendDocument",
    "copyMessage", "forwardMessage", "sendMediaGroup",
})


def _seconds(retry_after: float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


class PriorityRateLimiter(BaseRateLimiter[str]):
    """Keeps the bot within Telegram's limits; conversation replies never queue behind bulk."""

    def __init__(self, *, per_second: float = 28, chat_interval: float = 1.1,
                 group_per_minute: int = 20, reply_reserve: float = 0.2,
                 max_retries: int = 2, clock: Callable[[], float] = time.monotonic) -> None:
        self._bulk_per_second = max(1, int(per_second * (1 - reply_reserve)))
        self._bulk_spacing = 1.0 / self._bulk_per_second
        self._bulk_next = 0.0
        self._per_second = per_second
        self._chat_interval = chat_interval
        self._group_per_minute = group_per_minute
        self._max_retries = max_retries
        self._clock = clock
        self._recent: deque[float] = deque()  # every counted send in the last second
        self._chat_next: dict[int, float] = {}
        self._group_recent: dict[int, deque[float]] = {}
        self._paused_until = 0.0
        self._global = asyncio.Lock()

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
                while (wait := self._overall_delay(self._per_second)) > 0:
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
        while (wait := self._chat_next.get(chat_id, 0.0) - self._clock()) > 0:
            await asyncio.sleep(wait)
        async with self._global:
            while (wait := self._delay(chat_id)) > 0:
                await asyncio.sleep(wait)
            now = self._clock()
            self._recent.append(now)
            self._bulk_next = now + self._bulk_spacing
            self._chat_next[chat_id] = now + self._chat_interval
            if chat_id < 0:
                self._group_recent.setdefault(chat_id, deque()).append(now)
            self._forget(now)

    def _overall_delay(self, cap: int | float) -> float:
        """Seconds until fewer than ``cap`` sends lie in the last second (and no 429 pause)."""
        now = self._clock()
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        wait = self._paused_until - now
        if len(self._recent) >= cap:
            wait = max(wait, self._recent[-int(cap)] + 1.0 - now)
        return wait

    def _delay(self, chat_id: int) -> float:
        """Seconds until the overall, spacing, per-chat and per-group budgets allow bulk."""
        now = self._clock()
        waits = [self._overall_delay(self._bulk_per_second), self._bulk_next - now,
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
