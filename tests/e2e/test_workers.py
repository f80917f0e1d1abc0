"""Three worker processes (``signaalbot run``, webhook mode) on one PostgreSQL database.

Telegram (the stand-in) delivers by webhook to a load balancer over the workers that retries
an update without a 200 on another worker, and delivers some updates twice and some late.
Many signalers file at once: every signal is stored once, every alert sent once, each chat's
replies come in order and Telegram's limits hold for the bot as a whole. A worker killed
mid-burst loses nothing; the others stop cleanly on SIGTERM. PostgreSQL only: SQLite serves
one process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Signal
from tests.harness import REFERENCE, Person, file_signal
from tests.helpers.workers import Workers

SIGNALERS = 8
CARINE = 7001  # Terneuzen's alert chat
# Several workers need PostgreSQL; SQLite serves one process.
pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


@pytest.fixture
async def workers(api: Any, tmp_path: Path, db_url: str) -> AsyncIterator[Workers]:
    """Three workers; every 5th update delivered twice, every 7th held back behind the next."""
    pool = Workers(api, tmp_path, db_url, 3, duplicate_every=5, reorder_every=7)
    try:
        await pool.start()
        yield pool
    finally:
        await pool.stop()


async def signals(pool: Workers) -> list[str]:
    """The references of the stored signals."""
    async with pool.database() as uow:
        return list((await uow.session.scalars(select(Signal.reference))).all())


def asked(api: Any, chat: int) -> list[str]:
    """What the bot showed in a chat, in the order it sent or edited it: each message's last
    paragraph's first line (the question), or "thanks"."""
    shown = []
    for call in api.calls:
        if (call.ok and call.method in ("sendMessage", "editMessageText")
                and call.params.get("chat_id") == chat):
            text = str(call.params.get("text", ""))
            shown.append("thanks" if REFERENCE.search(text)
                         else text.split("\n\n")[-1].split("\n")[0])
    return shown


def in_order(api: Any, people: list[Person]) -> bool:
    """Each chat's replies in order: every chat went through the same questions, and never
    back to an earlier one (a reply shown again shows the question the person is at)."""
    walks = []
    for person in people:
        shown = asked(api, person.id)
        walk = list(dict.fromkeys(shown))  # the questions, in the order first shown
        if [walk.index(question) for question in shown] != sorted(
                walk.index(question) for question in shown):
            return False
        walks.append(walk)
    return all(walk == walks[0] for walk in walks)


def alerts(api: Any) -> list[str]:
    """The references in the alerts sent to Carine, once per sendMessage."""
    return [found.group(0) for call in api.calls_of("sendMessage")
            if call.ok and call.params.get("chat_id") == CARINE
            for found in [REFERENCE.search(str(call.params.get("text")))] if found]


async def test_three_workers_file_every_signal_once_in_order(api: Any,
                                                              workers: Workers) -> None:
    people = [Person(workers, 9000 + n, name=f"Signaler {n}") for n in range(SIGNALERS)]
    await asyncio.gather(*(file_signal(person, contact=False) for person in people))

    references = await signals(workers)
    assert len(references) == len(set(references)) == SIGNALERS
    assert {found.group(0) for p in people if (found := REFERENCE.search(p.thanks()))} == set(
        references)
    # Every worker served, and the balancer delivered twice and reordered.
    assert {backend for _, backend, status in workers.balancer.forwarded if status == 200} == {
        0, 1, 2}
    delivered = [update_id for update_id, _, status in workers.balancer.forwarded
                 if status == 200]
    assert len(delivered) > len(set(delivered)) and delivered != sorted(delivered)
    # Each chat's replies in order: every signaler saw the same conversation.
    assert in_order(api, people)

    # One person's two messages, the second overtaking the first: the late one is not
    # applied to the question the person is at now; they are shown where they are.
    late = Person(workers, 9100)
    await late.command("start")
    await late.tap("Nee")
    await late.tap("Kapper")
    question = late.last.split("\n\n")[-1]  # the postcode
    first = api.send_text(late.id, "4531 ab")
    workers.balancer.hold = first["update_id"]  # it arrives after the next one was applied
    second = api.send_text(late.id, "12a")
    await workers.processed(first, second)
    assert late.last.endswith(question)  # still the postcode: "4531 ab" came too late
    assert not any("huisnummer" in text for text in late.texts())

    await api.wait_for(lambda: set(alerts(api)) == set(references), timeout=30)
    assert await workers.stop() == [0, 0, 0]  # SIGTERM: each drains and exits cleanly
    for number in range(3):
        output = workers.output(number)
        assert "Traceback" not in output and " ERROR " not in output, output
    limits_kept_and_alerts_once(api, references)


def limits_kept_and_alerts_once(api: Any, references: list[str]) -> None:
    """Every alert sent once, and Telegram's limits kept by the workers together."""
    assert sorted(alerts(api)) == sorted(references)
    assert not [call for call in api.calls if call.response.get("error_code") == 429]
    assert api.max_rate(window=1.0) <= 30
    assert api.max_rate(chat_id=CARINE, window=1.0) <= 1  # the bot's limit, not a worker's


async def test_a_worker_killed_mid_burst_loses_nothing(api: Any, workers: Workers) -> None:
    people = [Person(workers, 9200 + n, name=f"Signaler {n}") for n in range(SIGNALERS)]
    filing = asyncio.gather(*(file_signal(person, contact=False) for person in people))
    await api.wait_for(lambda: len(api.delivered) >= 3 * SIGNALERS, timeout=30)
    workers.kill(0)
    await filing  # the balancer sends what worker 0 did not answer to the others

    references = await signals(workers)
    assert len(references) == len(set(references)) == SIGNALERS
    assert {found.group(0) for p in people if (found := REFERENCE.search(p.thanks()))} == set(
        references)  # every person got their replies, up to the thanks
    assert in_order(api, people)
    assert any(backend == 0 and status == 0 for _, backend, status in
               workers.balancer.forwarded)  # worker 0 was asked after it died
    await api.wait_for(lambda: set(alerts(api)) == set(references), timeout=30)
    assert await workers.status(1, "/healthz") == 200
    assert await workers.stop() == [-9, 0, 0]
    limits_kept_and_alerts_once(api, references)
