"""Sending outbox messages through Telegram, mapping Telegram's errors to delivery errors."""

from __future__ import annotations

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.outbox import DeliveryError


class TelegramSender:
    """Delivers HTML messages with the bot; see ``bot.outbox.Sender``."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, chat_id: int, text: str) -> int | None:
        """Send one message; return Telegram's message id."""
        try:
            message = await self._bot.send_message(chat_id, text)
        except RetryAfter as error:
            retry_after = error.retry_after
            seconds = retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else (
                float(retry_after))
            raise DeliveryError("flood limit", retry_after=seconds) from error
        except Forbidden as error:
            raise DeliveryError(f"forbidden: {error.message}", permanent=True) from error
        except BadRequest as error:
            raise DeliveryError(f"bad request: {error.message}", permanent=True) from error
        except (NetworkError, TelegramError) as error:
            raise DeliveryError(f"network: {error.message}") from error
        return message.message_id
