"""Telegram's limits kept by the bot as a whole: three workers on one PostgreSQL database.

Each worker is a real ``Application`` with its own limiter and services (no polling: only one
process may poll, and these send). Their bulk goes as the outbox sends it: ``wait_turn``, then
the sender; a private chat is sent to by one worker (the outbox's per-chat claim), groups by
all of them. The stand-in's record of the calls shows the limits across the workers (a
group's 20 a minute: ``tests/integration/test_workers.py``, as 21 messages take a minute).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from bot.core.outbox import Outgoing
from bot.services import Services
from bot.settings import Settings
from handlers.telegram.app import build_application
from handlers.telegram.notifier import TelegramSender
from handlers.telegram.ratelimit import PriorityRateLimiter
from tests.harness import eventually
from tests.standin import BotApiStandIn
from tests.standin.protocol import RATE_METHODS

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
App = Any  # an Application


@contextlib.asynccontextmanager
async def workers(api: BotApiStandIn, settings: Settings, count: int) -> AsyncIterator[list[App]]:
    """``count`` workers started as ``run`` starts them, stopped as it stops them."""
    settings = settings.model_copy(update={"telegram": settings.telegram.model_copy(
        update={"token": SecretStr(api.token), "base_url": api.base_url})})
    started: list[App] = []
    try:
        for _ in range(count):
            app = build_application(settings)
            await app.initialize()
            await app.post_init(app)
            started.append(app)
        yield started
    finally:
        for app in started:
            if "services" in app.bot_data:
                await stop(app)


async def stop(app: App) -> None:
    """Stop one worker (its row in the workers' table goes with it)."""
    await app.post_stop(app)
    await app.shutdown()


def services(app: App) -> Services:
    found: Services = app.bot_data["services"]
    return found


def limiter(app: App) -> PriorityRateLimiter:
    found = app.bot.rate_limiter
    assert isinstance(found, PriorityRateLimiter)
    return found


async def all_count(apps: list[App], live: int) -> None:
    async def counted() -> bool:
        return all(services(app).workers.live == live for app in apps)  # type: ignore[union-attr]

    await eventually(counted, timeout=10)


async def bulk(app: App, chat_id: int, text: str) -> None:
    """One outbox message, as the dispatcher sends it."""
    await limiter(app).wait_turn(chat_id)
    await TelegramSender(app.bot).send(Outgoing(chat_id, text), bulk=True)


async def one_chat(app: App, chat_id: int, texts: list[str]) -> None:
    for text in texts:
        await bulk(app, chat_id, text)


async def test_three_workers_keep_telegrams_limits_together(
        api: BotApiStandIn, settings: Settings) -> None:
    groups = [-1009001, -1009002]
    for group in groups:
        api.group(group, title=f"Team {group}")
    async with workers(api, settings, 3) as apps:
        await all_count(apps, 3)
        assert [limiter(app).caps() for app in apps] == [(9, 7)] * 3  # a third of 28 each
        jobs = []
        for n, app in enumerate(apps):
            chats = range(10_000 * (n + 1), 10_000 * (n + 1) + 30)  # this worker's chats
            replies = range(20_000 * (n + 1) + 500, 20_000 * (n + 1) + 510)
            for chat in (*chats, *replies):
                api.user(chat)
            jobs.append(one_chat(app, chats[0], ["Eerste", "Tweede", "Derde"]))
            jobs += [one_chat(app, chat, [f"Alert voor {chat}"]) for chat in chats[1:]]
            jobs += [one_chat(app, group, [f"Alert {n}", f"Bijwerking {n}"]) for group in groups]
            jobs += [app.bot.send_message(chat, "Antwoord") for chat in replies]
        await asyncio.gather(*jobs)

    sends = [call for call in api.calls if call.method in RATE_METHODS]
    assert len(sends) == 3 * (32 + 10 + 4) and all(call.ok for call in sends)  # no 429
    assert api.max_rate(window=1.0) <= 28
    assert all(api.max_rate(chat_id=chat, window=1.0) <= 1
               for chat in {call.params["chat_id"] for call in sends})
    assert all(api.max_rate(chat_id=group, window=60.0) <= 20 for group in groups)


async def test_a_worker_that_stops_leaves_its_share_to_the_others(
        api: BotApiStandIn, settings: Settings) -> None:
    async with workers(api, settings, 3) as apps:
        await all_count(apps, 3)
        await stop(apps[2])
        await all_count(apps[:2], 2)
        assert [limiter(app).caps() for app in apps[:2]] == [(14, 11)] * 2
