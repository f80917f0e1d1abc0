"""Turning engine prompts into Telegram message text and keyboards."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot import messages
from bot.engine import Prompt
from handlers.callbacks import pack


def keyboard(prompt: Prompt, token: str) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """Inline buttons for the prompt; a reply keyboard when the phone number is asked."""
    if prompt.request_contact:
        rows = [[KeyboardButton(messages.SHARE_PHONE, request_contact=True)]]
        rows += [[KeyboardButton(button.label)] for button in prompt.buttons()]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
    if not prompt.rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=pack(token, b.input)) for b in row]
         for row in prompt.rows]
    )


def with_notice(notice: str | None, text: str) -> str:
    """A prompt's text, with a notice (an error or a welcome) above it."""
    return f"{notice}\n\n{text}" if notice else text
