"""The web chat's language: the browser's own, or the one chosen with the footer's buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.settings import Settings
from storage.models import Signaler
from tests.conftest import make_settings
from tests.harness import BotRunner
from tests.helpers.stored import rows
from tests.helpers.web import Visitor, browsing, serving, with_web


@pytest.fixture
def settings(db_url: str) -> Settings:
    return with_web(make_settings(db_url))


@pytest.fixture
async def hosted(api: Any, settings: Settings) -> AsyncIterator[BotRunner]:
    async with serving(api, settings) as runner:
        yield runner


@pytest.fixture
async def visitor(hosted: BotRunner) -> AsyncIterator[Visitor]:
    async with browsing(hosted) as visitor:
        yield visitor


async def test_the_browser_language_then_the_chosen_one(hosted: BotRunner,
                                                        visitor: Visitor) -> None:
    visitor.http.headers["Accept-Language"] = "en-GB,en;q=0.9,nl;q=0.5"
    page = await visitor.open()
    assert '<html lang="en" dir="ltr">' in page
    assert "immediate danger" in page and "Help and privacy" in page
    assert '<button name="code" value="nl" lang="nl" dir="ltr">Nederlands</button>' in page
    page = await visitor.post({"code": "nl"}, path="/taal")
    assert '<html lang="nl" dir="ltr">' in page and "direct gevaar" in page
    assert 'value="en" lang="en" dir="ltr">English</button>' in page
    [signaler] = await rows(hosted, Signaler)
    assert signaler.language == "nl"
    await visitor.pick("Nee")  # the conversation goes on, in Dutch
    assert "Wie bent u?" in visitor.page


async def test_a_browser_in_another_language_reads_dutch(visitor: Visitor) -> None:
    visitor.http.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
    assert '<html lang="nl" dir="ltr">' in await visitor.open()
