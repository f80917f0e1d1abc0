"""Fault injection: blocked chats, failed or lost answers, latency, an aged clock."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from tests.standin.protocol import JSON, ApiError, Dropped
from tests.standin.state import StandInState


@dataclass(slots=True)
class Fault:
    """A planned failure of the next calls of one method."""

    method: str
    chat_id: int | None
    remaining: int
    status: int | None  # None: drop the connection
    description: str
    retry_after: int | None
    performed: bool  # the call takes effect before the answer is lost

    def fail(self) -> None:
        if self.status is None:
            raise Dropped
        raise ApiError(self.status, self.description, self.retry_after)


class Faults(StandInState):
    """Makes Telegram misbehave on demand."""

    def block_chat(self, chat_id: int) -> None:
        """Makes requests about this chat fail with 403 (user blocked the bot / bot kicked)."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undoes `block_chat`."""
        self._blocked.discard(chat_id)

    def fail_next(self, method: str, status: int | None, *, count: int = 1,
                  retry_after: int | None = None, chat_id: int | None = None,
                  description: str | None = None) -> None:
        """Makes the next `count` calls of `method` (to `chat_id`, if given) fail with `status`.

        The calls take no effect. `status=None` closes the connection without an answer.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        default = {400: "Bad Request", 403: "Forbidden: bot was blocked by the user",
                   429: f"Too Many Requests: retry after {retry_after}"}
        if status is not None:
            description = description or default.get(status) or HTTPStatus(status).phrase
        self._faults.append(Fault(method.lower(), chat_id, count, status, description or "",
                                   retry_after if status == 429 else None, False))

    def lose_answer_next(self, method: str, *, chat_id: int | None = None, count: int = 1,
                         status: int | None = 502) -> None:
        """Performs the next `count` calls of `method` (to `chat_id`) but loses their answers.

        Telegram sends the message (or applies the edit, ...), yet the bot gets an HTTP
        `status` error with Telegram's JSON error body, or, with `status=None`, a connection
        closed without any answer.
        """
        self._faults.append(Fault(method.lower(), chat_id, count, status,
                                   HTTPStatus(status).phrase if status else "", None, True))

    def set_latency(self, seconds: float) -> None:
        """Delays every answer except getUpdates by `seconds`."""
        self._latency = seconds

    def advance_clock(self, hours: float) -> None:
        """Moves Telegram's clock forward: stored messages become `hours` older.

        Dates of later messages and edits follow the moved clock; deleteMessage refuses
        messages sent 48 hours ago or earlier.
        """
        self._clock_offset += hours * 3600

    def refuse_edits(self, chat_id: int, message_id: int) -> None:
        """Makes edits of this message fail with 400 "message can't be edited"."""
        self._uneditable.add((chat_id, message_id))

    def _take_fault(self, method: str, params: JSON) -> Fault | None:
        for fault in self._faults:
            if fault.method == method.lower() and fault.chat_id in (None, params.get("chat_id")):
                fault.remaining -= 1
                if not fault.remaining:
                    self._faults.remove(fault)
                return fault
        return None
