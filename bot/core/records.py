"""What the conversation expects of draft storage: the stored draft, and a lost race on it.

Defined here, implemented by ``storage.repositories.drafts``: the core names no storage module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


class ConcurrentUpdate(Exception):
    """Another writer changed the draft first; reload and try again."""


@dataclass(frozen=True, slots=True)
class DraftRecord:
    """A stored draft as the conversation reads it."""

    id: int
    version: int
    state: dict[str, Any]
    expires_at: datetime
    recent_updates: tuple[int, ...]
    context: str  # what its state is bound to (its person, by channel and lookup hash)
