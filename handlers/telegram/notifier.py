"""Sending outbox messages through Telegram, mapping Telegram's errors to delivery errors.

Only errors Telegram names as final are final (``Failure``); another "Bad Request" is tried
once more before the message is given up.
"""

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

from bot.core.outbox import DeliveryError, Failure, Outgoing
from handlers.telegram.ratelimit import BULK

# Telegram's "Bad Request" descriptions (lower case) that say what is wrong, for good.
BAD_REQUESTS = (
    (("message is not modified",), None),  # the same edit twice: done
    (("message to edit not found", "message to delete not found", "message_id_invalid"),
     Failure.GONE),
    (("message can't be edited", "message can't be deleted"), Failure.REFUSED),
    (("chat not found", "peer_id_invalid", "user not found", "bot is not a member",
      "not enough rights", "have no rights", "chat_write_forbidden",
      "group chat was deactivated"), Failure.BLOCKED),
    (("message is too long", "can't parse entities", "button_data_invalid",
      "message text is empty", "reply markup is too long", "text must be non-empty"),
     Failure.INVALID),
)


def markup(outgoing: Outgoing) -> InlineKeyboardMarkup | None:
    """Inline buttons for an outbox message."""
    if not outgoing.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in outgoing.buttons])


def bad_request(error: BadRequest) -> Failure | None:
    """What a "Bad Request" means: None for "not modified", ``UNKNOWN`` when not named."""
    description = error.message.lower()
    for texts, failure in BAD_REQUESTS:
        if any(text in description for text in texts):
            return failure
    return Failure.UNKNOWN


class TelegramSender:
    """Delivers outbox messages with the bot; see ``bot.core.outbox.Sender``."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
        """Send, edit or delete one message; return Telegram's message id."""
        extra = {"rate_limit_args": BULK} if bulk else {}
        method = ("deleteMessage" if message.delete else "sendMessage"
                  if message.edit_message_id is None else "editMessageText")
        try:
            if message.delete:
                assert message.edit_message_id is not None
                await self._bot.delete_message(message.chat_id, message.edit_message_id)
                return message.edit_message_id
            if message.edit_message_id is not None:
                await self._bot.edit_message_text(
                    message.text, chat_id=message.chat_id, message_id=message.edit_message_id,
                    reply_markup=markup(message), **extra)
                return message.edit_message_id
            sent = await self._bot.send_message(message.chat_id, message.text,
                                                reply_markup=markup(message), **extra)
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise DeliveryError("flood limit", retry_after=seconds) from error
        except Forbidden as error:
            raise DeliveryError(f"{method}: {error.message}", Failure.BLOCKED) from error
        except ChatMigrated as error:
            raise DeliveryError(f"{method}: group became a supergroup", Failure.MIGRATED,
                                new_chat_id=error.new_chat_id) from error
        except BadRequest as error:
            failure = bad_request(error)
            if failure is None:
                return message.edit_message_id
            raise DeliveryError(f"{method}: {error.message}", failure) from error
        except (NetworkError, TelegramError) as error:
            raise DeliveryError(f"{method}: {error.message}") from error
        return sent.message_id
