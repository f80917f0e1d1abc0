"""Outbox messages through signal-cli, and what its answers mean for the outbox.

A message is sent with ``send``; its id is the timestamp signal-cli gives it. Signal keeps an
edited message's earlier texts readable (its edit history), so an edit here deletes the
message for everyone (``remoteDelete``) and sends the new text as a new message (the outbox
moves its record of the copy to it), and an erasure deletes it. Signal allows that for 24
hours; after that phones ignore it, so the sender refuses (``Failure.REFUSED``) and the
outbox records the copy as not erasable. Every chat the bot
writes to gets a disappearing-messages timer (``updateContact``) so such copies go by themselves.

Per-recipient results: ``SUCCESS``; ``NETWORK_FAILURE`` and ``RATE_LIMIT_FAILURE`` are tried
again (after ``retryAfterSeconds``); a rate limit with a token is a proof-required challenge
the operator answers (``signaalbot signal challenge``); ``UNREGISTERED_FAILURE`` and
``IDENTITY_FAILURE`` (a new safety number: the operator checks it before trusting it) give the
message up, so an alert is re-routed to other staff.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.core.outbox import Buttons, DeliveryError, Failure, Outgoing
from handlers.signal.markup import to_signal
from handlers.signal.rpc import RATE_LIMIT_ERROR, RpcError, SignalRpc, Unreachable

log = logging.getLogger(__name__)

CHANGE_WINDOW = timedelta(hours=24)  # Signal's limit for edits and deletes for everyone
INVALID_REQUEST = (-32700, -32600, -32601, -32602)  # -32603 is signal-cli's I/O trouble too
PROOF_RETRY_SECONDS = 3600.0  # a proof-required challenge unanswered: try again in an hour
# Button rows -> the lines a person types instead (the Signal chat has no buttons).
ButtonLines = Callable[[Buttons], Awaitable[list[str]]]


async def no_lines(buttons: Buttons) -> list[str]:
    """No typed equivalents (messages without buttons)."""
    return []


class SignalSender:
    """Delivers outbox messages to Signal chats (a person's ACI); see ``Sender``."""

    def __init__(self, rpc: SignalRpc, *, button_lines: ButtonLines = no_lines,
                 disappearing: timedelta | None = None) -> None:
        self._rpc = rpc
        self.button_lines = button_lines
        self._disappearing = disappearing
        self._timed: set[str] = set()  # chats whose timer was set by this process
        self.proof_token: str | None = None  # the newest proof-required challenge (told once)

    async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
        """Send, edit or delete one message; return its timestamp (the message id)."""
        chat = str(message.chat_id)
        if message.edit_message_id is not None:  # deleted: an edit's old text stays readable
            if _age(message.edit_message_id) > CHANGE_WINDOW:
                raise DeliveryError("older than Signal lets a message change", Failure.REFUSED)
            await self._call(chat, "remoteDelete", recipient=[chat],
                             targetTimestamp=message.edit_message_id)
            if message.delete or message.erase:
                return message.edit_message_id
        await self._timer(chat)
        text = message.text
        lines = await self.button_lines(message.buttons) if message.buttons else []
        if lines:
            text += "\n\n" + "\n".join(lines)
        body, styles = to_signal(text)
        result = await self._call(chat, "send", recipient=[chat], message=body,
                                  textStyle=styles or None)
        return int(result["timestamp"])

    async def _timer(self, chat: str) -> None:
        """Set the chat's disappearing-messages timer once per process."""
        if self._disappearing is None or chat in self._timed:
            return
        await self._call(chat, "updateContact", recipient=chat,
                         expiration=int(self._disappearing.total_seconds()))
        self._timed.add(chat)

    async def _call(self, chat: str, method: str, **params: Any) -> dict[str, Any]:
        try:
            result = await self._rpc.call(method, **params)
        except Unreachable as error:
            raise DeliveryError(f"signal-cli: {error}") from error
        except RpcError as error:
            response = error.response
            results = response.get("results") or []
            if results:
                self._check(method, results)
            raise _refusal(method, error) from error
        if isinstance(result, dict):
            self._check(method, result.get("results") or [])
            return result
        return {}

    def _check(self, method: str, results: list[dict[str, Any]]) -> None:
        """Raise for the recipient's failed result (one recipient per call)."""
        for result in results:
            kind = result.get("type")
            if kind == "SUCCESS" or kind is None:
                continue
            retry = result.get("retryAfterSeconds")
            token = result.get("token")
            if token:
                first, self.proof_token = token != self.proof_token, token
                log.log(logging.ERROR if first else logging.WARNING,
                        "Signal asks for a captcha before more messages go out: solve one at "
                        "https://signalcaptchas.org/challenge/generate.html and run "
                        "`signaalbot signal challenge %s CAPTCHA`", token)
                raise DeliveryError(f"{method}: proof required",
                                    retry_after=float(retry or PROOF_RETRY_SECONDS))
            if kind in ("NETWORK_FAILURE", "RATE_LIMIT_FAILURE"):
                raise DeliveryError(f"{method}: {kind}",
                                    retry_after=float(retry) if retry else None)
            if kind in ("UNREGISTERED_FAILURE", "IDENTITY_FAILURE"):
                if kind == "IDENTITY_FAILURE":
                    log.warning("a Signal contact's safety number changed: nothing more goes to "
                                "them until the operator checks it (signal-cli trust)")
                raise DeliveryError(f"{method}: {kind}", Failure.BLOCKED)
            raise DeliveryError(f"{method}: {kind}", Failure.UNKNOWN)


def _refusal(method: str, error: RpcError) -> DeliveryError:
    """An RPC error without per-recipient results."""
    if error.code == RATE_LIMIT_ERROR:
        return DeliveryError(f"{method}: rate limited")
    if "not registered" in error.message:
        return DeliveryError(f"{method}: {error.message}", Failure.BLOCKED)
    if error.code in INVALID_REQUEST:  # JSON-RPC's own: bad request, unknown method...
        return DeliveryError(f"{method}: {error.message}", Failure.INVALID)
    return DeliveryError(f"{method}: {error.message}", Failure.UNKNOWN
                         if error.code == -1 else Failure.RETRY)


def _age(timestamp_ms: int) -> timedelta:
    return timedelta(milliseconds=time.time() * 1000 - timestamp_ms)
