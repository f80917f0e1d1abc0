"""Delivering outbox messages: sent after commit, marked sent only once the channel accepted.

Rows are delivered per chat in id order (a chat never sees them reordered); chats proceed
concurrently, each waiting its turn at the throttle (Telegram's rate limits). A transient
failure stops that chat for this round and schedules a retry; a permanent one (the bot was
blocked) marks the row failed and hands it to ``on_undeliverable`` to re-route.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from storage.models import Outbox, utcnow
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

_MAX_BACKOFF = timedelta(minutes=30)
Buttons = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)
# Messages to signalers: once delivered, their text and chat id (who reported) are forgotten.
SIGNALER_KINDS = frozenset({"feedback", "question"})


class DeliveryError(Exception):
    """A send failed. ``permanent``: retrying will not help; ``retry_after`` in seconds."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class Outgoing:
    """One message to deliver, or (``edit_message_id``) an edit of one delivered before."""

    chat_id: int
    text: str
    buttons: Buttons = ()
    edit_message_id: int | None = None


class Sender(Protocol):
    """A channel that can deliver HTML-safe text with buttons."""

    async def send(self, message: Outgoing) -> int | None:
        """Deliver; return the channel's message id. Raises ``DeliveryError``."""


class Throttle(Protocol):
    """Rate limits for bulk delivery."""

    async def wait_turn(self, chat_id: int) -> None:
        """Return when a message to ``chat_id`` may be sent."""


Undeliverable = Callable[[UnitOfWork, Outbox], Awaitable[None]]


def as_buttons(rows: Sequence[Sequence[Sequence[str]]] | None) -> Buttons:
    """Buttons as stored in JSON -> the ``Outgoing`` shape."""
    return tuple(tuple((label, data) for label, data in row) for row in rows or ())


class Dispatcher:
    """Drains the outbox: call ``kick()`` after a commit; ``run()`` loops until cancelled."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        sender: Sender,
        *,
        throttle: Throttle | None = None,
        on_undeliverable: Undeliverable | None = None,
        channels: Sequence[str] | None = None,
        poll_seconds: float = 30.0,
        batch: int = 1000,
    ) -> None:
        self._uow = uow
        self._sender = sender
        self._throttle = throttle
        self._on_undeliverable = on_undeliverable
        self._channels = channels
        self._poll = poll_seconds
        self._batch = batch
        self._wake = asyncio.Event()
        self._stopping = False

    def kick(self) -> None:
        """Wake the loop: there is something new to send."""
        self._wake.set()

    def stop(self) -> None:
        """Let ``run`` finish: the message being sent is completed and recorded, then it ends."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Deliver due messages until stopped; sleeps until kicked or the next retry is due."""
        self._stopping = False
        while not self._stopping:
            try:
                await self.drain()
                delay = await self._seconds_until_next()
            except Exception:  # the loop must survive a database hiccup
                log.exception("outbox dispatcher failed; retrying")
                delay = self._poll
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def drain(self) -> int:
        """Send everything that is due now; returns how many were delivered."""
        delivered = 0
        while not self._stopping:
            self._wake.clear()
            async with self._uow() as uow:
                due = await uow.outbox.list_due(now=utcnow(), channels=self._channels,
                                                limit=self._batch)
            if not due:
                return delivered
            per_chat: dict[tuple[str, int], list[Outbox]] = {}
            for row in due:
                per_chat.setdefault((row.channel, row.chat_id), []).append(row)
            counts = await asyncio.gather(*(self._deliver_chat(rows) for rows in per_chat.values()))
            delivered += sum(counts)
            if not any(counts):
                break
        return delivered

    async def _deliver_chat(self, rows: list[Outbox]) -> int:
        """One chat's due rows, in order; stops at the first that cannot go now."""
        delivered = 0
        for row in rows:
            if self._stopping:
                return delivered
            outgoing = await self._outgoing(row)
            if outgoing is None:
                return delivered
            if self._throttle is not None:
                await self._throttle.wait_turn(row.chat_id)
            try:
                message_id = await self._sender.send(outgoing)
            except DeliveryError as error:
                await self._failed(row, error)
                if not error.permanent:
                    return delivered
                continue
            async with self._uow() as uow:
                await uow.outbox.mark_sent(outbox_id=row.id, message_id=message_id,
                                           erase=row.kind in SIGNALER_KINDS)
                await uow.commit()
            delivered += 1
        return delivered

    async def _outgoing(self, row: Outbox) -> Outgoing | None:
        """The message for a row; None while an edit's original is not delivered yet."""
        edit_message_id = None
        if row.edit_of is not None:
            async with self._uow() as uow:
                original = await uow.outbox.get(outbox_id=row.edit_of)
                if original is None or original.failed_at is not None:
                    await uow.outbox.mark_failed(outbox_id=row.id, error="original not delivered",
                                                 permanent=True)
                    await uow.commit()
                    return None
            if original.message_id is None:
                return None
            edit_message_id = original.message_id
        return Outgoing(row.chat_id, row.text, as_buttons(row.buttons), edit_message_id)

    async def _failed(self, row: Outbox, error: DeliveryError) -> None:
        if error.permanent:
            retry = None
        elif error.retry_after is not None:
            retry = timedelta(seconds=error.retry_after)
        else:
            retry = min(timedelta(seconds=2 ** min(row.attempts, 11)), _MAX_BACKOFF)
        log.warning("outbox %d (%s) not delivered: %s", row.id, row.kind, error)
        async with self._uow() as uow:
            await uow.outbox.mark_failed(
                outbox_id=row.id, error=str(error), permanent=error.permanent,
                retry_at=utcnow() + retry if retry is not None else None)
            if error.permanent and self._on_undeliverable is not None:
                await self._on_undeliverable(uow, row)
            await uow.commit()
        if error.permanent:
            self.kick()  # re-routed copies are due now

    async def _seconds_until_next(self) -> float:
        async with self._uow() as uow:
            due = await uow.outbox.next_due_at(channels=self._channels)
        if due is None:
            return self._poll
        return max(0.05, min(self._poll, (due - utcnow()).total_seconds()))
