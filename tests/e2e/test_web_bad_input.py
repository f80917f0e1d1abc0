"""Bad input in the web chat: what a person gets wrong, and what an attacker tries.

Every case of the Telegram bad-input tests that applies to forms, plus forged and replayed
forms, another session's cookie, a 1 MB post, markup in every field, values that are not on the
page, the rate limits and the security headers of every response.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.settings import Settings
from handlers.web.security import CSP
from storage.models import Outbox, Signal
from tests.conftest import make_settings
from tests.harness import BotRunner
from tests.helpers.stored import rows
from tests.helpers.web import Visitor, browsing, file_signal, read_form, serving, with_web

SCRIPT = "<script>alert(1)</script>"


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


async def at_postcode(visitor: Visitor) -> None:
    await visitor.open("/")
    await visitor.pick("Nee")
    await visitor.pick("Kapper")


def shows_error(page: str) -> bool:
    return ('class="error-summary"' in page and 'aria-invalid="true"' in page
            and 'aria-describedby="answer-error"' in page and 'href="#' in page)


async def test_nothing_chosen_where_a_choice_is_expected(hosted: BotRunner,
                                                         visitor: Visitor) -> None:
    await visitor.open("/")
    page = await visitor.post({**visitor.form.hidden, "action": "next"})
    assert shows_error(page) and 'href="#option-0"' in page
    assert await visitor.answers(hosted) == {}


@pytest.mark.parametrize("postcode", ["1234567", "ABCD", "0123 AB", "4531 SS", "45 31"])
async def test_invalid_postcode(hosted: BotRunner, visitor: Visitor, postcode: str) -> None:
    await at_postcode(visitor)
    page = await visitor.answer(postcode)
    assert shows_error(page) and "geen geldige postcode" in page
    assert "postcode" not in await visitor.answers(hosted)
    await visitor.answer("4531 ab")
    assert (await visitor.answers(hosted))["postcode"] == "4531 AB"


async def test_over_long_text(hosted: BotRunner, visitor: Visitor) -> None:
    await at_postcode(visitor)
    await visitor.answer("4531 ab")
    await visitor.answer("12a")
    await visitor.tick("Post stapelt")
    await visitor.pick("Minder dan een maand")
    await visitor.pick("Elke week")
    await visitor.tick("Nog niets")
    assert 'maxlength="1000"' in visitor.page
    page = await visitor.answer("x" * 1500)
    assert shows_error(page) and "1500 tekens" in page
    assert "description" not in await visitor.answers(hosted)


async def test_a_replayed_form_and_a_double_submit_change_nothing(hosted: BotRunner,
                                                                  visitor: Visitor) -> None:
    await visitor.open("/")
    old = {**visitor.form.hidden, "choice": visitor.form.radios["Nee"], "action": "next"}
    await visitor.post(old)
    await visitor.pick("Kapper")
    before = await visitor.answers(hosted)
    page = await visitor.post(old)
    assert "niet meer actueel" in page and 'name="answer"' in page  # the current question
    assert await visitor.answers(hosted) == before


async def test_a_forged_csrf_token_changes_nothing(hosted: BotRunner, visitor: Visitor) -> None:
    await visitor.open("/")
    form = visitor.form
    page = await visitor.post({**form.hidden, "token": "forged00", "choice": form.radios["Nee"],
                               "action": "next"})
    assert "niet meer actueel" in page
    page = await visitor.post({"choice": form.radios["Nee"], "action": "next"})
    assert "niet meer actueel" in page
    assert await visitor.answers(hosted) == {}


@pytest.mark.parametrize("value", ["garbage", "x|c|danger|nee", "|||", "{token}|c|danger|misschien",
                                   "{token}|c|role|kapper", "{token}|e|contact", "{token}|d|signs"])
async def test_a_value_that_is_not_on_the_page_changes_nothing(
        hosted: BotRunner, visitor: Visitor, value: str) -> None:
    await visitor.open("/")
    form = visitor.form
    posted = value.format(token=form.hidden["token"])
    for field in ("choice", "button"):
        page = await visitor.post({**form.hidden, field: posted, "action": "next"})
        assert "Kies een van de antwoorden" in page
    assert await visitor.answers(hosted) == {}


async def test_a_checkbox_value_that_is_not_an_option(hosted: BotRunner, visitor: Visitor
                                                      ) -> None:
    await at_postcode(visitor)
    await visitor.answer("4531 ab")
    await visitor.answer("12a")
    form = visitor.form
    page = await visitor.post([*form.hidden.items(), ("pick", "post"), ("pick", "bom"),
                               ("action", "next")])
    assert "Kies een van de antwoorden" in page and "signs" not in await visitor.answers(hosted)
    page = await visitor.post([*form.hidden.items(), ("action", "next")])
    assert shows_error(page)


async def test_another_sessions_cookie_cannot_see_or_change_a_draft(
        hosted: BotRunner, visitor: Visitor) -> None:
    await at_postcode(visitor)
    await visitor.answer("4531 ab")
    mine = visitor.form
    other = Visitor(visitor.base)
    try:
        other.jar.update_cookies({"signaalbot": "A" * 43}, response_url=visitor.responses[0].url)
        page = await other.open("/")
        assert "4531" not in page and "Kapper" not in page
        page = await other.post({**mine.hidden, "answer": "13", "action": "next"})
        assert "niet meer actueel" in page
        other.jar.clear()
        await other.post({**mine.hidden, "answer": "13", "action": "next"})
        assert "4531" not in other.page
    finally:
        await other.close()
    assert "house_number" not in await visitor.answers(hosted)


async def test_a_megabyte_post_is_refused_unread(visitor: Visitor) -> None:
    await visitor.open("/")
    body = io.BytesIO(b"answer=" + b"x" * 1_048_576)
    page = await visitor.post(body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert visitor.status == 413 and "te veel tekst" in page

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b"x" * 16384

    page = await visitor.post(chunks(), headers={  # type: ignore[arg-type]
        "Content-Type": "application/x-www-form-urlencoded"})
    assert visitor.status == 413


async def test_markup_in_every_field_is_escaped_everywhere(
        api: Any, hosted: BotRunner, visitor: Visitor) -> None:
    await at_postcode(visitor)
    for bad in (SCRIPT, "<b>4531</b>"):
        assert SCRIPT not in await visitor.answer(bad)
    await visitor.answer("4531 ab")
    assert SCRIPT not in await visitor.answer(SCRIPT)  # the house number
    await visitor.answer("12a")
    await visitor.tick("Post stapelt")
    await visitor.pick("Minder dan een maand")
    await visitor.pick("Elke week")
    await visitor.tick("Nog niets")
    await visitor.answer(f"Hij zit binnen {SCRIPT}")
    await visitor.pick("Weet ik niet")
    await visitor.pick("Ja, dat mag")
    await visitor.answer(f"Fatima {SCRIPT}")
    assert SCRIPT not in await visitor.answer(SCRIPT)  # the phone number
    await visitor.answer("0612345678")
    await visitor.press("Versturen")
    await hosted.settled()
    [signal] = await rows(hosted, Signal)
    assert signal.answers is not None and SCRIPT in signal.answers["description"]
    pages = [await r.text() for r in visitor.responses]
    assert all(SCRIPT not in page for page in pages)
    assert any("&lt;script&gt;" in page for page in pages)
    # The stand-in parses the HTML as Telegram does (an unescaped tag is refused): the alert
    # shows the markup as plain text, so it was escaped on its way.
    alerts = [m.get("text", "") for chat in (7001, -1007002) for m in api.messages(chat)]
    assert alerts and all(f"Fatima {SCRIPT}" in text for text in alerts)
    assert all(SCRIPT not in (o.text or "") for o in await rows(hosted, Outbox))


async def test_nothing_after_sending_is_filed_twice(hosted: BotRunner, visitor: Visitor) -> None:
    await file_signal(visitor)
    sent = visitor.responses[-2]  # the summary page's form, posted again
    summary = await sent.text()
    form = read_form(summary)
    name, value = form.buttons["✅ Versturen"]
    await visitor.post({**form.hidden, name: value})
    assert len(await rows(hosted, Signal)) == 1


async def test_every_response_has_the_security_headers(visitor: Visitor) -> None:
    await visitor.open("/")
    await visitor.pick("Nee")
    await visitor.open("/bestaat-niet")
    assert visitor.status == 404
    await visitor.open("/static/web.css")
    await visitor.open("/status/" + "a" * 32)
    await visitor.post(b"x" * 20000)
    for response in visitor.responses:
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        if response.content_type == "text/html":
            assert response.headers["Cache-Control"] == "no-store"
            assert "<script" not in await response.text() and "style=" not in await response.text()
    cookie = visitor.responses[0].headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie


async def test_rate_limits_per_session_and_per_address(api: Any, settings: Settings) -> None:
    limited = with_web(settings, session_requests=3, address_requests=12)
    async with serving(api, limited) as runner, browsing(runner) as visitor:
        await visitor.open("/")
        statuses = []
        for _ in range(4):
            await visitor.post({**visitor.form.hidden, "action": "next"})
            statuses.append(visitor.status)
        assert statuses == [200, 200, 200, 429] and "Even geduld" in visitor.page
        async with aiohttp.ClientSession() as other:  # no cookie: only the address counts
            got = [(await other.get(visitor.base + "/")).status for _ in range(8)]
        assert got[-1] == 429 and 200 in got
