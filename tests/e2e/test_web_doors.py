"""The doors in the web chat: a volunteer signs up through plain forms, and the coordinator
hears of it on Telegram; an organisation's link skips the door."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.settings import Settings
from storage.models import Signal
from tests.harness import BotRunner
from tests.helpers.reports import (
    COORDINATOR,
    DOOR_HELP,
    DOOR_SELF,
    SELF_NAME,
    SELF_PHONE,
    VOLUNTEER_NAME,
    doors_settings,
)
from tests.helpers.staff import GROUP, REGISSEUR
from tests.helpers.stored import rows
from tests.helpers.web import Visitor, browsing, serving, status_path, with_web


@pytest.fixture
def settings(db_url: str) -> Settings:
    return with_web(doors_settings(db_url, organisations=[
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


async def test_a_volunteer_signs_up_in_the_web_chat(api: Any, hosted: BotRunner,
                                                   visitor: Visitor) -> None:
    page = await visitor.open("/")
    assert DOOR_SELF in page and DOOR_HELP in page
    await visitor.pick(DOOR_HELP)
    await visitor.tick("Maatje zijn", "Helpen bij een koffie-ochtend")
    await visitor.pick("Af en toe")
    await visitor.answer("4531 ab")
    await visitor.answer(VOLUNTEER_NAME)
    await visitor.answer("0611223344")
    await visitor.pick("Ja, dat is goed")
    assert "Maatje zijn voor iemand" in visitor.page  # the check-answers page
    assert "Uw signaal" not in visitor.page
    await visitor.press("Versturen")
    await hosted.settled()
    [signup] = await rows(hosted, Signal)
    assert signup.kind == "vrijwilliger" and str(signup.reference) in visitor.page
    assert signup.choices == {"vw_wat": ["maatje", "koffie"], "vw_vaak": "af_en_toe"}
    for chat in (COORDINATOR, REGISSEUR):
        assert "Nieuwe vrijwilliger" in api.messages(chat)[-1]["text"]
    assert api.messages(GROUP) == []


async def test_a_self_report_on_the_web_offers_no_reply_through_the_chat(
        api: Any, hosted: BotRunner, visitor: Visitor) -> None:
    """The web chat cannot write to them later: only "Bel mij op" is offered."""
    await visitor.open("/")
    await visitor.pick(DOOR_SELF)
    await visitor.pick("Nee")
    await visitor.tick("Een praatje")
    await visitor.answer("4531 ab")
    assert list(visitor.form.radios) == ["Bel mij op"]
    chat = visitor.form.radios["Bel mij op"].replace("telefoon", "chat")
    await visitor.post({**visitor.form.hidden, "choice": chat, "action": "next"})
    assert list(visitor.form.radios) == ["Bel mij op"]  # a forged "chat" is refused
    await visitor.pick("Bel mij op")
    await visitor.pick("'s Middags")
    await visitor.answer(SELF_NAME)
    await visitor.answer(SELF_PHONE)
    await visitor.pick("Ja, dat is goed")
    await visitor.press("Versturen")
    [report] = await rows(hosted, Signal)
    assert report.kind == "zelfmelding" and report.reference in visitor.page
    assert "Dank u wel dat u dit liet weten" in visitor.page and "signaal" not in visitor.page
    assert "Ontvangen" in await visitor.open(status_path(visitor.page))
    await hosted.settled()
    assert "Nieuwe zelfmelding" in api.messages(REGISSEUR)[-1]["text"]


async def test_an_organisation_link_skips_the_door(hosted: BotRunner, visitor: Visitor) -> None:
    page = await visitor.open("/s/postnl-tnz")
    assert "direct gevaar" in page and DOOR_SELF not in page
