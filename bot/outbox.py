"""Delivering outbox messages: sent after commit, marked sent only once the channel accepted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from storage.models import utcnow
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

_MAX_BACKOFF = timedelta(minutes=30)
_PERMANENT_RETRY = timedelta(hours=1)


class DeliveryError(Exception):
    """A send failed. ``permanent``: retrying soon will not help; ``retry_after`` in seconds."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after


class Sender(Protocol):
    """A channel that can deliver an HTML-safe text to a chat."""

    async def send(self, chat_id: int, text: str) -> int | None:
        """Send; return the channel's message id. Raises ``DeliveryError``."""


class Dispatcher:
    """Drains the outbox: call ``kick()`` after a commit; ``run()`` loops until cancelled."""

    def __init__(
        self, uow: Callable[[], UnitOfWork], sender: Sender, *, poll_seconds: float = 30.0
    ) -> None:
        self._uow = uow
        self._sender = sender
        self._poll = poll_seconds
        self._wake = asyncio.Event()

    def kick(self) -> None:
        """Wake the loop: there is something new to send."""
        self._wake.set()

    async def run(self) -> None:
        """Deliver due messages until cancelled; sleeps until kicked or the next retry is due."""
        while True:
            try:
                await self.drain()
                delay = await self._seconds_until_next()
            except Exception:  # the loop must survive a database hiccup
                log.exception("outbox dispatcher failed; retrying")
                delay = self._poll
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            self._wake.clear()

    async def drain(self) -> int:
        """Send every message that is due now; returns how many were delivered."""
        delivered = 0
        while True:
            self._wake.clear()
            async with self._uow() as uow:
                due = await uow.outbox.list_due(now=utcnow())
            if not due:
                return delivered
            for item in due:
                delivered += await self._deliver(item.id, item.chat_id, item.text, item.attempts)

    async def _deliver(self, outbox_id: int, chat_id: int, text: str, attempts: int) -> int:
        try:
            message_id = await self._sender.send(chat_id, text)
        except DeliveryError as error:
            if error.permanent:
                retry = _PERMANENT_RETRY
            elif error.retry_after is not None:
                retry = timedelta(seconds=error.retry_after)
            else:
                retry = min(timedelta(seconds=2 ** min(attempts, 11)), _MAX_BACKOFF)
            log.warning("outbox %d not delivered (%s); next try in %s", outbox_id, error, retry)
            async with self._uow() as uow:
                await uow.outbox.mark_failed(outbox_id=outbox_id, error=str(error),
                                             retry_at=utcnow() + retry)
                await uow.commit()
            return 0
        async with self._uow() as uow:
            await uow.outbox.mark_sent(outbox_id=outbox_id, message_id=message_id)
            await uow.commit()
        return 1

    async def _seconds_until_next(self) -> float:
        async with self._uow() as uow:
            due = await uow.outbox.next_due_at()
        if due is None:
            return self._poll
        return max(0.05, min(self._poll, (due - utcnow()).total_seconds()))
