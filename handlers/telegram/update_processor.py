"""Concurrent update processing that keeps each chat's updates in order.

PTB's ``concurrent_updates`` runs every update in its own task, so two quick taps of one person
could be handled out of order. ``ChatOrderedUpdateProcessor`` (a ``BaseUpdateProcessor``, PTB's
documented hook) runs different chats concurrently and one chat's updates strictly one after
another, in arrival order.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor, SimpleUpdateProcessor

log = logging.getLogger(__name__)


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Process chats concurrently, each chat's updates sequentially and in arrival order.

    The first update of an idle chat is processed at once and its task then works through
    whatever arrived for that chat meanwhile; later updates of a busy chat only join that
    chat's queue and free their concurrency slot. So ``max_concurrent_updates`` bounds the
    chats being served at once, and one person sending many updates takes a single slot. A
    chat's queue is dropped as soon as it is empty: memory grows with the chats that are busy
    right now, never with the chats ever seen. Updates without a chat or user (and objects
    other than updates) are processed at once.

    PTB starts one task per update in arrival order and ``BaseUpdateProcessor`` admits them
    through a FIFO semaphore, so updates reach ``do_process_update`` in arrival order.

    Args:
        max_concurrent_updates: Most chats (and chat-less updates) processed at once.
    """

    __slots__ = ("_queues",)

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._queues: dict[int, deque[Awaitable[Any]]] = {}

    @property
    def busy_chats(self) -> int:
        """How many chats have updates being processed or waiting."""
        return len(self._queues)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run ``coroutine`` now if its chat is idle, else queue it behind the chat's updates."""
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(coroutine)
            return
        queue = self._queues[key] = deque([coroutine])
        try:
            while queue:
                try:
                    await queue[0]
                except Exception:  # Application.process_update handles errors; be safe anyway
                    log.exception("processing an update failed")  # no chat: it names a person
                queue.popleft()
        finally:
            del self._queues[key]
            for pending in queue:  # only when cancelled: never leave a coroutine unawaited
                if isinstance(pending, Coroutine):
                    pending.close()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: ``Application.stop`` awaits the tasks that drain the queues."""


def _chat_key(update: object) -> int | None:
    """The chat whose updates must stay in order (the user's, for chat-less updates)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


def update_processor(concurrent_updates: int) -> BaseUpdateProcessor:
    """The processor for ``telegram.concurrent_updates``: 0 or 1 means strictly sequential."""
    if concurrent_updates <= 1:
        return SimpleUpdateProcessor(1)
    return ChatOrderedUpdateProcessor(concurrent_updates)
