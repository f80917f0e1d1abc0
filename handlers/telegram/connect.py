"""Reaching Telegram: at start-up with backoff, and through outages while running.

``connect`` initializes the application (PTB's ``getMe``) and, while Telegram is out of reach,
tries again after 1, 2, 4 ... 60 seconds, one warning line per attempt; a token Telegram
rejects is one line with the token masked. While running, PTB's polling loop tries again by
itself (pausing 1 s, growing to 30 s) and hands each failure to ``polling_error``: one warning
line, not a traceback. ``bot.runtime.stop_signals`` and ``unless`` let SIGINT or SIGTERM end
the wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes

from bot.settings import ConfigError

log = logging.getLogger(__name__)

FIRST_PAUSE = 1.0  # seconds before the second attempt to reach Telegram at start-up
LONGEST_PAUSE = 60.0


def mask(token: str) -> str:
    """A bot token as it may be shown: the bot's id and two characters at either end."""
    bot_id, _, secret = token.partition(":")
    return f"{bot_id}:{secret[:2]}…{secret[-2:]}"


def pauses() -> Iterator[float]:
    """Seconds between attempts: doubling from ``FIRST_PAUSE`` up to ``LONGEST_PAUSE``."""
    pause = FIRST_PAUSE
    while True:
        yield pause
        pause = min(2 * pause, LONGEST_PAUSE)


async def connect(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Initialize the application, trying again with backoff while Telegram is out of reach.

    Raises:
        ConfigError: Telegram rejected the token (shown masked).
    """
    for pause in pauses():
        try:
            await application.initialize()
            return
        except InvalidToken as error:  # its message holds the whole token; its cause does not
            token, shown = application.bot.token, mask(application.bot.token)
            cause = error.__cause__ if isinstance(error.__cause__, TelegramError) else error
            raise ConfigError(f"telegram.token: Telegram rejected {shown} "
                              f"({cause.message.replace(token, shown)}); check the token "
                              "(BotFather) and telegram.base_url") from None
        except RetryAfter as error:
            wait = error.retry_after
            pause = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            log.warning("Telegram asks to wait; trying again in %g s", pause)
        except TelegramError as error:
            log.warning("Telegram not reachable (%s); trying again in %g s", error.message, pause)
        await asyncio.sleep(pause)


async def polling_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Error handler: a failed ``getUpdates`` (no update) is one warning; PTB tries again.

    Other errors go on to the next error handler.
    """
    error = context.error
    if update is None and isinstance(error, NetworkError):
        log.warning("Telegram not reachable while fetching updates (%s); trying again, "
                    "pausing longer each time (up to 30 s)", error.message)
        raise ApplicationHandlerStop
