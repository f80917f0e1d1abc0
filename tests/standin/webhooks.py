"""Telegram delivering by webhook: after ``setWebhook``, pending updates are POSTed to its URL.

As Telegram does: with the ``X-Telegram-Bot-Api-Secret-Token`` header when a secret token was
set, up to ``max_connections`` requests at once, in update order, and an update that got no
200 (an error, a timeout, a refused connection) is sent again after a growing pause until it
gets one. ``getUpdates`` is refused meanwhile (409), as on Telegram. Only a webhook on this
machine (127.0.0.1, localhost) is posted to: a test never calls out.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

import aiohttp

from tests.standin.protocol import JSON
from tests.standin.state import StandInState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
FIRST_PAUSE = 0.05  # seconds before the first retry of an update; doubled up to MAX_PAUSE
MAX_PAUSE = 1.0
ANSWER_SECONDS = 30.0  # how long a delivery waits for the webhook's answer
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class WebhookDelivery(StandInState):
    """Posts updates to the webhook set with ``setWebhook``; records each attempt."""

    @property
    def delivered(self) -> set[int]:
        """The ids of the updates the webhook answered 200."""
        return set(self._delivered)

    def _start_delivery(self) -> None:
        self._wake_pollers()  # a running delivery loop sees the new URL
        if urlsplit(str(self.webhook["url"])).hostname not in LOCAL_HOSTS:
            return
        if self._webhook_task is None:
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver())

    async def _stop_delivery(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        sending = list(self._sending.values())
        self._sending.clear()
        for pending in (task, *sending):
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _deliver(self) -> None:
        """Send each pending update not yet sent; wake up on every new update."""
        if self._http is None:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=ANSWER_SECONDS))
        while (urlsplit(str(self.webhook.get("url"))).hostname in LOCAL_HOSTS
               and not self._closing):
            limit = int(self.webhook.get("max_connections") or 40)
            for update in self.updates[self._first_pending:]:
                if len(self._sending) >= limit:
                    break
                update_id = update["update_id"]
                if update_id not in self._delivered and update_id not in self._sending:
                    self._sending[update_id] = asyncio.create_task(self._send(update))
            await self._new_updates.wait()
        self._webhook_task = None  # deleteWebhook: a later setWebhook starts anew

    def _target(self, url: str) -> str:
        """Where a POST to the webhook's ``url`` goes: there (a benchmark spreads them)."""
        return url

    async def _send(self, update: JSON) -> None:
        """POST one update until the webhook answers 200 (while the webhook stays set)."""
        assert self._http is not None
        update_id, pause = update["update_id"], FIRST_PAUSE
        url, secret = self.webhook["url"], self.webhook.get("secret_token")
        headers = {SECRET_HEADER: str(secret)} if secret else {}
        try:
            while True:
                if self.webhook.get("url") != url:  # deleted or moved: it stays pending
                    return
                try:
                    async with self._http.post(self._target(str(url)), json=update,
                                               headers=headers) as response:
                        status = response.status
                except (aiohttp.ClientError, TimeoutError):
                    status = 0
                self.deliveries.append((update_id, status))
                if status == 200:
                    break
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)
        finally:
            self._sending.pop(update_id, None)
        self._delivered.add(update_id)
        while (self._first_pending < len(self.updates)
               and self.updates[self._first_pending]["update_id"] in self._delivered):
            self._first_pending += 1
        self._wake_pollers()  # the delivery loop: a connection is free
        self._signal()
