"""Turning engine prompts into Telegram messages, and sending them.

The conversation's messages go out through ``send`` and ``edit``: Bot API calls whose answer
(the sent message) the intake never reads, so ``ConversationBot.call`` does not turn it into
PTB objects, with keyboards as plain Bot API JSON. Parsing answers and building keyboard
objects was the largest cost of a reply (``benchmarks/run.py``).

A reply that meets a network error or a 5xx is tried again a few times, as outbox messages
are: the person is waiting for it. (If Telegram did take the first try, a sent question
shows twice, which is harmless; an edit is then "not modified".)
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError
from telegram.ext import Defaults, ExtBot

from bot.core import messages
from bot.core.buttons import IntakeButton
from bot.core.prompts import Prompt

log = logging.getLogger(__name__)
Markup = dict[str, Any]  # a Bot API ``reply_markup`` object
REMOVE_KEYBOARD: Markup = {"remove_keyboard": True}
# How every message is formatted: the application's ``Defaults`` for PTB's typed methods, and
# the same parameters for ``ConversationBot.call``, which no defaults reach.
DEFAULTS = Defaults(parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True))
_FORMAT = {"parse_mode": DEFAULTS.parse_mode,
           "link_preview_options": DEFAULTS.link_preview_options.to_dict()}


RETRY_DELAYS = (0.25, 1.0, 2.0)  # seconds before the 2nd, 3rd and 4th try of a reply


class ConversationBot(ExtBot[None]):
    """PTB's ``ExtBot`` (defaults, rate limiter), plus calls whose answer is not parsed."""

    async def call(self, method: str, parameters: dict[str, Any]) -> None:
        """Call a Bot API method for its effect; ``None`` parameters are left out.

        Network errors and 5xx answers are tried again (``RETRY_DELAYS``); a 429 waits in the
        rate limiter; a refusal (400, 403) is raised at once.
        """
        for delay in (*RETRY_DELAYS, None):
            try:
                await self._post(method, parameters)
                return
            except BadRequest:
                raise
            except NetworkError as error:
                if delay is None:
                    raise
                log.info("%s failed (%s); trying again in %.2f s", method, error.message, delay)
                await asyncio.sleep(delay)


def keyboard(prompt: Prompt, token: str) -> Markup | None:
    """Inline buttons for the prompt; a reply keyboard when the phone number is asked."""
    if prompt.request_contact:
        rows = [[{"text": messages.SHARE_PHONE, "request_contact": True}]]
        rows += [[{"text": button.label}] for button in prompt.buttons()]
        return {"keyboard": rows, "resize_keyboard": True, "one_time_keyboard": True}
    if not prompt.rows:
        return None
    return {"inline_keyboard": [
        [{"text": b.label, "callback_data": IntakeButton(token, b.input).pack()} for b in row]
        for row in prompt.rows]}


def with_notice(notice: str | None, text: str) -> str:
    """A prompt's text, with a notice (an error or a welcome) above it."""
    return f"{notice}\n\n{text}" if notice else text


async def send(bot: ConversationBot, chat_id: int, text: str, markup: Markup | None = None) -> None:
    """Send an HTML message (with ``markup``) to a chat."""
    await bot.call("sendMessage", {"chat_id": chat_id, "text": text, "reply_markup": markup,
                                   **_FORMAT})


async def edit(bot: ConversationBot, chat_id: int, message_id: int, text: str | None,
               markup: Markup | None) -> None:
    """Edit a message in place (only its buttons when ``text`` is None).

    Telegram's "message is not modified" (the same edit twice) is not an error.
    """
    target = {"chat_id": chat_id, "message_id": message_id, "reply_markup": markup}
    try:
        if text is None:
            await bot.call("editMessageReplyMarkup", target)
        else:
            await bot.call("editMessageText", {**target, "text": text, **_FORMAT})
    except BadRequest as error:
        if "not modified" not in str(error):
            raise
