"""Sending outbox messages through Telegram, mapping Telegram's errors to delivery errors."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.outbox import DeliveryError, Outgoing
from handlers.ratelimit import BULK


def markup(outgoing: Outgoing) -> InlineKeyboardMarkup | None:
    """Inline buttons for an outbox message."""
    if not outgoing.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in outgoing.buttons])


class TelegramSender:
    """Delivers outbox messages with the bot; see ``bot.outbox.Sender``."""

    def __init__(self, bot: Bot, *, bulk: bool = True) -> None:
        self._bot = bot
        self._extra = {"rate_limit_args": BULK} if bulk else {}

    async def send(self, message: Outgoing) -> int | None:
        """Send (or edit) one message; return Telegram's message id."""
        try:
            if message.edit_message_id is not None:
                await self._bot.edit_message_text(
                    message.text, chat_id=message.chat_id, message_id=message.edit_message_id,
                    reply_markup=markup(message), **self._extra)
                return message.edit_message_id
            sent = await self._bot.send_message(message.chat_id, message.text,
                                                reply_markup=markup(message), **self._extra)
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise DeliveryError("flood limit", retry_after=seconds) from error
        except Forbidden as error:
            raise DeliveryError(f"forbidden: {error.message}", permanent=True) from error
        except ChatMigrated as error:
            raise DeliveryError(f"chat migrated to {error.new_chat_id}", permanent=True) from error
        except BadRequest as error:
            if "not modified" in error.message.lower():
                return message.edit_message_id
            raise DeliveryError(f"bad request: {error.message}", permanent=True) from error
        except (NetworkError, TelegramError) as error:
            raise DeliveryError(f"network: {error.message}") from error
        return sent.message_id
