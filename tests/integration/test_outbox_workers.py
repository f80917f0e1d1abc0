"""Several workers on one database: the outbox and the scheduled rounds.

Each worker is a ``Dispatcher`` (or ``Services``) of its own; they share nothing but the
database. Every row goes out once, each chat's rows in order, a dead worker's chats come back
once its leases expire, and the scheduled rounds run in one worker at a time.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import asyncpg
import pytest
from sqlalchemy import func, select, update

from bot.core.followup import FollowUp
from bot.core.outbox import HANDOVER, REPLY_LEASE, Dispatcher, Outgoing
from bot.core.workflow import EventAction
from bot.services import Services, open_services
from bot.settings import Settings
from storage.models import OutboxLease, Signal, SignalEvent, utcnow
from tests.harness import eventually
from tests.helpers.intake import file_signal
from tests.helpers.senders import NoSender

SHORT = timedelta(seconds=1)  # a dead worker's chats come back after this
CHATS = 40
PER_CHAT = 5


class SharedLog:
    """What every worker sent, in the order the sends reached the channel."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int | str, str]] = []  # worker, chat, text

    def sender(self, worker: str) -> LoggingSender:
        return LoggingSender(self, worker)

    def texts(self, chat: int | str) -> list[str]:
        return [text for _, to, text in self.sent if to == chat]


class LoggingSender:
    """One worker's channel: takes a moment per message, so the workers interleave."""

    def __init__(self, log: SharedLog, worker: str) -> None:
        self.log, self.worker = log, worker

    async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
        await asyncio.sleep(0.002)
        self.log.sent.append((self.worker, message.chat_id, message.text))
        return len(self.log.sent)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    opened = await open_services(settings, {"telegram": NoSender()})
    yield opened
    await opened.close()


def worker(services: Services, name: str, sender: object, *,
           lease: timedelta = timedelta(seconds=60), batch: int = 1000,
           alone: bool = False) -> Dispatcher:
    return Dispatcher(services.uow, {"telegram": sender},  # type: ignore[dict-item]
                      worker_id=name, lease=lease, batch=batch, alone=alone)


async def burst(services: Services, *, chat_by_chat: bool = False
                ) -> dict[int | str, list[str]]:
    """Rows to many chats, staff chats and signalers' (encrypted) chats; each chat's texts.

    Queued round-robin over the chats, or ``chat_by_chat``.
    """
    expected: dict[int | str, list[str]] = {}
    order = [(chat, n) for n in range(PER_CHAT) for chat in range(CHATS)]
    async with services.uow() as uow:
        for chat, n in sorted(order) if chat_by_chat else order:
            text = f"{chat}:{n}"
            if chat % 3:
                await uow.outbox.add(kind="reminder", text=text, chat_id=9000 + chat)
                expected.setdefault(9000 + chat, []).append(text)
            else:
                await uow.outbox.add(kind="feedback", text=text, recipient=str(8000 + chat))
                expected.setdefault(8000 + chat, []).append(text)
        await uow.commit()
    return expected


async def all_sent(services: Services) -> bool:
    async with services.uow() as uow:
        return not await uow.outbox.list_due(now=utcnow() + timedelta(hours=1))


async def leases(services: Services) -> list[str]:
    async with services.uow() as uow:
        return list(await uow.session.scalars(select(OutboxLease.worker)))


async def test_workers_send_each_row_once_and_each_chats_rows_in_order(
        services: Services) -> None:
    log = SharedLog()  # small batches: a chat's rows fall in several workers' claims
    workers = [worker(services, f"w{n}", log.sender(f"w{n}"), batch=17) for n in range(4)]
    expected = await burst(services)
    tasks = [asyncio.create_task(w.run()) for w in workers]
    try:
        await eventually(lambda: all_sent(services), 30)
    finally:
        for w in workers:
            w.stop()
        await asyncio.gather(*tasks)
    assert sorted(text for _, _, text in log.sent) == sorted(
        text for texts in expected.values() for text in texts)  # each once
    assert {chat: log.texts(chat) for chat in expected} == expected  # each chat in order
    async with services.uow() as uow:  # all given back: free to others one HANDOVER on
        given_back = await uow.session.scalar(select(func.max(OutboxLease.expires_at)))
    assert given_back is not None and given_back <= utcnow() + HANDOVER


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_claim_waits_for_one_in_progress_so_it_never_sees_a_chats_later_rows_only(
        services: Services, db_url: str) -> None:
    """Passing over the locked first row (SKIP LOCKED), it would lease the chat and send the
    second row before the first."""
    log = SharedLog()
    async with services.uow() as uow:
        first = await uow.outbox.add(kind="reminder", text="first", chat_id=9200)
        await uow.outbox.add(kind="reminder", text="second", chat_id=9200)
        await uow.commit()
    other = await asyncpg.connect(db_url.replace("+asyncpg", ""))
    try:
        claim = other.transaction()  # another worker's claim, under way
        await claim.start()
        await other.execute("SELECT id FROM outbox WHERE id = $1 FOR UPDATE", first.id)
        draining = asyncio.create_task(worker(services, "w", log.sender("w")).drain())
        await eventually(lambda: _waits_for_a_lock(db_url, 1))
        await claim.rollback()
        assert await draining == 2
    finally:
        await other.close()
    assert log.texts(9200) == ["first", "second"]


async def _waits_for_a_lock(db_url: str, sessions: int) -> bool:
    watcher = await asyncpg.connect(db_url.replace("+asyncpg", ""))
    try:
        return bool(await watcher.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database()") == sessions)
    finally:
        await watcher.close()


async def test_a_worker_passes_over_the_chats_another_holds(services: Services) -> None:
    log, gate = SharedLog(), asyncio.Event()

    class GatedSender(LoggingSender):
        async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
            await gate.wait()
            return await super().send(message, bulk=bulk)

    half = CHATS // 2
    first = worker(services, "first", GatedSender(log, "first"), batch=half * PER_CHAT)
    second = worker(services, "second", log.sender("second"))
    expected = await burst(services, chat_by_chat=True)
    draining = asyncio.create_task(first.drain())  # takes the first half of the chats
    await eventually(lambda: _leased(services, half))
    assert await second.drain() == half * PER_CHAT  # the other half, beside it
    gate.set()
    assert await draining == half * PER_CHAT
    assert {chat: log.texts(chat) for chat in expected} == expected
    assert {who for who, _, _ in log.sent[:half * PER_CHAT]} == {"second"}


async def test_a_worker_does_not_read_the_rows_of_chats_another_holds(
        services: Services) -> None:
    """They are left out in SQL (by ``Outbox.chat_key``): no row read and decrypted in vain.

    Until the lease ends: then they are the other worker's to take, and its next look is due.
    The rows come from every way of queueing: a signal's alerts, staff and signalers' chats.
    """
    await file_signal(services, "melder")
    await burst(services)
    now, until = utcnow(), utcnow() + timedelta(minutes=1)
    async with services.uow() as uow:
        rows = await uow.outbox.list_due(now=now)
    chats = sorted({(row.channel, row.target) for row in rows}, key=str)
    half = len(chats) // 2
    async with services.uow() as uow:
        assert len(await uow.outbox.lease(chats[:half], worker="first", now=now,
                                          until=until)) == half
        await uow.commit()
    async with services.uow() as uow:
        theirs = await uow.outbox.list_due(now=now, worker="second")
        assert {(row.channel, row.target) for row in theirs} == set(chats[half:])
        assert len(await uow.outbox.list_due(now=now, worker="first")) == len(rows)
        assert len(await uow.outbox.lease(chats[half:], worker="first", now=now,
                                          until=until)) == len(chats) - half
        assert await uow.outbox.list_due(now=now, worker="second") == []
        assert await uow.outbox.next_due_at(worker="second", now=now) == until
        due = await uow.outbox.next_due_at(worker="first", now=now)
        assert due is not None and due <= now


async def _leased(services: Services, chats: int) -> bool:
    return len(await leases(services)) == chats


# A worker process that claims the burst, hangs in its first sends, and is killed there.
DIES = """
import asyncio, sys
from datetime import timedelta
from bot.core.outbox import Dispatcher
from storage.crypto import Keyring
from storage.db import create_engine, session_factory
from storage.uow import UnitOfWork

class Hanging:
    async def send(self, message, *, bulk=True):
        print("sending", flush=True)
        await asyncio.Event().wait()

async def work():
    keys = Keyring(sys.argv[2])
    sessions = session_factory(create_engine(sys.argv[1], keyring=keys))
    await Dispatcher(lambda: UnitOfWork(sessions, keys), {"telegram": Hanging()},
                     worker_id="dies", lease=timedelta(seconds=float(sys.argv[3]))).drain()

asyncio.run(work())
"""


async def dies_holding_the_chats(services: Services, settings: Settings,
                                 lease: timedelta) -> None:
    """A worker process claims the burst, hangs in its first sends, and is killed there."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", DIES, settings.database.url,
        settings.security.encryption_key.get_secret_value(), str(lease.total_seconds()),
        stdout=asyncio.subprocess.PIPE)
    assert child.stdout is not None
    try:
        assert await asyncio.wait_for(child.stdout.readline(), 30) == b"sending\n"
        assert set(await leases(services)) == {"dies"}  # it holds the chats
    finally:
        child.kill()  # SIGKILL: it gives nothing back
        await child.wait()


async def test_a_killed_workers_chats_are_taken_over_when_its_leases_expire(
        services: Services, settings: Settings) -> None:
    log = SharedLog()
    expected = await burst(services)
    await dies_holding_the_chats(services, settings, SHORT)
    second = worker(services, "lives", log.sender("lives"), lease=SHORT)
    living = asyncio.create_task(second.run())
    try:
        await eventually(lambda: all_sent(services), 30)
    finally:
        second.stop()
        await living
    assert {chat: log.texts(chat) for chat in expected} == expected  # nothing lost, in order
    assert {who for who, _, _ in log.sent} == {"lives"}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_one_process_started_again_after_a_kill_takes_its_chats_back_at_once(
        services: Services, settings: Settings) -> None:
    """SQLite has one process: leases it finds at start are of the process before it."""
    log = SharedLog()
    expected = await burst(services)
    await dies_holding_the_chats(services, settings, timedelta(minutes=1))
    again = worker(services, "again", log.sender("again"), alone=True)  # as open_services
    running = asyncio.create_task(again.run())
    try:
        await eventually(lambda: all_sent(services), 10)  # not a minute later
    finally:
        again.stop()
        await running
    assert {chat: log.texts(chat) for chat in expected} == expected


async def test_a_worker_keeps_its_chats_while_it_works_them(services: Services) -> None:
    """Its leases are renewed while a send takes longer than a lease: nobody takes over."""
    log, gate = SharedLog(), asyncio.Event()

    class SlowSender(LoggingSender):
        async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
            await gate.wait()
            return await super().send(message, bulk=bulk)

    slow = worker(services, "slow", SlowSender(log, "slow"), lease=SHORT)
    other = worker(services, "other", log.sender("other"), lease=SHORT)
    expected = await burst(services)
    draining = asyncio.create_task(slow.drain())
    await eventually(lambda: _leased(services, len(expected)))
    leased_until = await _expiry(services)
    await eventually(lambda: _later_than(leased_until + 2 * SHORT), 10)  # two leases on
    assert await _expiry(services) > leased_until + SHORT  # renewed meanwhile
    assert await other.drain() == 0  # every chat is still the slow one's
    gate.set()
    assert await draining == len(expected) * PER_CHAT
    assert {chat: log.texts(chat) for chat in expected} == expected
    assert {who for who, _, _ in log.sent} == {"slow"}


async def _expiry(services: Services) -> datetime:
    async with services.uow() as uow:
        return min(await uow.session.scalars(select(OutboxLease.expires_at)))


async def test_a_reply_sent_at_once_is_not_sent_again_by_another_worker(
        services: Services) -> None:
    log = SharedLog()
    release = asyncio.Event()

    class SlowSender(LoggingSender):
        async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
            await release.wait()
            return await super().send(message, bulk=bulk)

    handler = worker(services, "handler", SlowSender(log, "handler"))
    other = worker(services, "other", log.sender("other"))
    async with services.uow() as uow:  # a reply whose lease is almost over when it is sent
        soon = utcnow() + timedelta(milliseconds=300)
        reply = await uow.outbox.add(kind="reminder", text="reply", chat_id=9100, due=soon)
        due = await uow.outbox.add(kind="reminder", text="due", chat_id=9101)
        await uow.commit()
    # A due row may be a dispatcher's already: it is not sent at once.
    await asyncio.wait_for(handler.deliver_now(due.id), 5)
    sending = asyncio.create_task(handler.deliver_now(reply.id))
    await eventually(lambda: _later_than(soon))  # the reply's first lease is over
    assert await other.drain() == 1 and log.texts(9101) == ["due"]  # the reply is not taken
    release.set()
    await sending
    assert log.texts(9100) == ["reply"] and log.texts(9101) == ["due"]
    async with services.uow() as uow:
        row = await uow.outbox.get(outbox_id=reply.id)
    assert row is not None and row.sent_at is not None
    assert row.next_attempt_at >= soon + REPLY_LEASE - timedelta(seconds=1)


async def _later_than(moment: object) -> bool:
    return utcnow() > moment  # type: ignore[operator]


async def due_signal(services: Services, user: str = "melder") -> int:
    """A Heerlen signal, nobody claimed it, whose escalation is due now."""
    await file_signal(services, user)
    async with services.uow() as uow:
        signal_id = await uow.session.scalar(select(func.max(Signal.id)))
        await uow.session.execute(update(Signal).where(Signal.id == signal_id).values(
            due_at=utcnow() - timedelta(minutes=1)))
        await uow.commit()
    assert signal_id is not None
    return signal_id


async def escalations(services: Services, signal_id: int) -> int:
    async with services.uow() as uow:
        return int(await uow.session.scalar(select(func.count(SignalEvent.id)).where(
            SignalEvent.signal_id == signal_id, SignalEvent.action == EventAction.ESCALATE))
            or 0)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_two_workers_checking_at_once_escalate_a_signal_once(
        services: Services, db_url: str) -> None:
    """Both read the signal as due; the one that writes second finds it moved on."""
    signal_id = await due_signal(services)
    holder = await asyncpg.connect(db_url.replace("+asyncpg", ""))
    try:
        lock = holder.transaction()
        await lock.start()
        await holder.execute("SELECT id FROM signals WHERE id = $1 FOR UPDATE", signal_id)
        rounds = [asyncio.create_task(FollowUp(services.uow).run_due()) for _ in range(2)]
        await eventually(lambda: _waits_for_a_lock(db_url, 2))
        await lock.commit()
        reports = await asyncio.gather(*rounds)
    finally:
        await holder.close()
    assert sorted(r.escalated for r in reports) == [0, 1]
    assert await escalations(services, signal_id) == 1


@pytest.fixture
async def pair(settings: Settings) -> AsyncIterator[list[Services]]:
    """Two workers with their scheduled rounds, on one database."""
    fast = settings.model_copy(update={"workflow": settings.workflow.model_copy(
        update={"check_interval_seconds": 5})})
    workers = [await open_services(fast, {"telegram": NoSender()}) for _ in range(2)]
    for each in workers:
        each.start_background(due_work=True)
    yield workers
    for each in workers:
        await each.close()


async def test_the_scheduled_rounds_run_in_one_worker_and_move_when_it_stops(
        pair: list[Services]) -> None:
    first, second = pair
    assert first.worker_id != second.worker_id

    async def one_schedules() -> bool:
        return [w.scheduling for w in pair].count(True) == 1

    await eventually(one_schedules, 10)
    holder, standby = (first, second) if first.scheduling else (second, first)
    signal_id = await due_signal(holder)
    await eventually(lambda: _escalated(holder, signal_id), 10)
    assert not standby.scheduling
    await holder.close()
    pair.remove(holder)
    await eventually(lambda: _is_scheduling(standby), 15)
    signal_id = await due_signal(standby, "another melder")
    await eventually(lambda: _escalated(standby, signal_id), 10)


async def _escalated(services: Services, signal_id: int) -> bool:
    return await escalations(services, signal_id) == 1


async def _is_scheduling(services: Services) -> bool:
    return services.scheduling
