"""The flood guard every channel runs first: at most so many messages per person a while."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable


class Flood:
    """At most ``limit`` updates per person in ``seconds``; the rest get a calm "even geduld"."""

    def __init__(self, limit: int, seconds: float) -> None:
        self._limit = limit
        self._seconds = seconds
        self._seen: dict[Hashable, deque[float]] = {}
        self._warned: dict[Hashable, float] = {}
        self._next_prune = 0.0

    def allows(self, person: Hashable, now: float) -> bool:
        """Count one update of this person; False when they are over the limit."""
        recent = self._seen.setdefault(person, deque())
        while recent and recent[0] <= now - self._seconds:
            recent.popleft()
        if len(recent) >= self._limit:
            return False
        recent.append(now)
        if now >= self._next_prune:  # forget people who went quiet: memory follows activity
            self._seen = {u: q for u, q in self._seen.items() if q and q[-1] > now - self._seconds}
            self._warned = {u: t for u, t in self._warned.items() if t > now - self._seconds}
            self._next_prune = now + self._seconds
        return True

    def should_warn(self, person: Hashable, now: float) -> bool:
        """Warn once per flood, not at every dropped update."""
        if self._warned.get(person, 0.0) > now - self._seconds:
            return False
        self._warned[person] = now
        return True
