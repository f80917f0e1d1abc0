"""What tests look at: the bot's messages, calls, rates, and waiting for them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from tests.standin.protocol import JSON, Call
from tests.standin.state import StandInState


class Observing(StandInState):
    """Reading the stand-in's state and waiting for it to change."""

    @property
    def polling(self) -> bool:
        """Whether a getUpdates long poll is currently waiting for updates."""
        return self._waiting_polls > 0

    @property
    def in_flight(self) -> int:
        """How many calls (but long polls) are being answered right now."""
        return self._in_flight

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a getUpdates offset."""
        return self.updates[self._first_pending:]

    def messages(self, chat_id: int) -> list[JSON]:
        """The bot's messages in a chat in their current state (edits applied, deletes gone)."""
        return list(self._bot_messages.get(chat_id, {}).values())

    def last_message(self, chat_id: int) -> JSON | None:
        """The bot's most recent still-existing message in a chat."""
        return next(reversed(self._bot_messages.get(chat_id, {}).values()), None)

    def reply_keyboard(self, chat_id: int) -> JSON | None:
        """The reply keyboard currently shown in a chat (None after remove_keyboard)."""
        return self._reply_keyboards.get(chat_id)

    def calls_of(self, method: str) -> list[Call]:
        """All calls of one method."""
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Waits until predicate() is true; it is re-checked after every call and push.

        Raises:
            AssertionError: On timeout, listing the recent calls.
        """
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await self._activity.wait()
        except TimeoutError:
            message = f"condition not met within {timeout}s\n{self.describe()}"
            raise AssertionError(message) from None

    async def wait_for_message(self, chat_id: int, count: int | None = None,
                               containing: str | None = None, timeout: float = 5.0) -> JSON:
        """Waits for a bot message in a chat and returns it.

        Args:
            chat_id: The chat.
            count: Require at least this many current bot messages in the chat.
            containing: Require a message whose text or caption contains this.
            timeout: Seconds to wait.

        Returns:
            The newest message matching `containing` (the newest message if not given).
        """
        found: list[JSON] = []

        def matches() -> bool:
            current = self._bot_messages.get(chat_id, {})
            if len(current) < (count or 1):
                return False
            for message in reversed(current.values()):
                shown = message.get("text", message.get("caption", ""))
                if containing is None or containing in shown:
                    found.append(message)
                    return True
            return False

        await self.wait_for(matches, timeout)
        return found[-1]

    async def wait_idle(self, quiet: float = 0.2, timeout: float = 5.0) -> None:
        """Waits until all updates are confirmed and no call (but getUpdates) for `quiet` s."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    silent = time.monotonic() - self._last_activity
                    settled = not self._in_flight and self._first_pending == len(self.updates)
                    if settled and silent >= quiet:
                        return
                    await asyncio.sleep(max(quiet - silent, 0.01))
        except TimeoutError:
            raise AssertionError(f"bot not idle within {timeout}s\n{self.describe()}") from None

    def max_rate(self, chat_id: int | None = None, window: float = 1.0) -> int:
        """Most sends (see RATE_METHODS) within any `window` seconds, to one chat or overall."""
        times = self._send_times if chat_id is None else self._chat_send_times.get(chat_id, [])
        best = start = 0
        for end, moment in enumerate(times):
            while moment - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def describe(self, limit: int = 20) -> str:
        """Recent calls (skipping empty polls), one per line, for failure messages."""
        lines = []
        for call in reversed(self.calls):
            if call.method == "getUpdates" and call.response.get("result") == []:
                continue
            response = call.response
            outcome = "ok" if call.ok else f"{response['error_code']} {response['description']}"
            if call.performed and not call.ok:
                outcome += " (answer lost, call performed)"
            lines.append(f"  {call.method} {str(call.params)[:300]} -> {outcome}")
            if len(lines) == limit:
                break
        return "recent calls:\n" + ("\n".join(reversed(lines)) or "  (none)")

    def _note_send(self, chat_id: Any, moment: float) -> None:
        self._send_times.append(moment)
        if isinstance(chat_id, int):
            self._chat_send_times.setdefault(chat_id, []).append(moment)
