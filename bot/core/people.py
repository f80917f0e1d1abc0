"""People and chats, on whichever channel: a person is (channel, external id).

A staff member or a signaler is a ``Person``; a message goes to an ``Address`` (a chat on a
channel: a person's own chat, or on Telegram a team group too). Ids are text, whatever the
channel uses (a Telegram user id, a Signal ACI, a console login name).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TELEGRAM = "telegram"
CONSOLE = "console"
SIGNAL = "signal"
WEB = "web"  # a browser session; nothing is pushed to it (its status page shows progress)
# Channels the bot can write to a person on later (feedback when a signal is picked up).
PUSH_CHANNELS = frozenset({TELEGRAM, CONSOLE, SIGNAL})


@dataclass(frozen=True, slots=True)
class Address:
    """A chat on a channel."""

    channel: str
    chat: str

    def outbox_columns(self) -> dict[str, Any]:
        """How an outbox row addresses this chat: Telegram chats by number, others by text."""
        if self.channel == TELEGRAM:
            return {"channel": TELEGRAM, "chat_id": int(self.chat)}
        return {"channel": self.channel, "address": self.chat}

    def __str__(self) -> str:
        """``channel:chat``."""
        return f"{self.channel}:{self.chat}"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone on a channel, by the id the channel knows them by."""

    channel: str
    external_id: str

    @classmethod
    def on_telegram(cls, user_id: int) -> Person:
        """A Telegram user."""
        return cls(TELEGRAM, str(user_id))

    @classmethod
    def parse(cls, text: str) -> Person:
        """``channel:id``; a bare number is a Telegram user id.

        Raises:
            ValueError: neither form, or an empty part.
        """
        channel, colon, external_id = text.strip().partition(":")
        if not colon:
            if not channel.lstrip("-").isdigit():
                raise ValueError(f"{text!r}: expected channel:id or a Telegram user id")
            return cls.on_telegram(int(channel))
        if not channel or not external_id:
            raise ValueError(f"{text!r}: expected channel:id")
        return cls(channel, external_id)

    @property
    def address(self) -> Address:
        """The person's own chat."""
        return Address(self.channel, self.external_id)

    @property
    def telegram_id(self) -> int | None:
        """The Telegram user id, for a Telegram user."""
        return int(self.external_id) if self.channel == TELEGRAM else None

    def __str__(self) -> str:
        """``channel:id``."""
        return f"{self.channel}:{self.external_id}"
