"""Senders that stand in for a channel: one that drops everything, one that records."""

from __future__ import annotations

from bot.core.outbox import DeliveryError, Outgoing


class NoSender:
    """Delivers nothing: for use cases whose messages no test reads."""

    async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
        return None


class RecordingSender:
    """Accepts or fails sends as told; records what was delivered."""

    def __init__(self) -> None:
        self.delivered: list[tuple[int, str]] = []
        self.failures: list[DeliveryError] = []

    async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append((message.chat_id, message.text))
        return len(self.delivered)


class TimestampSender:
    """Delivers as Signal does: a message's id is the time it was sent, in milliseconds."""

    def __init__(self) -> None:
        self.delivered: list[tuple[int | str, str, int]] = []  # chat, text, message id

    async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
        timestamp = 1_764_862_800_000 + len(self.delivered)  # Dec 2025, one ms apart
        self.delivered.append((message.chat_id, message.text, timestamp))
        return timestamp
