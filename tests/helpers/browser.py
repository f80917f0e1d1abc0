"""Pages in Debian's headless Chromium, driven by Playwright, with axe-core's accessibility check.

One browser per test module (``launch_chromium``), a fresh context per page (``chromium_page``:
own cookies, a phone-sized window by default). ``axe`` runs the real axe-core engine, the
``axe.min.js`` that the ``axe-playwright-python`` package ships, through the DevTools protocol,
so a page's Content-Security-Policy (even ``default-src 'none'``) does not keep it out.
Playwright's own browsers are never downloaded: it launches ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from weakref import WeakSet

import pytest

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

PHONE = (390, 844)  # a common phone in CSS pixels, portrait
DESKTOP = (1280, 800)
WCAG = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")  # axe-core's tags
_WITHOUT_SCRIPT: WeakSet[Page] = WeakSet()  # pages made by chromium_page(javascript=False)


def chromium() -> str | None:
    """The Chromium (or Chrome) on the PATH, if any."""
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser",
                                                "google-chrome"))), None)


requires_chromium = pytest.mark.skipif(
    chromium() is None and os.environ.get("SIGNAALBOT_REQUIRE_CHROMIUM") != "1",
    reason="Chromium is not installed (CI sets SIGNAALBOT_REQUIRE_CHROMIUM=1)")


@asynccontextmanager
async def launch_chromium() -> AsyncIterator[Browser]:
    """Headless Chromium from the PATH under Playwright (a module-scoped fixture shares it)."""
    from playwright.async_api import async_playwright

    executable = chromium()
    if executable is None:
        raise RuntimeError("Chromium not found: apt-get install chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True,
            env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"})
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def chromium_page(browser: Browser, viewport: tuple[int, int] = PHONE,
                        javascript: bool = True) -> AsyncIterator[Page]:
    """A page in a context of its own (no shared cookies), ``viewport`` CSS pixels; without
    ``javascript`` the page's own scripts never run (``axe`` checks a copy of it)."""
    context = await browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, java_script_enabled=javascript,
        locale="nl-NL")
    try:
        page = await context.new_page()
        if not javascript:
            _WITHOUT_SCRIPT.add(page)
        yield page
    finally:
        await context.close()


@dataclass(frozen=True)
class Violation:
    """One axe-core rule a page breaks: where, how badly, and what would fix it."""

    rule: str
    impact: str | None  # minor, moderate, serious or critical
    help: str
    url: str
    targets: tuple[str, ...]  # CSS selectors of the offending nodes

    def __str__(self) -> str:
        return (f"{self.rule} [{self.impact}] {self.help}: {', '.join(self.targets)}"
                f" ({self.url})")


@cache
def axe_source() -> str:
    """axe-core's ``axe.min.js`` (MPL-2.0), as the axe-playwright-python wheel ships it."""
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


async def _axe_copy(page: Page, tags: list[str]) -> list[Violation]:
    """axe on a copy of a page whose scripts are off (axe needs timers, which stop with them):
    the same document at the same address and window size, scripts kept out by a CSP."""
    browser = page.context.browser
    assert browser is not None and page.viewport_size is not None
    document, address = await page.content(), page.url.split("#")[0]
    async with chromium_page(browser, (page.viewport_size["width"],
                                       page.viewport_size["height"])) as copy:
        await copy.route(lambda url: url == address, lambda route: route.fulfill(
            body=document, content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": "script-src 'none'"}))  # its scripts stay off
        await copy.goto(page.url)
        return await axe(copy, tags)


async def axe(page: Page, tags: Iterable[str] = WCAG) -> list[Violation]:
    """The axe-core rules with one of ``tags`` that ``page`` breaks, as it is now."""
    if page in _WITHOUT_SCRIPT:
        return await _axe_copy(page, list(tags))
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(axe_source())  # over the DevTools protocol: the CSP allows it
    results: dict[str, Any] = await page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]})
    return [Violation(rule=item["id"], impact=item["impact"], help=item["help"],
                      url=item["helpUrl"],
                      targets=tuple(" ".join(map(str, node["target"])) for node in item["nodes"]))
            for item in results["violations"]]


def serious_or_critical(violations: Iterable[Violation]) -> list[Violation]:
    """The violations axe-core rates serious or critical."""
    return [item for item in violations if item.impact in ("serious", "critical")]


def report(violations: Iterable[Violation]) -> str:
    """One line per violation: rule, impact, help and targets (an assertion's message)."""
    return "\n".join(map(str, violations)) or "no violations"


async def assert_accessible(page: Page, tags: Iterable[str] = WCAG) -> None:
    """Fail, listing them, if axe-core finds serious or critical violations on ``page``."""
    found = serious_or_critical(await axe(page, tags))
    assert not found, f"axe-core on {page.url}:\n{report(found)}"


async def focused(page: Page) -> str:
    """The element with keyboard focus, as ``tag#id`` or ``tag[name=…]`` (``body`` if none)."""
    return str(await page.evaluate("""() => {
        const e = document.activeElement;
        if (!e) return 'body';
        const tag = e.tagName.toLowerCase();
        return e.id ? `${tag}#${e.id}` : e.name ? `${tag}[name=${e.name}]` : tag;
    }"""))


async def tab_order(page: Page, steps: int) -> list[str]:
    """Press Tab ``steps`` times from where the focus is; the elements focused, in order."""
    order = []
    for _ in range(steps):
        await page.keyboard.press("Tab")
        order.append(await focused(page))
    return order


async def focus_visible(page: Page) -> bool:
    """The focused element matches ``:focus-visible`` and draws an outline or a shadow."""
    return bool(await page.evaluate("""() => {
        const e = document.activeElement;
        if (!e || e === document.body || !e.matches(':focus-visible')) return false;
        const style = getComputedStyle(e);
        return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
            || style.boxShadow !== 'none';
    }"""))


async def aria(page: Page, selector: str = "body") -> str:
    """The accessibility tree under ``selector`` as Playwright's ARIA snapshot (YAML)."""
    return await page.locator(selector).aria_snapshot()
