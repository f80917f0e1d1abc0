"""The status link a web signaler may keep (``/status/<token>``), and the page after sending.

The token is derived from the session and the signal with the keyring's lookup key (an HMAC),
so the page after sending can show the same link again on a reload, to that browser only.
Only a SHA-256 hash of the token is stored with the signal (never the token, and never the
reference alone, which is guessable); the status page shows the plain status and nothing more.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bot.core import messages
from bot.core.people import WEB
from bot.services import Services

SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass(frozen=True)
class Sent:
    """What the page after sending shows: the signal's reference, its gemeente, the link."""

    reference: str
    gemeente: str
    contact: bool  # the signaler gave contact details
    token: str | None  # None: the link was issued with a key since rotated


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def sent(services: Services, session: str) -> Sent | None:
    """The session's newest signal (its status link issued on first sight); None if none."""
    async with services.uow() as uow:
        signaler = await uow.signalers.get(channel=WEB, external_id=session)
        newest = await uow.signals.list_by_signaler(signaler_id=signaler.id, limit=1) if (
            signaler is not None) else []
        if not newest:
            return None
        signal = newest[0]
        token = services.keyring.lookup_hash(f"web-status:{signal.id}:{session}")[:32]
        if signal.status_token_hash is None:
            await uow.signals.set_status_token(signal_id=signal.id, token_hash=_hash(token))
            await uow.commit()
        shown = token if signal.status_token_hash in (None, _hash(token)) else None
        gemeente = await uow.gemeenten.get(code=signal.gemeente_code)
        contact = services.engine.flow(signal.questionnaire).questionnaire.consented(
            signal.answers or {})
        return Sent(signal.reference, gemeente.name if gemeente else signal.gemeente_code,
                    contact, shown)


async def lookup(services: Services, token: str) -> str:
    """The status text of the signal with this token (an unknown token says so)."""
    if not SHAPE.fullmatch(token):
        return messages.WEB_STATUS_UNKNOWN
    async with services.uow() as uow:
        signal = await uow.signals.get_by_status_token(token_hash=_hash(token))
    if signal is None:
        return messages.WEB_STATUS_UNKNOWN
    return messages.WEB_STATUS[signal.status.value]
