"""The web chat over HTTP: a visitor with a cookie jar, and a bot process hosting the chat.

``hosting_web`` makes a Telegram ``BotRunner`` host the web channel (as ``signaalbot run``
does with a token and ``[web] public_url`` set); ``Visitor`` reads each page's form and posts
it back as a browser without JavaScript would: ``pick`` a radio button, ``tick`` checkboxes,
``answer`` a text field, ``press`` a button.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import aiohttp

from bot.core.prompts import typed_form
from bot.settings import Settings
from handlers.web.app import WebChannel
from handlers.web.session import key
from tests.harness import BotRunner
from tests.standin import BotApiStandIn

PUBLIC_URL = "http://meld.test"


def with_web(settings: Settings, **web: Any) -> Settings:
    """The settings with the web chat on a free port of 127.0.0.1."""
    return settings.model_copy(update={"web": settings.web.model_copy(update={
        "public_url": PUBLIC_URL, "port": 0, **web})})


def hosting_web(api: BotApiStandIn, settings: Settings) -> BotRunner:
    """A Telegram bot process that hosts the web chat too."""
    return BotRunner(api, settings, channels=lambda s: [WebChannel(s)])


@asynccontextmanager
async def serving(api: BotApiStandIn, settings: Settings) -> AsyncIterator[BotRunner]:
    """A started bot process hosting the web chat, stopped afterwards."""
    runner = hosting_web(api, settings)
    await runner.start()
    try:
        yield runner
    finally:
        if runner.app is not None:
            await runner.stop()


@asynccontextmanager
async def browsing(runner: BotRunner) -> AsyncIterator[Visitor]:
    """A visitor of the runner's web chat, its browser closed afterwards."""
    visitor = Visitor(base_url(runner))
    try:
        yield visitor
    finally:
        await visitor.close()


def base_url(runner: BotRunner) -> str:
    """Where the hosted web chat listens."""
    [channel] = [c for c in runner.hosted if isinstance(c, WebChannel)]
    return f"http://127.0.0.1:{channel.port}"


@dataclass
class Form:
    """What one page's form holds."""

    hidden: dict[str, str] = field(default_factory=dict)
    radios: dict[str, str] = field(default_factory=dict)  # label -> value
    checks: dict[str, tuple[str, bool]] = field(default_factory=dict)  # label -> (value, ticked)
    buttons: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (name, value)
    text: str | None = None  # the text field's name, if any
    action: str = "/"  # where it posts


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.form, self._ids = Form(), {}  # type: Form, dict[str, tuple[str, str, bool]]
        self._label: str | None = None
        self._button: tuple[str, str] | None = None
        self._text = ""
        self._aria: str | None = None
        self._read = False  # the page's first form is read; the footer's languages are not

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self._read:
            return
        if tag == "form":
            self.form.action = a.get("action") or "/"
        elif tag == "input" and a.get("type") == "hidden":
            self.form.hidden[a["name"]] = a["value"]
        elif tag == "input" and a.get("type") in ("radio", "checkbox"):
            self._ids[a["id"]] = (a["type"], a["value"], "checked" in a)
        elif tag in ("textarea",) or (tag == "input" and a.get("type") in ("text", "tel")):
            self.form.text = a["name"]
        elif tag == "label" and a.get("for") in self._ids:
            self._label, self._text = a["for"], ""
        elif tag == "button":
            self._button, self._text = (a.get("name", ""), a.get("value", "")), ""
            self._aria = a.get("aria-label")

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._read = True
        elif tag == "label" and self._label is not None:
            kind, value, ticked = self._ids[self._label]
            if kind == "radio":
                self.form.radios[self._text.strip()] = value
            else:
                self.form.checks[self._text.strip()] = (value, ticked)
            self._label = None
        elif tag == "button" and self._button is not None:
            self.form.buttons[self._aria or self._text.strip()] = self._button
            self._button = None


def read_form(page: str) -> Form:
    """The form on a page."""
    reader = _Reader()
    reader.feed(page)
    return reader.form


def _find(labels: Mapping[str, Any], wanted: str) -> Any:
    found = [v for label, v in labels.items() if typed_form(label).startswith(typed_form(wanted))]
    assert len(found) == 1, f"{wanted!r} not one of {list(labels)}"
    return found[0]


class Visitor:
    """Someone in a browser without JavaScript: one cookie jar, the last page seen."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = aiohttp.CookieJar(unsafe=True)  # cookies from 127.0.0.1
        self.http = aiohttp.ClientSession(cookie_jar=self.jar)
        self.page = ""
        self.status = 0
        self.responses: list[aiohttp.ClientResponse] = []
        self._last: tuple[str, str, Any] = ("GET", "/", None)

    async def close(self) -> None:
        """Close the browser."""
        await self.http.close()

    @property
    def session(self) -> str:
        """The session id in the cookie jar."""
        [value] = [c.value for c in self.jar if c.key == "signaalbot"]
        return value

    async def answers(self, runner: BotRunner) -> dict[str, Any]:
        """The answers in this visitor's draft ({} without one)."""
        draft = await runner.services.intake.current_draft(key(self.session))
        return {} if draft is None else dict(draft.answers)

    @property
    def form(self) -> Form:
        """The form on the last page."""
        return read_form(self.page)

    async def open(self, path: str = "/") -> str:
        """GET a page."""
        return await self._keep(await self.http.get(self.base + path, allow_redirects=True))

    async def post(self, data: Any, *, path: str | None = None, **kwargs: Any) -> str:
        """POST to a path, by default the action of the page's form."""
        path = path or self.form.action
        self._last = ("POST", path, data)
        return await self._keep(await self.http.post(self.base + path, data=data, **kwargs))

    async def reload(self) -> str:
        """What a browser's reload does: the request of the page shown, sent again."""
        method, path, data = self._last
        if method == "POST":
            return await self.post(data, path=path)
        return await self.open(path)

    async def _keep(self, response: aiohttp.ClientResponse) -> str:
        if response.method == "GET":  # also where a posted form was redirected to
            self._last = ("GET", response.url.path_qs, None)
        self.status = response.status
        self.page = await response.text()
        self.responses.append(response)
        return self.page

    async def pick(self, label: str) -> str:
        """Choose a radio button and press "Verder"."""
        form = self.form
        return await self.post({**form.hidden, "choice": _find(form.radios, label),
                                "action": "next"})

    async def tick(self, *labels: str) -> str:
        """Tick exactly these checkboxes and press "Verder"."""
        form = self.form
        picks = [("pick", _find(form.checks, label)[0]) for label in labels]
        return await self.post([*form.hidden.items(), *picks, ("action", "next")])

    async def answer(self, text: str) -> str:
        """Type into the text field and press "Verder"."""
        form = self.form
        assert form.text, "no text field on this page"
        return await self.post({**form.hidden, form.text: text, "action": "next"})

    async def press(self, label: str) -> str:
        """Press a button of the form."""
        form = self.form
        name, value = _find(form.buttons, label)
        return await self.post({**form.hidden, name: value})


async def file_signal(visitor: Visitor, *, start: str = "/", role: bool = True, send: bool = True,
                      description: str = "Hij zit <altijd> binnen & de tuin verwildert",
                      contact: bool = True) -> str:
    """Walk a whole signal in the web chat, up to "Versturen"; returns the reference.

    ``send=False`` stops at the check-answers page (and returns "").
    """
    await visitor.open(start)
    await visitor.pick("Nee")
    if role:
        await visitor.pick("Kapper")
    await visitor.answer("4531 ab")
    await visitor.answer("12a")
    await visitor.tick("Post stapelt", "Gordijnen")
    await visitor.pick("Langer dan een half jaar")
    await visitor.pick("Elke week")
    await visitor.tick("Aangebeld")
    await visitor.answer(description)
    await visitor.pick("Weet ik niet")
    if contact:
        await visitor.pick("Ja, dat mag")
        await visitor.answer("Fatima de Vries")
        await visitor.answer("0612345678")
    else:
        await visitor.pick("Nee, ik blijf anoniem")
    if not send:
        return ""
    await visitor.press("Versturen")
    found = re.search(r"SP-\d{4}-\d{6}", visitor.page)
    assert found, visitor.page
    return found.group(0)


def status_path(page: str) -> str:
    """The status link's path on the page after sending."""
    found = re.search(r"/status/[A-Za-z0-9_-]+", page)
    assert found, page
    return found.group(0)
