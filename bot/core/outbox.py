"""Delivering outbox messages: sent after commit, marked sent only once the channel accepted.

Rows are delivered per chat in id order (a chat never sees them reordered); chats proceed
concurrently, each waiting its turn at the throttle (Telegram's rate limits). A transient
failure stops that chat for this round and schedules a retry; a permanent one marks the row
failed and hands it to ``on_undeliverable`` (re-routing, a group's new id).

Rows have a priority: news (``Priority.LOW``) is taken only when nothing else is due, a
small batch at a time, so an alert queued behind a large fan-out waits for one batch at most.
A news row may thus be overtaken by a later message to the same chat; nothing else is.

A message with personal data goes out only if its chat may see it at that moment (checked
here, just before sending, not only when it was queued). Once sent, its row keeps the chat and
message id, not its text: the record of the copy, so it can be erased later. An ``erase`` row
blanks such a copy in its chat, or deletes it where the channel refuses the edit.

Several workers (processes, each with its ``worker_id``) share one outbox on PostgreSQL. A
round takes the due rows ``FOR UPDATE`` and, in the same transaction, leases their chats
(table ``outbox_leases``: a keyed hash of the chat, the worker, an expiry ``LEASE`` on): a
chat with a live lease of another worker is passed over, its rows wait for that worker (each
row carries its chat's key, ``Outbox.chat_key``, so they are left out in SQL, not read; the
worker looks again when that lease ends). So every row goes out once and a chat's rows in
order, while workers deliver other chats side by side. The rows are locked waiting, not
``SKIP LOCKED``: passing over the rows of a claim under way (its leases not committed yet), a
worker could see a chat's later rows without its first and lease the chat before that claim
does. Claims thus queue for each other, a few milliseconds each; sending, the slow part, is shared.
While a round runs, its worker renews the leases every third of ``LEASE`` (however long a
send or the throttle takes); it sends to a chat only while its lease is renewed in time and not
taken over, and gives the round's chats back when the round ends. A worker
that dies gives nothing back: its chats come free when their leases expire (SQLite's one
process, started again, takes them back at once: ``alone``), and the rows it had
not marked sent go out from another worker (one it sent but had not marked yet goes out again).
A handler's reply (``deliver_now``) is queued due only ``REPLY_LEASE`` later, so no dispatcher
takes it meanwhile; the handler takes it only while it is not due, pushing it ``REPLY_LEASE``
on: a reply is sent by the handler or, after a crash or a failed send, by one dispatcher.
Leases compare the workers' clocks: keep them in sync (NTP). SQLite has one process: the same
statements run there (without row locks), the one worker always gets its chats.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Protocol

from bot.core import messages
from bot.core.clock import utcnow

if TYPE_CHECKING:
    from storage.models import Outbox
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

_MAX_BACKOFF = timedelta(minutes=30)
_CONTENDED = timedelta(seconds=1)  # every due chat is another worker's: look again after this
Buttons = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)


class OutboxKind(StrEnum):
    """What an outbox message is (``Outbox.kind``)."""

    ALERT = "alert"  # a new signal, to a staff chat
    ALERT_EDIT = "alert_edit"  # an alert brought up to date
    ASSIGNED = "assigned"  # the card, to the person it was assigned to
    ANSWER = "answer"  # a signaler's answer, to the staff member who asked
    REPLY = "reply"  # a reply with personal data to the acting staff member
    QUESTION = "question"  # a staff question, relayed to the signaler
    FEEDBACK = "feedback"  # to the signaler: their signal was picked up, or closed
    SUGGESTION = "suggestion"  # to a self-reporter or volunteer: an activity from the kaart
    REMINDER = "reminder"  # no status recorded yet, or an escalation
    NOTICE = "notice"  # to backup contacts: no staff chat can be reached
    ERASE = "erase"  # blanks (or deletes) a copy sent before
    NEWS = "news"  # a gemeente's news, to a person who opted in (``bot.core.news``)


class Priority(IntEnum):
    """Which due rows go first (``Outbox.priority``): the lower, the sooner."""

    NORMAL = 0
    LOW = 1  # news: only when nothing else is due


# Messages that show personal data: they go only to chats that may see their signal.
PERSONAL_KINDS = frozenset({OutboxKind.ALERT, OutboxKind.ALERT_EDIT, OutboxKind.ASSIGNED,
                            OutboxKind.ANSWER, OutboxKind.REPLY})
# Messages that leave a copy with personal data in a chat, to be erased with their signal.
COPY_KINDS = frozenset({OutboxKind.ALERT, OutboxKind.ASSIGNED, OutboxKind.ANSWER,
                        OutboxKind.REPLY, OutboxKind.QUESTION})
# Messages to signalers: their chat is stored encrypted, and forgotten once delivered (but
# for a question, which is erased in their chat with its signal).
SIGNALER_KINDS = frozenset({OutboxKind.FEEDBACK, OutboxKind.QUESTION,
                            OutboxKind.SUGGESTION})
# Messages to signalers whose chat is kept once delivered, so the copy can be erased later
# (a question with its signal; news on request, or when the person is forgotten).
KEPT_RECIPIENT = frozenset({OutboxKind.QUESTION, OutboxKind.NEWS})
# A reply sent at once by the handler waits this long before the dispatcher takes it over
# (after a crash or a failed send): a lost reply still comes.
REPLY_LEASE = timedelta(seconds=30)
# How long a worker holds a chat it delivers to; renewed every third of it while it works.
LEASE = timedelta(seconds=60)
# A chat handed back is taken by another worker no sooner than this after: a channel's spacing
# per chat (Telegram: one message a second) holds across workers, not only within one.
HANDOVER = timedelta(seconds=1.1)


class Failure(StrEnum):
    """Why a send failed, as far as the channel tells."""

    RETRY = "retry"  # network, 5xx, flood limit: try again later
    UNKNOWN = "unknown"  # a refusal not known to be final: try once more
    BLOCKED = "blocked"  # the chat cannot be reached (blocked, removed, deleted)
    GONE = "gone"  # the message to edit or delete is not there any more
    REFUSED = "refused"  # the channel will not change this message any more (too old)
    INVALID = "invalid"  # the message itself is wrong; sending it again will not help
    MIGRATED = "migrated"  # the group lives on under ``new_chat_id``


class DeliveryError(Exception):
    """A send failed; ``retry_after`` in seconds, ``new_chat_id`` for a migrated group."""

    def __init__(self, reason: str, failure: Failure = Failure.RETRY, *,
                 retry_after: float | None = None, new_chat_id: int | None = None) -> None:
        super().__init__(reason)
        self.failure = failure
        self.retry_after = retry_after
        self.new_chat_id = new_chat_id


@dataclass(frozen=True)
class Outgoing:
    """One message to deliver, or (``edit_message_id``) an edit or deletion of one sent.

    ``chat_id`` is the chat on the message's channel (on Telegram a number). ``erase``: the
    edit blanks a copy with personal data; a channel whose edits keep the old text visible
    deletes the message instead.
    """

    chat_id: int | str
    text: str
    buttons: Buttons = ()
    edit_message_id: int | None = None
    delete: bool = False
    erase: bool = False


class Sender(Protocol):
    """A channel that can deliver HTML-safe text with buttons (rendered its own way)."""

    async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
        """Deliver; return the channel's message id. Raises ``DeliveryError``.

        An edit returns the id of the message that now shows the text: the same, or a new
        one where the channel replaced the message (the record of the copy follows it).

        ``bulk`` messages wait their turn in the rate limits; others (a reply to a person
        waiting for it) go first.
        """


class Throttle(Protocol):
    """Rate limits for bulk delivery."""

    async def wait_turn(self, chat_id: int | str) -> None:
        """Return when a message to ``chat_id`` may be sent."""


Undeliverable = Callable[["UnitOfWork", "Outbox", DeliveryError], Awaitable[None]]


def as_buttons(rows: Sequence[Sequence[Sequence[str]]] | None) -> Buttons:
    """Buttons as stored in JSON -> the ``Outgoing`` shape."""
    return tuple(tuple((label, data) for label, data in row) for row in rows or ())


class Dispatcher:
    """Drains the outbox: call ``kick()`` after a commit; ``run()`` loops until cancelled.

    Each row goes to the sender of its channel (``senders``), waiting on that channel's
    throttle (``throttles``); rows of other channels are left to the process that has theirs.
    ``worker_id`` names this dispatcher in the chats' leases, which last ``lease``; ``alone``:
    the only process on its database (SQLite), so any other worker's leases are of a process
    that is gone (killed, say): it takes those chats back when it starts.
    """

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        senders: Mapping[str, Sender],
        *,
        throttles: Mapping[str, Throttle] | None = None,
        on_undeliverable: Undeliverable | None = None,
        worker_id: str,
        alone: bool = False,
        lease: timedelta = LEASE,
        poll_seconds: float = 30.0,
        batch: int = 1000,
        low_batch: int = 25,
    ) -> None:
        self._uow = uow
        self.worker_id = worker_id
        self._alone = alone
        self._lease = lease
        self._held: set[tuple[str, int | str]] = set()  # the chats leased this round
        self._valid_until = 0.0  # when (monotonic) the held leases may have expired
        self._senders = dict(senders)
        self._throttles = dict(throttles or {})
        self.on_undeliverable = on_undeliverable
        self._channels = list(self._senders)
        self._poll = poll_seconds
        self._batch = batch
        self._low_batch = low_batch
        self._wake = asyncio.Event()
        self._stopping = False
        self._blocked: set[int] = set()  # chats with a block record, as of this round
        self._next_due: tuple[datetime | None] | None = None  # (earliest due), if drain ran dry
        self._failures = asyncio.Lock()
        self.idle = asyncio.Event()  # set while the loop sleeps with nothing due

    def kick(self) -> None:
        """Wake the loop: there is something new to send."""
        self.idle.clear()
        self._wake.set()

    def stop(self) -> None:
        """Let ``run`` finish: the message being sent is completed and recorded, then it ends."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Deliver due messages until stopped; sleeps until kicked or the next retry is due."""
        self._stopping = False
        taken_back = not self._alone
        while not self._stopping:
            try:
                if not taken_back:
                    async with self._uow() as uow:
                        await uow.outbox.forget_leases(except_worker=self.worker_id)
                        await uow.commit()
                    taken_back = True
                await self.drain()
                delay = await self._seconds_until_next()
            except Exception:  # the loop must survive a database hiccup
                log.exception("outbox dispatcher failed; retrying")
                delay = self._poll
            if not self._wake.is_set() and delay >= 1.0:
                self.idle.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def drain(self) -> int:
        """Send everything that is due now; returns how many were delivered."""
        delivered = 0
        while not self._stopping:
            self._wake.clear()
            self._next_due = None
            per_chat: dict[tuple[str, int | str], list[Outbox]] = {}
            async with self._uow() as uow:
                now, started = utcnow(), time.monotonic()
                due = await uow.outbox.list_due(
                    now=now, channels=self._channels, worker=self.worker_id, limit=self._batch,
                    priority=Priority.NORMAL, lock=True)
                if not due:  # low-priority rows only when the earliest due row is one of them
                    earliest = await uow.outbox.next_due_at(
                        channels=self._channels, worker=self.worker_id, now=now)
                    self._next_due = (earliest,)
                    if earliest is not None and earliest <= now:
                        due = await uow.outbox.list_due(
                            now=now, channels=self._channels, worker=self.worker_id,
                            limit=self._low_batch, priority=Priority.LOW, lock=True)
                for row in due:
                    per_chat.setdefault((row.channel, row.target), []).append(row)
                if per_chat:  # the rows stay locked until their chats are leased
                    self._held = await uow.outbox.lease(per_chat, worker=self.worker_id,
                                                        now=now, until=now + self._lease)
                    self._valid_until = started + self._lease.total_seconds()
                    self._blocked = await uow.blocks.all()
                    await uow.commit()
            if not due:
                return delivered
            if not self._held:  # every chat is another worker's now: look again in a while
                self._next_due = (now + _CONTENDED,)
                return delivered
            keeper = asyncio.create_task(self._keep_leases())
            try:
                counts = await asyncio.gather(*(self._deliver_chat(rows)
                                                for chat, rows in per_chat.items()
                                                if chat in self._held))
            finally:
                keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeper
                await self._release()
            delivered += sum(counts)
            if not any(counts):
                break
        return delivered

    async def deliver_now(self, outbox_id: int) -> None:
        """Send one queued reply at once, ahead of bulk; on failure the dispatcher retries it.

        Only a reply no dispatcher may have taken yet (``REPLY_LEASE`` has not passed); it
        is then due for dispatchers only ``REPLY_LEASE`` after this send began.
        """
        async with self._uow() as uow:
            now = utcnow()
            row = await uow.outbox.take_now(outbox_id=outbox_id, channels=self._channels,
                                            now=now, until=now + REPLY_LEASE)
            await uow.commit()
        if row is not None:
            await self._deliver(row, bulk=False)

    async def _deliver_chat(self, rows: list[Outbox]) -> int:
        """One chat's due rows, in order; stops at the first that cannot go now."""
        delivered = 0
        for row in rows:
            if self._stopping:
                return delivered
            outcome = await self._deliver(row, bulk=True)
            if outcome is None:
                return delivered
            delivered += outcome
        return delivered

    async def _keep_leases(self) -> None:
        """Renew the round's leases every third of ``LEASE``, for as long as it runs."""
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            started = time.monotonic()
            try:
                async with self._uow() as uow:
                    self._held = await uow.outbox.renew(self._held, worker=self.worker_id,
                                                        until=utcnow() + self._lease)
                    await uow.commit()
            except Exception:  # the leases run out unless a later try succeeds
                log.warning("outbox leases not renewed; trying again", exc_info=True)
                continue
            self._valid_until = started + self._lease.total_seconds()

    def _holds(self, row: Outbox) -> bool:
        """Whether this worker still leases the row's chat (renewed in time, not taken over)."""
        return ((row.channel, row.target) in self._held
                and time.monotonic() < self._valid_until)

    async def _release(self) -> None:
        """Let other workers have this round's chats, ``HANDOVER`` from now.

        In a transaction of its own: leases are locked in one order only (by key), so two
        workers never deadlock on them.
        """
        held, self._held = self._held, set()
        now = utcnow()
        async with self._uow() as uow:
            await uow.outbox.release(held, worker=self.worker_id, until=now + HANDOVER, now=now)
            await uow.commit()

    async def _deliver(self, row: Outbox, *, bulk: bool) -> bool | None:
        """Send one row: True when delivered, False when given up, None when not now."""
        outgoing = await self._outgoing(row)
        if outgoing is None:
            return None if row.failed_at is None else False
        throttle = self._throttles.get(row.channel) if bulk else None
        if throttle is not None:
            await throttle.wait_turn(outgoing.chat_id)
        if bulk and not self._holds(row):  # its chat may be another worker's by now
            return None
        try:
            message_id = await self._send(row, outgoing, bulk=bulk)
        except DeliveryError as error:
            return await self._failed(row, error)
        await self._sent(row, message_id, replaced=outgoing.edit_message_id)
        return True

    async def _send(self, row: Outbox, outgoing: Outgoing, *, bulk: bool) -> int | None:
        """Send; an erasure the channel will not edit deletes the copy instead."""
        sender = self._senders[row.channel]
        try:
            return await sender.send(outgoing, bulk=bulk)
        except DeliveryError as error:
            if row.kind != OutboxKind.ERASE:
                raise
            if error.failure is Failure.GONE:  # deleted in the chat: nothing left to erase
                return outgoing.edit_message_id
            if error.failure is not Failure.REFUSED or outgoing.delete:
                raise
        return await sender.send(
            Outgoing(outgoing.chat_id, "", edit_message_id=outgoing.edit_message_id,
                     delete=True), bulk=bulk)

    async def _outgoing(self, row: Outbox) -> Outgoing | None:
        """The message for a row, if it may go now.

        None while an edit's original is not delivered yet, or (the row is then marked
        failed) when it may not go at all: its chat may not see the signal any more, or the
        message it edits is gone.
        """
        personal = row.kind in PERSONAL_KINDS and row.signal_id is not None
        if not personal and row.edit_of is None:
            return Outgoing(row.target, row.text, as_buttons(row.buttons))
        async with self._uow() as uow:
            problem = None
            if personal and not await uow.outbox.recipient_may_see(row):
                problem = "the chat may not see this signal (any more)"
            original = await uow.outbox.get(outbox_id=row.edit_of) if row.edit_of else None
            if row.edit_of is not None and problem is None:
                if original is None or (original.message_id is None
                                        and original.failed_at is not None):
                    problem = "original not delivered"
                elif original.message_id is None:
                    return None
                elif row.kind != OutboxKind.ERASE and original.erased_at is not None:
                    problem = "the copy was erased"
        if problem is not None:
            async with self._failures, self._uow() as uow:
                await uow.outbox.mark_failed(outbox_id=row.id, error=problem, permanent=True)
                if row.kind == OutboxKind.ALERT and self.on_undeliverable is not None:
                    await self.on_undeliverable(uow, row, DeliveryError(problem, Failure.BLOCKED))
                await uow.commit()
            row.failed_at = utcnow()
            self.kick()  # re-routed copies are due now
            return None
        edit = original.message_id if original is not None else None
        return Outgoing(row.target, row.text, as_buttons(row.buttons), edit,
                        erase=row.kind == OutboxKind.ERASE)

    async def _sent(self, row: Outbox, message_id: int | None, *, replaced: int | None) -> None:
        """Record a delivery; an edit the channel made as a new message moves the copy."""
        async with self._uow() as uow:
            live = await uow.outbox.mark_sent(outbox_id=row.id, message_id=message_id,
                                              keep_recipient=row.kind in KEPT_RECIPIENT)
            if (row.edit_of is not None and row.kind != OutboxKind.ERASE
                    and message_id is not None and replaced not in (None, message_id)):
                await uow.outbox.moved(outbox_id=row.edit_of, message_id=message_id)
            if row.kind == OutboxKind.ERASE and row.recipient is not None:  # nothing left there
                await uow.outbox.forget_recipient(outbox_id=row.edit_of or 0)
            if row.chat_id in self._blocked:
                await uow.blocks.unblock(chat_id=row.chat_id)
                self._blocked.discard(row.chat_id)
            if not live and row.kind in COPY_KINDS:  # erased while it was on its way
                await uow.outbox.add(kind=OutboxKind.ERASE, text=messages.COPY_WITHDRAWN,
                                     chat_id=row.chat_id, address=row.address,
                                     recipient=row.recipient,
                                     signal_id=row.signal_id, edit_of=row.id,
                                     channel=row.channel)
                self.kick()
            await uow.commit()

    async def _failed(self, row: Outbox, error: DeliveryError) -> bool | None:
        """Record a failure; False when the row is given up, None when it is retried."""
        retry: timedelta | None = None
        if error.failure is Failure.RETRY or (error.failure is Failure.UNKNOWN
                                              and not row.attempts):
            backoff = timedelta(seconds=2 ** min(row.attempts, 11))
            retry = (timedelta(seconds=error.retry_after) if error.retry_after is not None
                     else min(backoff, _MAX_BACKOFF))
        elif error.failure is Failure.MIGRATED:
            retry = timedelta(0)  # to the group's new id, now
        log.warning("outbox %d (%s) not delivered: %s", row.id, row.kind, error)
        async with self._failures, self._uow() as uow:  # re-routes one at a time (deadlocks)
            await uow.outbox.mark_failed(
                outbox_id=row.id, error=str(error), permanent=retry is None,
                retry_at=utcnow() + retry if retry is not None else None)
            if (retry is None or error.failure is Failure.MIGRATED) and (
                    self.on_undeliverable is not None):
                await self.on_undeliverable(uow, row, error)
            await uow.commit()
        if retry is None or error.failure is Failure.MIGRATED:
            self.kick()  # re-routed copies, or the group's new id, are due now
        return None if retry is not None else False

    async def _seconds_until_next(self) -> float:
        """Until the earliest unsent row is due: as ``drain`` found it when it ran dry."""
        if self._next_due is not None:
            (due,) = self._next_due
        else:
            async with self._uow() as uow:
                due = await uow.outbox.next_due_at(channels=self._channels,
                                                   worker=self.worker_id, now=utcnow())
        if due is None:
            return self._poll
        return max(0.05, min(self._poll, (due - utcnow()).total_seconds()))
