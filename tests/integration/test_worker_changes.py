"""What a worker remembers of people (their language) follows changes made by another worker.

Two ``Services`` on one database stand for two workers (on SQLite: one process's two parts).
Each remembers the languages it read; a choice or a ``/vergeetmij`` in one reaches the other
(``storage.changes``), and a worker that cannot hear the others remembers nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import update

from bot.core.language_choice import LanguageChoice
from bot.core.people import TELEGRAM
from bot.services import Services, open_services
from bot.settings import Settings
from storage.changes import CHANNEL
from storage.models import Signaler
from tests.harness import eventually
from tests.helpers.senders import NoSender

PERSON = "4242"


@pytest.fixture
async def workers(settings: Settings) -> AsyncIterator[list[Services]]:
    pair = [await open_services(settings, {"telegram": NoSender()}) for _ in range(2)]
    for services in pair:
        services.start_background()
    await eventually(lambda: _listening(*pair))
    yield pair
    for services in pair:
        await services.close()


async def _listening(*workers: Services) -> bool:
    return all(services.changes.listening for services in workers)


async def _language(services: Services) -> str | None:
    return await services.languages.chosen(channel=TELEGRAM, external_id=PERSON)


async def test_a_language_chosen_or_forgotten_in_one_worker_holds_in_the_other(
        workers: list[Services]) -> None:
    first, second = workers
    assert await _language(first) is None  # read, and remembered
    await second.languages.choose(channel=TELEGRAM, external_id=PERSON, code="en")
    await eventually(lambda: _is(first, "en"))
    await first.languages.choose(channel=TELEGRAM, external_id=PERSON, code="nl")
    await eventually(lambda: _is(second, "nl"))
    await second.privacy.forget_signaler(TELEGRAM, PERSON)  # /vergeetmij
    await eventually(lambda: _is(first, None))
    assert await _language(second) is None


async def _is(services: Services, language: str | None) -> bool:
    return await _language(services) == language


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_worker_that_lost_the_others_forgets_and_keeps_nothing_until_it_hears_again(
        workers: list[Services], settings: Settings) -> None:
    first, _ = workers
    await first.languages.choose(channel=TELEGRAM, external_id=PERSON, code="en")
    assert await _language(first) == "en"
    server = await asyncpg.connect(settings.database.url.replace("+asyncpg", ""))
    try:
        await server.execute(  # every listener's connection ends (a restart, a network cut)
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE $1",
            f"LISTEN %{CHANNEL}%")
        # Changed unheard, as by a worker whose announcement was lost with the connection.
        async with first.uow() as uow:
            await uow.session.execute(update(Signaler).values(language="nl"))
            await uow.commit()
        await eventually(lambda: _is(first, "nl"))  # forgotten when the connection was lost ...
        await eventually(lambda: _listening(first))  # ... and listening again
        assert await _language(first) == "nl"
    finally:
        await server.close()


async def test_a_worker_that_cannot_hear_the_others_remembers_not_even_its_own_choice(
        workers: list[Services]) -> None:
    first, _ = workers
    deaf = LanguageChoice(first.uow, trusted=lambda: False)
    await deaf.choose(channel=TELEGRAM, external_id=PERSON, code="en")
    async with first.uow() as uow:  # changed by a worker it cannot hear
        await uow.session.execute(update(Signaler).values(language="nl"))
        await uow.commit()
    assert await deaf.chosen(channel=TELEGRAM, external_id=PERSON) == "nl"
