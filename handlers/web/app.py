"""The web chat as a channel of the bot process, on aiohttp's web server.

aiohttp is already the project's HTTP stack (the Telegram transport, the Signal client, the
test stand-ins); its server is production-grade (HTTP/1.1 keep-alive, streaming bodies with a
size cap, graceful shutdown) and runs on the bot's own event loop, next to python-telegram-bot
or the Signal channel, so a web step is the same in-process use case call as a chat message.
Put a TLS-terminating proxy in front and keep ``web.listen`` on loopback.

Nothing is pushed to a web visitor, so the channel has no outbox sender: a signaler follows
their signal on its status page.
"""

from __future__ import annotations

import logging
from importlib import resources

from aiohttp import web

from bot.core.outbox import Sender
from bot.core.people import WEB
from bot.services import Services
from bot.settings import Settings
from handlers.web.language import WebLanguage
from handlers.web.security import STATIC_MAX_AGE, Guard
from handlers.web.session import Sessions
from handlers.web.views import Views

log = logging.getLogger(__name__)

_CODE = r"{code:[A-Za-z0-9_-]{1,32}}"
_TOKEN = r"{token:[A-Za-z0-9_-]{1,64}}"


class WebChannel:
    """The web chat's HTTP server."""

    name = WEB
    sender: Sender | None = None

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        web_settings = settings.web
        self.sessions = Sessions(secure=web_settings.public_url.startswith("https:"),
                                 max_age_seconds=int(settings.intake.draft_ttl_hours * 3600))
        self._runner: web.AppRunner | None = None
        self.port = web_settings.port  # the bound port once started (``port = 0``: any)

    def application(self, services: Services) -> web.Application:
        """The aiohttp application over these services."""
        web_settings = self.settings.web
        views = Views(services, self.sessions, web_settings.public_url)
        language = WebLanguage(services, self.sessions)
        app = web.Application(middlewares=[Guard(self.settings, self.sessions).middleware,
                                           language.middleware],
                              client_max_size=web_settings.max_body_bytes)
        app.router.add_get("/", views.index)
        app.router.add_post("/", views.answer)
        app.router.add_get(f"/s/{_CODE}", views.organisation)
        app.router.add_get("/verstuurd", views.sent)
        app.router.add_get("/hulp", views.help)
        app.router.add_post("/vergeetmij", views.forget)
        app.router.add_post("/taal", language.choose)
        app.router.add_get(f"/status/{_TOKEN}", views.status)
        app.router.add_get("/static/web.css", _stylesheet)
        return app

    async def start(self, services: Services) -> None:
        """Listen on ``web.listen``:``web.port``."""
        runner = web.AppRunner(self.application(services), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.settings.web.listen, self.settings.web.port)
        await site.start()
        self._runner = runner
        if runner.addresses:
            self.port = runner.addresses[0][1]
        log.info("web chat listening on %s:%s for %s", self.settings.web.listen, self.port,
                 self.settings.web.public_url)

    async def stop(self) -> None:
        """Stop listening; requests in hand finish first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def close(self) -> None:
        """Nothing is left to close (no sender)."""


_CSS = resources.files("handlers.web").joinpath("static/web.css")


async def _stylesheet(request: web.Request) -> web.Response:
    response = web.Response(body=_CSS.read_bytes(), content_type="text/css", charset="utf-8")
    response.headers["Cache-Control"] = f"max-age={STATIC_MAX_AGE}"
    return response
