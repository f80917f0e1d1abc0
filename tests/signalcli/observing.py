"""What tests look at: the chats as the phones show them, the calls, and waiting for both."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from tests.signalcli.chats import Chat, SentMessage
from tests.signalcli.protocol import JSON
from tests.signalcli.state import StandInState

if TYPE_CHECKING:
    from tests.signalcli.phones import Phone


class Observing(StandInState):
    """Reading the stand-in's state and waiting for it to change."""

    def messages(self, phone: Phone) -> list[SentMessage]:
        """Every message the bot sent to this person, oldest first (deleted ones marked)."""
        return list(self.chat(phone).messages.values())

    def all_chats(self) -> list[Chat]:
        """Every person's chat with the bot."""
        return list(self._chats.values())

    def visible_texts(self) -> list[str]:
        """Every text of the bot any phone still shows (edit histories included; deleted and
        disappeared messages not): to prove personal data is gone."""
        now = self._now_ms()
        return [text for chat in self._chats.values() for text in chat.visible_texts(now)]

    def calls_of(self, method: str) -> list[JSON]:
        """The params of every call of one method."""
        return [call.params for call in self.calls if call.method == method]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Waits until predicate() is true; re-checked after every call, push and connection.

        Raises:
            AssertionError: On timeout, listing the recent calls.
        """
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await self._activity.wait()
        except TimeoutError:
            recent = "\n".join(f"  {call.method} {str(call.params)[:200]}"
                               for call in self.calls[-15:]) or "  (none)"
            raise AssertionError(f"condition not met within {timeout}s; recent calls:\n"
                                 f"{recent}") from None

    async def wait_for_message(self, phone: Phone, containing: str | None = None,
                               timeout: float = 5.0) -> SentMessage:
        """Waits for a bot message to this person (not deleted) whose current text contains
        `containing`; returns the newest such message."""
        found: list[SentMessage] = []

        def matches() -> bool:
            for message in reversed(self.chat(phone).messages.values()):
                if not message.deleted and (containing is None or containing in message.text):
                    found.append(message)
                    return True
            return False

        await self.wait_for(matches, timeout)
        return found[-1]

    async def wait_connected(self, n: int = 1, timeout: float = 5.0) -> None:
        """Waits until at least `n` event streams are open."""
        await self.wait_for(lambda: len(self._clients) >= n, timeout)
