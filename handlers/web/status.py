"""The status link a web signaler may keep: ``/status/<random token>``.

Only a SHA-256 hash of the token is stored with the signal (never the token, and never the
reference alone, which is guessable); the page shows the plain status and nothing more.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from bot.core import messages
from bot.core.people import WEB
from bot.services import Services

SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")  # secrets.token_urlsafe(24)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(services: Services, session: str) -> str | None:
    """A new status token for the session's newest signal (just filed); None if none."""
    async with services.uow() as uow:
        signaler = await uow.signalers.get(channel=WEB, external_id=session)
        newest = await uow.signals.list_by_signaler(signaler_id=signaler.id, limit=1) if (
            signaler is not None) else []
        if not newest or newest[0].status_token_hash is not None:
            return None
        token = secrets.token_urlsafe(24)
        await uow.signals.set_status_token(signal_id=newest[0].id, token_hash=_hash(token))
        await uow.commit()
        return token


async def lookup(services: Services, token: str) -> str:
    """The status text of the signal with this token (an unknown token says so)."""
    if not SHAPE.fullmatch(token):
        return messages.WEB_STATUS_UNKNOWN
    async with services.uow() as uow:
        signal = await uow.signals.get_by_status_token(token_hash=_hash(token))
    if signal is None:
        return messages.WEB_STATUS_UNKNOWN
    return messages.WEB_STATUS[signal.status.value]
