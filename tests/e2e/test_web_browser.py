"""The web chat in real headless Chromium on a phone-sized page: a whole signal filed by mouse
and typing (axe-core and a 24×24 px target check on every page), by keyboard alone (focus
visible at every stop), and with JavaScript off (plain form posts), each reaching the alerts.

Skipped only where Chromium is missing and ``SIGNAALBOT_REQUIRE_CHROMIUM`` is unset.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio

from bot.settings import Settings
from storage.models import Signal
from tests.conftest import bot_api, make_settings
from tests.harness import BotRunner
from tests.helpers.browser import (
    assert_accessible,
    chromium_page,
    focus_visible,
    launch_chromium,
    requires_chromium,
)
from tests.helpers.stored import rows
from tests.helpers.web import PUBLIC_URL, base_url, hosting_web, with_web

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

pytestmark = [requires_chromium, pytest.mark.asyncio(loop_scope="module")]

REGISSEUR = 7001
DESCRIPTION = "Hij zit <altijd> binnen & de tuin verwildert"
WALK: list[tuple[str, Any]] = [  # what a kapper answers, question by question
    ("radio", "Nee"), ("radio", "Kapper"), ("text", "4531 ab"), ("text", "12a"),
    ("check", ("Post stapelt", "Gordijnen")), ("radio", "Langer dan een half jaar"),
    ("radio", "Elke week"), ("check", ("Aangebeld",)), ("text", DESCRIPTION),
    ("radio", "Weet ik niet"), ("radio", "Ja, dat mag"), ("text", "Fatima de Vries"),
    ("text", "0612345678")]
BAD_POSTCODE = "12"
TARGETS = "button, a, input:not([type=hidden]), textarea, select"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return with_web(make_settings(db_url))


@pytest_asyncio.fixture(loop_scope="module")
async def api() -> AsyncIterator[Any]:
    """The Bot API stand-in on the module's loop, where the browser runs."""
    async with bot_api() as standin:
        yield standin


@pytest_asyncio.fixture(loop_scope="module")
async def hosted(api: Any, settings: Settings) -> AsyncIterator[BotRunner]:
    runner = hosting_web(api, settings)
    await runner.start()
    yield runner
    if runner.app is not None:
        await runner.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with launch_chromium() as chromium:
        yield chromium


@pytest_asyncio.fixture(loop_scope="module")
async def tab(request: pytest.FixtureRequest, browser: Browser) -> AsyncIterator[Page]:
    """A phone-sized page in Chromium (``javascript`` from the test's parameter, default on)."""
    javascript = getattr(request, "param", True)
    async with chromium_page(browser, javascript=javascript) as page:
        page.set_default_timeout(10_000)
        yield page


async def small_targets(page: Page) -> list[str]:
    """The interactive elements smaller than 24×24 CSS px (inline links in text excepted)."""
    small = []
    for element in await page.locator(TARGETS).all():
        box = await element.bounding_box()
        assert box is not None
        inline = await element.evaluate(
            "e => e.tagName === 'A' && getComputedStyle(e).display === 'inline'")
        if (box["width"] < 24 or box["height"] < 24) and not inline:
            small.append(await element.evaluate("e => e.outerHTML.slice(0, 80)"))
    return small


async def checked_page(page: Page) -> None:
    """axe-core finds no serious or critical violation, every target is 24×24 px at least;
    at 400 % zoom (a 320 px window) nothing needs scrolling sideways."""
    await assert_accessible(page)
    assert await small_targets(page) == []
    width = page.viewport_size
    await page.set_viewport_size({"width": 320, "height": 256})
    try:
        assert await page.evaluate(NO_SIDEWAYS), f"sideways scrolling at 400 % on {page.url}"
    finally:
        assert width is not None
        await page.set_viewport_size(width)


def starts(label: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(label))


async def submit(page: Page, name: str = "Verder") -> None:
    """Press the button whose label ends in ``name`` ("✅ Versturen") and wait for the page."""
    async with page.expect_navigation():
        await page.get_by_role("button", name=re.compile(re.escape(name) + "$")).click()


async def by_mouse(page: Page, kind: str, value: Any) -> None:
    """Answer one question as a person does: click the choices, type, press "Verder"."""
    if kind == "radio":
        await page.get_by_label(starts(value)).click()
    elif kind == "check":
        for label in value:
            await page.get_by_label(starts(label)).click()
    else:
        await page.locator("#answer").click()
        await page.locator("#answer").fill("")
        await page.keyboard.type(value)
    await submit(page)


async def stop(page: Page) -> dict[str, Any]:
    """The focused element: its tag, type, accessible label, and whether it is checked."""
    return dict(await page.evaluate("""() => {
        const e = document.activeElement;
        const label = e.getAttribute('aria-label')
            || (e.labels && e.labels.length ? e.labels[0].innerText : e.innerText) || '';
        return {tag: e.tagName.toLowerCase(), type: e.type || '', label: label.trim(),
                checked: !!e.checked};
    }"""))


async def tab_on(page: Page, key: str = "Tab") -> dict[str, Any]:
    await page.keyboard.press(key)
    assert await focus_visible(page), f"focus not visible at {await stop(page)} on {page.url}"
    assert await page.evaluate(UNOBSCURED), f"focus hidden at {await stop(page)} on {page.url}"
    return await stop(page)


# WCAG 2.2's "focus not obscured": the focused element lies inside the window and is the
# element drawn at its centre (no sticky bar or overlay over it).
UNOBSCURED = """() => {
    const e = document.activeElement, r = e.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const top = document.elementFromPoint(x, y);
    return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth
        && !!top && (top === e || e.contains(top) || top.contains(e)
                     || (e.labels && [...e.labels].some(l => l.contains(top))));
}"""
# WCAG's reflow at 400 % zoom: 1280 CSS px shown at 400 % is a 320 px wide window; nothing
# may need scrolling sideways.
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


async def by_keyboard(page: Page, kind: str, value: Any, button: str = "Verder") -> None:
    """Answer one question with the keyboard alone: Tab through the page, arrows and Space for
    the choices, type into the field, Enter on the button."""
    wanted = (value,) if isinstance(value, str) else value
    for _ in range(40):
        here = await tab_on(page)
        if here["type"] == "radio" and kind == "radio":
            while not here["label"].startswith(value):
                await page.keyboard.press("ArrowDown")
                here = await stop(page)
            await page.keyboard.press("Space")
            assert (await stop(page))["checked"]
        elif here["type"] == "checkbox" and kind == "check":
            if any(here["label"].startswith(label) for label in wanted) != here["checked"]:
                await page.keyboard.press("Space")
        elif here["tag"] == "textarea":  # Tab on to the button and back, as people check
            assert (await tab_on(page))["label"] == button
            assert (await tab_on(page, "Shift+Tab"))["tag"] == "textarea"
            await page.keyboard.type(value)
        elif here["tag"] == "input" and kind == "text":
            await page.keyboard.press("Control+A")
            await page.keyboard.type(value)
        elif here["tag"] == "button" and here["label"].endswith(button):
            async with page.expect_navigation():
                await page.keyboard.press("Enter")
            return
    raise AssertionError(f"no {button!r} button reached by Tab on {page.url}")


async def walk(page: Page, api: Any, hosted: BotRunner, *, keyboard: bool = False,
               check: bool = False) -> None:
    """File the whole signal, with a bad postcode first; then the thanks and the status page."""
    answer = by_keyboard if keyboard else by_mouse
    await page.goto(base_url(hosted) + "/")
    for kind, value in WALK:
        if check:
            await checked_page(page)
        if value == "4531 ab":  # a bad postcode first: the error page
            await answer(page, kind, BAD_POSTCODE)
            assert await page.locator(".error-summary").is_visible()
            assert await page.locator("#answer").get_attribute("aria-invalid") == "true"
            if check:
                await checked_page(page)
        await answer(page, kind, value)
    assert await page.locator("ul.check").is_visible()  # check answers
    if check:
        await checked_page(page)
    if keyboard:
        await by_keyboard(page, "send", None, button="Versturen")
    else:
        await submit(page, "Versturen")
    text = await page.locator("main").inner_text()
    found = re.search(r"SP-\d{4}-\d{6}", text)
    assert found, text
    await reaches_the_alerts(api, hosted, found.group(0))
    if check:
        await checked_page(page)
    link = await page.locator(".reference a").get_attribute("href")  # at the public_url
    assert link is not None and link.startswith(PUBLIC_URL + "/status/")
    await page.goto(base_url(hosted) + link.removeprefix(PUBLIC_URL))
    assert "Ontvangen" in await page.locator("main").inner_text()
    if check:
        await checked_page(page)
    async with page.expect_navigation():  # help and privacy, from the foot of every page
        await page.get_by_role("link", name="Hulp en privacy").click()
    assert await page.get_by_role("button", name="Ja, vergeet mij").is_visible()
    if check:
        await checked_page(page)


async def reaches_the_alerts(api: Any, hosted: BotRunner, reference: str) -> None:
    await hosted.settled()
    [signal] = await rows(hosted, Signal)
    assert signal.reference == reference and signal.gemeente_code == "GM0715"
    assert signal.answers is not None and signal.answers["description"] == DESCRIPTION
    assert signal.answers["signs"] == ["gordijnen", "post"]
    alert = api.messages(REGISSEUR)[-1]["text"]
    assert reference in alert and "Hij zit <altijd> binnen" in alert


async def test_a_signal_filed_on_a_phone_accessible_at_every_page(api: Any, hosted: BotRunner,
                                                                  tab: Page) -> None:
    await walk(tab, api, hosted, check=True)


async def test_a_signal_filed_with_the_keyboard_alone(api: Any, hosted: BotRunner,
                                                      tab: Page) -> None:
    await walk(tab, api, hosted, keyboard=True)


@pytest.mark.parametrize("tab", [False], indirect=True, ids=["no-javascript"])
async def test_a_signal_filed_without_javascript(api: Any, hosted: BotRunner, tab: Page) -> None:
    assert await tab.evaluate("() => 1") == 1  # Playwright's own evaluate still works
    await walk(tab, api, hosted)
