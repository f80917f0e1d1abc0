"""A signal through the web chat's forms, without JavaScript: alerts, role links, drafts, status.

The web chat runs hosted by the Telegram process; the visitor is an aiohttp client with a
cookie jar posting the forms as an old browser would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.people import WEB
from bot.services import open_services
from bot.settings import Settings, start_problems
from handlers.channels import hosted as hosted_channels
from handlers.web.app import WebChannel
from storage.models import Outbox, Signal
from tests.conftest import make_settings
from tests.harness import BotRunner, claim_and_close
from tests.harness import Person as TelegramUser
from tests.helpers.stored import rows
from tests.helpers.web import Visitor, base_url, file_signal, hosting_web, status_path, with_web

REGISSEUR = 7001


@pytest.fixture
def settings(db_url: str) -> Settings:
    return with_web(make_settings(db_url, organisations=[
        {"code": "postnl-tnz", "name": "PostNL depot Terneuzen", "role": "bezorger",
         "gemeente": "GM0715"}]))


@pytest.fixture
async def hosted(api: Any, settings: Settings) -> AsyncIterator[BotRunner]:
    runner = hosting_web(api, settings)
    await runner.start()
    yield runner
    if runner.app is not None:
        await runner.stop()


@pytest.fixture
async def visitor(hosted: BotRunner) -> AsyncIterator[Visitor]:
    visitor = Visitor(base_url(hosted))
    yield visitor
    await visitor.close()


async def test_a_whole_signal_through_forms_reaches_the_alerts(
        api: Any, hosted: BotRunner, visitor: Visitor) -> None:
    reference = await file_signal(visitor)
    await hosted.settled()
    [signal] = await rows(hosted, Signal)
    assert signal.reference == reference and signal.gemeente_code == "GM0715"
    assert signal.answers is not None and signal.answers["signs"] == ["gordijnen", "post"]
    assert signal.answers["description"] == "Hij zit <altijd> binnen & de tuin verwildert"
    alert = api.messages(REGISSEUR)[-1]["text"]
    assert reference in alert and "Hij zit <altijd> binnen" in alert
    assert "/status/" in visitor.page and "Wat gebeurt er nu" in visitor.page


async def test_the_status_page_shows_only_the_plain_status_as_staff_act(
        api: Any, hosted: BotRunner, visitor: Visitor) -> None:
    reference = await file_signal(visitor)
    await hosted.settled()
    path = status_path(visitor.page)
    page = await visitor.open(path)
    assert "Ontvangen" in page and reference not in page and "Fatima" not in page
    await claim_and_close(TelegramUser(hosted, REGISSEUR, "Carine"), REGISSEUR)
    await hosted.settled()
    assert "Afgerond" in await visitor.open(path)
    async with hosted.services.uow() as uow:
        signal = await uow.signals.get_by_reference(reference=reference)
    assert signal is not None and signal.status_token_hash is not None
    assert path.rsplit("/", 1)[1] not in signal.status_token_hash
    assert not [o for o in await rows(hosted, Outbox) if o.channel == WEB]  # nothing queued
    assert "niet (meer) bekend" in await visitor.open("/status/" + "x" * 32)


async def test_the_organisation_link_fills_in_the_role(hosted: BotRunner,
                                                       visitor: Visitor) -> None:
    await file_signal(visitor, start="/s/postnl-tnz", role=False)
    [signal] = await rows(hosted, Signal)
    assert signal.role == "bezorger" and signal.organisation_id is not None


async def test_a_reload_and_a_second_tab_continue_the_draft(hosted: BotRunner,
                                                           visitor: Visitor) -> None:
    await visitor.open("/")
    await visitor.pick("Nee")
    await visitor.pick("Kapper")
    assert "Kapper" in await visitor.open("/")  # reload: the answers so far, the postcode
    assert visitor.form.text == "answer"
    second = Visitor(visitor.base)
    second.http.cookie_jar.update_cookies(
        {c.key: c.value for c in visitor.jar}, response_url=visitor.responses[-1].url)
    try:
        await second.open("/")
        await second.answer("4531 ab")
        page = await visitor.open("/")
        assert "4531 AB" in page and "huisnummer" in page.lower()
    finally:
        await second.close()


async def test_wijzig_at_the_summary_opens_that_part(hosted: BotRunner, visitor: Visitor) -> None:
    await file_signal(visitor, send=False)
    assert 'class="check"' in visitor.page
    await visitor.press("Wijzig: Postcode")
    assert visitor.form.text == "answer" and "4531 AB" in visitor.page
    await visitor.answer("4532 cd")
    await visitor.press("Zo laten")  # the house number stays
    assert 'class="check"' in visitor.page and "4532 CD" in visitor.page
    await visitor.press("Versturen")
    [signal] = await rows(hosted, Signal)
    assert signal.answers is not None and signal.answers["postcode"] == "4532 CD"


async def test_cancelling_ends_the_draft_and_offers_a_new_signal(hosted: BotRunner,
                                                                 visitor: Visitor) -> None:
    await visitor.open("/")
    await visitor.pick("Nee")
    await visitor.press("Annuleren")
    await visitor.press("Ja, stoppen")
    assert 'href="/"' in visitor.page and await visitor.answers(hosted) == {}
    await visitor.open("/")
    assert "Kapper" not in visitor.page and visitor.form.radios  # a new conversation
    assert await rows(hosted, Signal) == []


async def test_the_organisation_link_mid_conversation_offers_resume_or_restart(
        hosted: BotRunner, visitor: Visitor) -> None:
    await visitor.open("/")
    await visitor.pick("Nee")
    await visitor.open("/s/postnl-tnz")
    await visitor.press("Verder waar ik was")
    assert "Kapper" in visitor.page  # the role question, where she was


async def test_the_web_chat_alone_without_a_telegram_token(settings: Settings) -> None:
    """As ``signaalbot run`` with only ``[web]``: the alerts wait in the outbox for Telegram."""
    assert start_problems(settings) == []
    [channel] = hosted_channels(settings)
    assert isinstance(channel, WebChannel) and channel.sender is None
    services = await open_services(settings, {})
    await channel.start(services)
    visitor = Visitor(f"http://127.0.0.1:{channel.port}")
    try:
        await file_signal(visitor)
        async with services.uow() as uow:
            queued = list(await uow.session.scalars(select(Outbox)))
    finally:
        await visitor.close()
        await channel.stop()
        await services.close()
        await channel.close()
    assert {o.channel for o in queued if o.kind == "alert"} == {"telegram"}
