"""The browser harness itself (tests/helpers/browser.py), on small pages served here under a CSP
as strict as the web chat's: axe-core gets in and tells an inaccessible page from an accessible
one, a form is filled in and sent with the keyboard alone, a phone-sized screenshot is taken.

One Chromium serves the whole module. Skipped only where Chromium is missing and
``SIGNAALBOT_REQUIRE_CHROMIUM`` is unset (CI sets it).
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio
from aiohttp import web

from tests.helpers.browser import (
    DESKTOP,
    PHONE,
    aria,
    assert_accessible,
    axe,
    chromium_page,
    focus_visible,
    focused,
    launch_chromium,
    report,
    requires_chromium,
    serious_or_critical,
    tab_order,
)

if TYPE_CHECKING:
    from playwright.async_api import Browser

pytestmark = [requires_chromium, pytest.mark.asyncio(loop_scope="module")]

CSP = ("default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
STYLE = """
body { font: 1rem/1.5 sans-serif; color: #1a1a1a; background: #fff; margin: 1rem; }
.faint { color: #c8c8c8; }
input, button { font: inherit; min-height: 44px; }
:focus-visible { outline: 3px solid #0b0c0c; outline-offset: 2px; }
"""
HEAD = ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>{title}</title><link rel="stylesheet" href="/style.css"></head><body>')
INACCESSIBLE = HEAD.format(title="Inaccessible") + """
<p class="faint">Hard to read, grey on white.</p>
<form method="post" action="/sent"><input name="street"><button>Send</button></form>
<script>document.body.dataset.inline = "ran";</script>
</body></html>"""
FORM = HEAD.format(title="A form") + """
<main><h1>Tell us</h1>
<form method="post" action="/sent">
<p><label for="name">Name</label><br><input id="name" name="name" autocomplete="name"></p>
<fieldset><legend>How urgent?</legend>
<input type="radio" id="soon" name="when" value="soon"><label for="soon">Soon</label>
<input type="radio" id="today" name="when" value="today"><label for="today">Today</label>
</fieldset>
<p><label for="note">Note</label><br><textarea id="note" name="note"></textarea></p>
<button id="send">Send</button>
</form></main></body></html>"""


def strict(text: str, content_type: str = "text/html") -> web.Response:
    """A response under the web chat's CSP."""
    return web.Response(text=text, content_type=content_type,
                        headers={"Content-Security-Policy": CSP})


async def page(request: web.Request) -> web.Response:
    return strict({"inaccessible": INACCESSIBLE, "form": FORM}[request.match_info["name"]])


async def sent(request: web.Request) -> web.Response:
    form = await request.post()
    fields = "".join(f"<li>{html.escape(key)}: {html.escape(str(value))}</li>"
                     for key, value in form.items())
    return strict(HEAD.format(title="Sent")
                  + f'<main><h1>Sent</h1><ul id="got">{fields}</ul></main></body></html>')


async def style(request: web.Request) -> web.Response:
    return strict(STYLE, "text/css")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def site() -> AsyncIterator[str]:
    app = web.Application()
    app.add_routes([web.get("/style.css", style), web.get("/{name}", page),
                    web.post("/sent", sent)])
    runner = web.AppRunner(app)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    port = server._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with launch_chromium() as chromium:
        yield chromium


async def test_the_csp_keeps_script_tags_out_but_not_axe(browser: Browser, site: str) -> None:
    from playwright.async_api import Error

    async with chromium_page(browser, DESKTOP) as tab:
        await tab.goto(f"{site}/inaccessible")
        assert await tab.evaluate("() => document.body.dataset.inline") is None  # CSP in force
        with pytest.raises(Error):
            await tab.add_script_tag(content="window.injected = 1")
        assert await axe(tab)  # runs all the same, through the DevTools protocol


async def test_axe_finds_the_missing_label_and_the_poor_contrast(browser: Browser,
                                                                 site: str) -> None:
    async with chromium_page(browser) as tab:
        await tab.goto(f"{site}/inaccessible")
        found = serious_or_critical(await axe(tab))
    rules = {item.rule: item for item in found}
    assert {"label", "color-contrast"} <= rules.keys(), report(found)
    assert rules["label"].targets == ("input",)
    assert rules["color-contrast"].impact == "serious"
    assert "label [critical]" in report(found) and "dequeuniversity.com" in report(found)
    with pytest.raises(AssertionError, match="color-contrast"):
        async with chromium_page(browser) as tab:
            await tab.goto(f"{site}/inaccessible")
            await assert_accessible(tab)


async def test_a_form_filled_in_and_sent_with_the_keyboard_alone(browser: Browser,
                                                                 site: str) -> None:
    async with chromium_page(browser) as tab:
        await tab.goto(f"{site}/form")
        await assert_accessible(tab)
        assert "- textbox \"Name\"" in await aria(tab, "main")
        assert await focused(tab) == "body"
        await tab.keyboard.press("Tab")
        assert await focused(tab) == "input#name" and await focus_visible(tab)
        await tab.keyboard.type("Ans <b>& co</b>")
        assert await tab_order(tab, 1) == ["input#soon"]
        await tab.keyboard.press("ArrowRight")  # arrows move within a radio group
        assert await focused(tab) == "input#today" and await focus_visible(tab)
        assert await tab_order(tab, 2) == ["textarea#note", "button#send"]
        assert await focus_visible(tab)
        await tab.keyboard.press("Shift+Tab")
        await tab.keyboard.type("Curtains closed all week")
        await tab.keyboard.press("Tab")
        async with tab.expect_navigation():
            await tab.keyboard.press("Enter")
        assert await tab.locator("h1").inner_text() == "Sent"
        assert await tab.locator("#got li").all_inner_texts() == [
            "name: Ans <b>& co</b>", "when: today", "note: Curtains closed all week"]
        await assert_accessible(tab)


async def test_a_phone_sized_screenshot(browser: Browser, site: str, tmp_path: Path) -> None:
    from PIL import Image

    async with chromium_page(browser, PHONE) as tab:
        await tab.goto(f"{site}/form")
        await tab.screenshot(path=tmp_path / "phone.png")
        assert await tab.evaluate("() => document.documentElement.scrollWidth") <= PHONE[0]
    with Image.open(tmp_path / "phone.png") as image:
        assert image.size == PHONE
        assert image.convert("L").getextrema()[0] < 64  # text was drawn


async def test_without_javascript_a_form_post_and_axe_still_work(browser: Browser,
                                                                  site: str) -> None:
    async with chromium_page(browser, javascript=False) as tab:
        await tab.goto(f"{site}/inaccessible")
        assert {item.rule for item in await axe(tab)} >= {"label", "color-contrast"}
        assert await tab.evaluate("() => document.body.dataset.inline") is None
        await tab.goto(f"{site}/form")
        await assert_accessible(tab)
        await tab.get_by_label("Name").fill("Ans")
        await tab.get_by_role("button", name="Send").click()
        await tab.wait_for_url(f"{site}/sent")
        assert await tab.locator("#got li").all_inner_texts() == ["name: Ans", "note:"]
        await assert_accessible(tab)
