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
from bot.core.sociale_kaart import Activity
from bot.services import open_services
from bot.settings import Settings, start_problems
from handlers.channels import hosted as hosted_channels
from handlers.web.app import WebChannel
from storage.models import Outbox, Signal
from tests.conftest import make_settings
from tests.harness import BotRunner, claim_and_close
from tests.harness import Person as TelegramUser
from tests.helpers.stored import rows
from tests.helpers.web import Visitor, browsing, file_signal, serving, status_path, with_web

REGISSEUR = 7001


@pytest.fixture
def settings(db_url: str) -> Settings:
    return with_web(make_settings(db_url, organisations=[
        {"code": "postnl-tnz", "name": "PostNL depot Terneuzen", "role": "bezorger",
         "gemeente": "GM0715"}]))


@pytest.fixture
async def hosted(api: Any, settings: Settings) -> AsyncIterator[BotRunner]:
    async with serving(api, settings) as runner:
        yield runner


@pytest.fixture
async def visitor(hosted: BotRunner) -> AsyncIterator[Visitor]:
    async with browsing(hosted) as visitor:
        yield visitor


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


async def test_a_reload_after_sending_shows_the_same_status_link_and_files_nothing_twice(
        hosted: BotRunner, visitor: Visitor) -> None:
    reference = await file_signal(visitor)
    path = status_path(visitor.page)
    page = await visitor.reload()
    assert reference in page and status_path(page) == path
    assert "Ontvangen" in await visitor.open(path)
    assert len(await rows(hosted, Signal)) == 1


async def test_after_sending_it_says_what_happens_next_by_the_contact_given(
        hosted: BotRunner, visitor: Visitor) -> None:
    await file_signal(visitor)  # with a phone number
    assert "bellen op het nummer" in visitor.page and "Terneuzen" in visitor.page
    async with browsing(hosted) as anonymous:
        await file_signal(anonymous, contact=False)
        assert "kan u niet bellen" in anonymous.page and "/status/" in anonymous.page


async def test_every_page_links_help_and_privacy_in_the_same_place(
        hosted: BotRunner, visitor: Visitor) -> None:
    pages = [await visitor.open("/")]
    await file_signal(visitor)
    pages += [visitor.page, await visitor.open("/nergens"), await visitor.open("/status/x")]
    for page in pages:
        assert page.index("</main>") < page.index(
            '<footer><a href="/hulp">Hulp en privacy</a>')  # then the other languages
    help_page = await visitor.open("/hulp")
    assert "112" in help_page and "0800-0113" in help_page and "versleuteld" in help_page
    assert "/vergeetmij" in help_page and "/start" not in help_page


async def test_forget_me_on_the_web_erases_the_contact_details_the_link_and_the_cookie(
        api: Any, hosted: BotRunner, visitor: Visitor) -> None:
    reference = await file_signal(visitor)
    path = status_path(visitor.page)
    await hosted.settled()
    session = visitor.session
    await visitor.open("/hulp")
    forged = {**visitor.form.hidden, "token": "0" * 64, "action": "forget"}
    await visitor.post(forged, path="/vergeetmij")
    [signal] = await rows(hosted, Signal)
    assert signal.signaler_id is not None  # a forged form forgets nothing
    await visitor.open("/hulp")
    await visitor.press("Ja, vergeet mij")
    assert "Uw gegevens zijn gewist (1 signalen)" in visitor.page
    [signal] = await rows(hosted, Signal)
    assert signal.reference == reference and signal.signaler_id is None
    assert signal.answers is not None and "contact_phone" not in signal.answers
    assert signal.status_token_hash is None
    assert "niet (meer) bekend" in await visitor.open(path)
    assert not [c for c in visitor.jar if c.key == "signaalbot"]  # the cookie went
    await visitor.open("/")
    assert visitor.session != session and visitor.form.radios  # a new conversation
    await hosted.settled()
    assert "0612345678" not in api.messages(REGISSEUR)[-1]["text"]


async def test_ending_a_conversation_names_no_chat_command(hosted: BotRunner,
                                                           visitor: Visitor) -> None:
    await visitor.open("/")
    await visitor.pick("Ja")  # danger: the numbers to call, then stop
    await visitor.pick("Nee")
    assert "Er is niets doorgegeven" in visitor.page and "/start" not in visitor.page
    await visitor.open("/")
    await visitor.pick("Nee")
    await visitor.press("Annuleren")
    await visitor.press("Ja, stoppen")
    assert "geannuleerd" in visitor.page and "/start" not in visitor.page


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


async def test_the_page_after_sending_suggests_a_vraagje_and_activities_nearby(
        hosted: BotRunner, visitor: Visitor) -> None:
    await hosted.services.kaart.save("GM0715", [
        Activity("Koffie-ochtend", "Koffie en een praatje", 4531, tags=frozenset({"koffie"})),
        Activity("Computerhulp", "Hulp met de telefoon", 4531, tags=frozenset({"digitaal"}))])
    await file_signal(visitor)
    assert "Een vraag om een gesprek mee te beginnen" in visitor.page
    assert "Koffie-ochtend" in visitor.page and "Computerhulp" not in visitor.page
    assert "/vraagje" not in visitor.page  # no chat command on the web
