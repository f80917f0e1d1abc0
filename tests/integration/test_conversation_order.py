"""One person's updates with N workers: applied one at a time, in order, a late one not at all.

On SQLite and PostgreSQL; the lock between workers is PostgreSQL's (SQLite has one process).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.core.inputs import Choose, Text
from bot.core.intake import ConversationKey
from bot.core.prompts import Capabilities, Status
from bot.services import Services, open_services
from bot.settings import Settings
from tests.helpers.senders import RecordingSender

# Telegram's update ids grow with each update.
TELEGRAM = Capabilities(share_contact=True, ordered_ids=True)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    """As a worker in webhook mode: several workers may take one person's updates."""
    webhook = settings.telegram.model_copy(update={"mode": "webhook"})
    opened = await open_services(settings.model_copy(update={"telegram": webhook}),
                                 {"telegram": RecordingSender()})
    yield opened
    await opened.close()


async def test_an_update_overtaken_by_a_later_one_is_not_applied(services: Services) -> None:
    """At the postcode, "12a" (update 13) arrives before "4531 ab" (update 12): the late
    postcode does not answer the question the person is at, nor is it stored."""
    intake, key = services.intake, ConversationKey("telegram", "61", TELEGRAM)
    token = (await intake.start(key, update_id=10)).draft.token
    await intake.handle(key, Choose("danger", "nee"), token=token, update_id=11)
    await intake.handle(key, Choose("role", "buurt"), token=token, update_id=12)
    overtaking = await intake.handle(key, Text("12a"), update_id=14)
    assert overtaking.status is Status.INVALID  # no postcode
    late = await intake.handle(key, Text("4531 ab"), update_id=13)
    assert late.status is Status.STALE and late.prompt == overtaking.prompt  # shown again
    assert (await intake.handle(key, Text("4531 ab"), update_id=13)).status is Status.STALE
    draft = await intake.current_draft(key)
    assert draft is not None and "postcode" not in draft.answers
    assert (await intake.handle(key, Text("4531 ab"), update_id=15)).status is Status.NEXT
    # A channel whose ids do not tell the order (Signal's are the senders' clocks) applies it.
    other = ConversationKey("signal", "61")
    token = (await intake.start(other, update_id=20)).draft.token
    step = await intake.handle(other, Choose("danger", "nee"), token=token, update_id=19)
    assert step.status is Status.NEXT


async def test_one_persons_steps_wait_for_each_other_across_workers(
        services: Services, db_url: str) -> None:
    """A step waits while another transaction (another worker) works on the same person;
    another person's step does not."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process: there are no other workers to wait for")
    intake, key = services.intake, ConversationKey("telegram", "62", TELEGRAM)
    async with services.uow() as other_worker:
        await other_worker.lock_conversation("telegram", "62")
        step = asyncio.create_task(intake.start(key, update_id=30))
        assert (await intake.start(ConversationKey("telegram", "63", TELEGRAM),
                                   update_id=31)).status is Status.NEXT
        async with services.uow() as uow:
            query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                         " AND NOT granted")
            async with asyncio.timeout(10):
                while not await uow.session.scalar(query):  # the step waits for the lock
                    await asyncio.sleep(0.01)
        assert not step.done()
        await other_worker.commit()  # the other worker's transaction ends
    assert (await step).status is Status.NEXT
