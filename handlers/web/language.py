"""The web chat's language: the one the browser's session chose, else the browser's own.

Each request is handled in it (``middleware``); every page's footer has a button per other
language, posting to ``/taal``, which keeps the choice with the session (as ``/taal`` does in
a chat) and goes back to the conversation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.core.language import languages, use_language
from bot.core.people import WEB
from bot.services import Services
from handlers.web.session import Sessions

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def browser_language(request: web.Request) -> str | None:
    """The first language of ``Accept-Language`` (in the browser's order) there is, if any."""
    for part in request.headers.get("Accept-Language", "").split(","):
        tag = part.split(";")[0].strip().replace("-", "_").lower()
        if tag.split("_")[0] in languages():
            return tag
    return None


class WebLanguage:
    """Runs each request in its language; ``choose`` is ``POST /taal``."""

    def __init__(self, services: Services, sessions: Sessions) -> None:
        self._services = services
        self._sessions = sessions

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """The request, in the session's chosen language or the browser's."""
        session = self._sessions.read(request)
        chosen = None if session is None else await self._services.languages.chosen(
            channel=WEB, external_id=session)
        with use_language(chosen or browser_language(request)):
            return await handler(request)

    async def choose(self, request: web.Request) -> web.StreamResponse:
        """Keep the language chosen with the session, then back to the conversation."""
        form = await request.post()
        code = form.get("code")
        response = web.Response(status=303, headers={"Location": "/"})
        if isinstance(code, str) and code in languages():
            session = self._sessions.read(request) or self._sessions.new()
            await self._services.languages.choose(channel=WEB, external_id=session, code=code)
            self._sessions.remember(response, session)
        return response
