"""What every web response gets, and what every request must stay within.

Security headers on every response (error pages too): a Content-Security-Policy without any
inline script or style and nothing from another origin, nosniff, no referrer, no framing,
and ``Cache-Control: no-store`` on every page (they show answers). A request body larger than
``web.max_body_bytes`` gets 413 before it is read (by its Content-Length, or aiohttp's own
``client_max_size`` while reading a chunked one). The core's flood guard counts requests per
client address and form posts per session: too many get 429.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.core import messages
from bot.core.flood import Flood
from bot.settings import Settings
from handlers.web import pages
from handlers.web.session import Sessions

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
STATIC_MAX_AGE = 3600
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Guard:
    """The middleware: limits first, headers last."""

    def __init__(self, settings: Settings, sessions: Sessions) -> None:
        web_settings, security = settings.web, settings.security
        self._max_body = web_settings.max_body_bytes
        self._forwarded = web_settings.trust_forwarded
        self._https = web_settings.public_url.startswith("https:")
        self._addresses = Flood(web_settings.address_requests, 60)
        self._sessions = Flood(web_settings.session_requests, security.flood_seconds)
        self._cookies = sessions

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Check the request's size and rate, run the handler, add the headers."""
        try:
            response = self._refusal(request) or await handler(request)
        except web.HTTPRequestEntityTooLarge:
            response = _page(413, messages.WEB_TOO_LARGE)
        except web.HTTPNotFound:
            response = _page(404, messages.WEB_NOT_FOUND)
        except web.HTTPMethodNotAllowed as error:
            response = _page(405, messages.WEB_NOT_FOUND)
            response.headers["Allow"] = ",".join(sorted(error.allowed_methods))
        response.headers.update(HEADERS)
        if self._https:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def _refusal(self, request: web.Request) -> web.Response | None:
        if (request.content_length or 0) > self._max_body:
            response = _page(413, messages.WEB_TOO_LARGE)
            response.force_close()  # the body is not read
            return response
        now = time.monotonic()
        if not self._addresses.allows(self._address(request), now):
            return _page(429, messages.FLOOD)
        session = self._cookies.read(request)
        if request.method == "POST" and session is not None and not self._sessions.allows(
                session, now):
            return _page(429, messages.FLOOD)
        return None

    def _address(self, request: web.Request) -> str:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if self._forwarded and forwarded:
            return forwarded.rsplit(",", 1)[-1].strip()
        return request.remote or ""


def _page(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=pages.message(text), content_type="text/html",
                        charset="utf-8")
