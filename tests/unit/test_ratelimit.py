"""Telegram's sending limits: bulk waits its turn, the conversation never does."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

import pytest

from handlers.telegram.ratelimit import PriorityRateLimiter
from storage.models import utcnow
from tests.harness import BotRunner, Person, eventually


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def book(limiter: PriorityRateLimiter, chat_id: int, *, spaced: bool = False) -> None:
    """What wait_turn does once the delay is zero (``spaced``: keep the bulk spacing)."""
    assert limiter._delay(chat_id) <= 0
    limiter._recent.append(limiter._clock())
    if spaced:
        limiter._bulk_next = limiter._clock() + 1 / limiter.caps()[1]
    limiter._chat_next[chat_id] = limiter._clock() + limiter._chat_interval
    if chat_id < 0:
        limiter._group_recent.setdefault(chat_id, deque()).append(limiter._clock())


def test_bulk_leaves_a_fifth_of_the_budget_to_replies(clock: FakeClock) -> None:
    limiter = PriorityRateLimiter(per_second=30, chat_interval=1.0, clock=clock)
    for chat in range(24):
        book(limiter, chat)
    assert limiter._delay(99) == pytest.approx(1.0)  # 24 of 30 per second is bulk's share
    clock.now += 1.0
    assert limiter._delay(99) <= 0


def test_bulk_is_spread_evenly(clock: FakeClock) -> None:
    limiter = PriorityRateLimiter(per_second=30, chat_interval=1.0, clock=clock)
    book(limiter, 1, spaced=True)
    assert limiter._delay(2) == pytest.approx(1 / 24)


def test_one_message_per_second_per_chat(clock: FakeClock) -> None:
    limiter = PriorityRateLimiter(per_second=30, chat_interval=1.0, clock=clock)
    book(limiter, 5)
    assert limiter._delay(5) == pytest.approx(1.0)
    assert limiter._delay(6) <= 0
    clock.now += 0.5
    assert limiter._delay(5) == pytest.approx(0.5)


def test_twenty_messages_a_minute_per_group(clock: FakeClock) -> None:
    limiter = PriorityRateLimiter(per_second=30, chat_interval=1.0, clock=clock)
    for _ in range(20):
        book(limiter, -100)
        clock.now += 1.0
    assert limiter._delay(-100) == pytest.approx(40.0)  # the first of the 20 was 20 s ago
    clock.now += 40.0
    assert limiter._delay(-100) <= 0


def test_replies_count_against_bulk(clock: FakeClock) -> None:
    limiter = PriorityRateLimiter(per_second=30, chat_interval=1.0, clock=clock)
    limiter._recent.extend([clock.now] * 30)  # a busy second of conversation replies
    assert limiter._delay(1) == pytest.approx(1.0)


class FakePeers:
    """Other workers, as ``storage.workers.WorkerRegistry`` reports them."""

    def __init__(self, live: int) -> None:
        self.live = live
        self.booked: list[tuple[int, float, int, float]] = []

    async def settled(self) -> None:
        """Counted by the others already."""

    async def take_turn(self, chat_id: int, *, spacing: float, most: int, window: float
                        ) -> float:
        self.booked.append((chat_id, spacing, most, window))
        return 0.0


def test_workers_split_the_overall_budget(clock: FakeClock) -> None:
    limiter = PriorityRateLimiter(per_second=28, chat_interval=1.0, clock=clock)
    assert limiter.caps() == (28, 22)  # alone: as ever
    peers = FakePeers(live=3)
    limiter.share(peers)
    assert limiter.caps() == (9, 7)
    for chat in range(7):
        book(limiter, chat)
    assert limiter._delay(99) == pytest.approx(1.1)  # bulk's part of a third of 28, in 1.1 s
    limiter._recent.extend([clock.now] * 2)
    assert limiter._overall_delay(limiter.caps()[0]) == pytest.approx(1.1)  # replies' too


def test_a_dead_workers_share_returns_to_the_others(clock: FakeClock) -> None:
    limiter = PriorityRateLimiter(per_second=28, chat_interval=1.0, clock=clock)
    peers = FakePeers(live=3)
    limiter.share(peers)
    for chat in range(7):
        book(limiter, chat)
    assert limiter._delay(99) > 0
    peers.live = 2  # one stopped beating
    assert limiter.caps() == (14, 11)
    assert limiter._delay(99) <= 0


@pytest.mark.parametrize("live", range(1, 29))
def test_the_workers_together_stay_under_the_cap(live: int) -> None:
    limiter = PriorityRateLimiter(per_second=28)
    limiter.share(FakePeers(live))
    overall, bulk = limiter.caps()
    assert live * overall <= 28 and bulk <= overall


async def test_shared_groups_take_their_turn_with_the_others_private_chats_do_not(
        clock: FakeClock) -> None:
    limiter = PriorityRateLimiter(per_second=28, chat_interval=1.0, clock=clock)
    peers = FakePeers(live=2)
    limiter.share(peers)
    await limiter.wait_turn(-100)
    clock.now += 1.0
    await limiter.wait_turn(5)
    assert peers.booked == [(-100, 1.0, 20, 61.0)]  # 20 a minute, a second spare
    assert limiter._group_recent == {}


async def test_a_burst_drains_within_the_limits_while_a_signaler_is_answered_at_once(
        api: Any, runner: BotRunner) -> None:
    chats = list(range(9001, 9041))
    for chat in chats:
        api.user(chat)
    async with runner.services.uow() as uow:
        for chat in chats:
            await uow.outbox.add(chat_id=chat, kind="alert", text=f"Alert voor {chat}")
        for n in range(3):  # three in one chat: in order, a second apart
            await uow.outbox.add(chat_id=chats[0], kind="alert", text=f"Volgende {n}")
        await uow.commit()
    runner.services.dispatcher.kick()

    person = Person(runner, 9100)
    latencies = []
    for step in ("start", "Nee", "Kapper"):
        started = time.monotonic()
        if step == "start":
            await person.command("start")
        else:
            await person.tap(step)
        latencies.append(time.monotonic() - started)
    assert max(latencies) < 0.5, latencies

    await api.wait_for(lambda: all(api.messages(chat) for chat in chats)
                       and len(api.messages(chats[0])) == 4, timeout=20)
    assert api.max_rate(window=1.0) <= 30
    assert all(api.max_rate(chat_id=chat, window=1.0) <= 1 for chat in chats)
    assert [m["text"] for m in api.messages(chats[0])] == [
        f"Alert voor {chats[0]}", "Volgende 0", "Volgende 1", "Volgende 2"]

    async def all_marked_sent() -> bool:
        async with runner.services.uow() as uow:
            return await uow.outbox.list_due(now=utcnow()) == []

    await eventually(all_marked_sent)
