"""News opt-ins as personal data, on SQLite and PostgreSQL: the chat only encrypted, the
organisation recorded, news copies forgotten after a while, and all of it on /vergeetmij."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select, text, update

from bot.core.news import NEWS_COPIES_KEPT, offer_in
from bot.core.people import Person
from bot.services import Services
from storage.models import NewsSubscription, Organisation, Outbox, Signal, utcnow
from tests.helpers.intake import file_signal
from tests.helpers.senders import RecordingSender

CHAT = "5550123"
READER = Person("telegram", CHAT)


async def offered(services: Services, gemeente_code: str) -> str | None:
    """The news question filing a report in this gemeente would end with."""
    async with services.uow() as uow:
        gemeente = await uow.gemeenten.get(code=gemeente_code)
        assert gemeente is not None
        return await offer_in(uow, READER, gemeente)


async def news_copies(services: Services) -> list[Outbox]:
    async with services.uow() as uow:
        return list(await uow.session.scalars(select(Outbox).where(Outbox.kind == "news")))


async def test_an_opt_in_keeps_its_organisation_and_forgets_the_person_when_asked(
        services: Services, sender: RecordingSender) -> None:
    await file_signal(services, CHAT, channel="telegram")  # to Heerlen
    async with services.db.begin() as connection:
        await connection.execute(insert(Organisation).values(
            id=41, code="postnl-hrl", name="PostNL Heerlen", role="bezorger",
            gemeente_code="GM0917", created_at=utcnow()))
        await connection.execute(update(Signal).values(organisation_id=41))
    offer = await offered(services, "GM0917")
    assert offer == "Wilt u af en toe kort nieuws van het Signaalpunt Heerlen?"
    assert "Heerlen" in await services.news.subscribe(READER, "GM0917")
    assert await offered(services, "GM0917") is None  # asked once they are in
    async with services.db.connect() as connection:
        [(hashed, stored, organisation)] = (await connection.execute(text(
            "SELECT external_hash, external_enc, organisation_id FROM news_subscriptions")))
    assert CHAT not in hashed and CHAT not in stored and organisation == 41

    assert await services.news.send("GM0917", "Koffie") == 1
    await services.dispatcher.drain()
    assert sender.delivered[-1][0] == int(CHAT) and "Koffie" in sender.delivered[-1][1]
    [copy] = await news_copies(services)
    assert copy.recipient == CHAT and copy.message_id is not None and copy.text == ""
    await services.privacy.purge(utcnow() + NEWS_COPIES_KEPT - timedelta(hours=1))
    assert [row.recipient for row in await news_copies(services)] == [CHAT]
    await services.privacy.purge(utcnow() + NEWS_COPIES_KEPT + timedelta(hours=1))
    assert [row.recipient for row in await news_copies(services)] == [None]

    assert await services.news.send("GM0917", "Training") == 1
    await services.dispatcher.drain()
    await services.privacy.forget_signaler("telegram", CHAT)
    assert [row.recipient for row in await news_copies(services)] == [None, None]
    async with services.uow() as uow:
        [ended] = await uow.session.scalars(select(NewsSubscription))
        assert (ended.external_hash, ended.external_id, ended.organisation_id) == (None, None, 41)
        assert ended.ended_at is not None
    assert await services.news.send("GM0917", "Nog iets") == 0
