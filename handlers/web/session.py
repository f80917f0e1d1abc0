"""Who a browser is: a random session id in a cookie (never in a URL), and the form's checks.

A person on the web is (channel ``web``, session id). The cookie is HttpOnly, SameSite=Strict,
on path /, and Secure (with the ``__Host-`` prefix) when the public URL is https. Every form
carries the draft's token (its CSRF token: random, per conversation, unreadable from another
site) and the id of the question it answers, so a forged or replayed form changes nothing.
"""

from __future__ import annotations

import re
import secrets

from aiohttp import web

from bot.core.intake import ConversationKey
from bot.core.people import WEB
from bot.core.prompts import Capabilities

CAPABILITIES = Capabilities(replies=False)  # buttons; no contact sharing, nothing pushed
_PLAIN, _SECURE = "signaalbot", "__Host-signaalbot"
_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


class Sessions:
    """Reads and sets the session cookie."""

    def __init__(self, *, secure: bool, max_age_seconds: int) -> None:
        self.secure = secure
        self.name = _SECURE if secure else _PLAIN
        self._max_age = max_age_seconds

    def read(self, request: web.Request) -> str | None:
        """The request's session id, if it carries a well-formed one."""
        value = request.cookies.get(self.name, "")
        return value if _SHAPE.fullmatch(value) else None

    @staticmethod
    def new() -> str:
        """A new random session id."""
        return secrets.token_urlsafe(32)

    def remember(self, response: web.StreamResponse, session: str) -> None:
        """Set (or renew) the cookie on a response."""
        response.set_cookie(self.name, session, max_age=self._max_age, path="/", httponly=True,
                            secure=self.secure, samesite="Strict")

    def forget(self, response: web.StreamResponse) -> None:
        """Remove the cookie: the next visit is a new session."""
        response.del_cookie(self.name, path="/", secure=self.secure, httponly=True,
                            samesite="Strict")


def key(session: str) -> ConversationKey:
    """The conversation key of a browser session."""
    return ConversationKey(WEB, session, CAPABILITIES)


def genuine(posted_token: object, posted_question: object, token: str, question: str) -> bool:
    """Whether a form belongs to the conversation's current question (CSRF and replay check)."""
    return (isinstance(posted_token, str) and isinstance(posted_question, str)
            and secrets.compare_digest(posted_token.encode(), token.encode())
            and posted_question == question)
