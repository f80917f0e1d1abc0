"""Bot API methods for updates, the webhook and the command lists."""

from __future__ import annotations

import asyncio
import bisect
import re

from tests.standin.protocol import JSON, POLL_CONFLICT, ApiError, bad
from tests.standin.webhooks import WebhookDelivery


class UpdateMethods(WebhookDelivery):
    """getUpdates, setWebhook/deleteWebhook/getWebhookInfo, set/get/deleteMyCommands."""

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if offset > 0:
            index = bisect.bisect_left(self.updates, offset, key=lambda u: u["update_id"])
            self._first_pending = max(self._first_pending, index)
        elif offset < 0:
            self._first_pending = max(self._first_pending, len(self.updates) + offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an older long poll now ends with 409, as on Telegram
        if timeout and self._first_pending == len(self.updates):
            self._waiting_polls += 1
            self._signal()
            try:
                async with asyncio.timeout(timeout):
                    while self._first_pending == len(self.updates) and not self._closing:
                        if generation != self._poll_generation:
                            raise ApiError(409, POLL_CONFLICT)
                        await self._new_updates.wait()
            except TimeoutError:
                pass
            finally:
                self._waiting_polls -= 1
        return self.updates[self._first_pending:self._first_pending + limit]

    def _set_webhook(self, params: JSON) -> bool:
        self.webhook = {key: params[key] for key in
                        ("url", "secret_token", "max_connections", "allowed_updates")
                        if key in params}
        self.webhook.setdefault("url", "")
        if self.webhook["url"]:
            self._start_delivery()
        return True

    def _delete_webhook(self, params: JSON) -> bool:
        self.webhook = {"url": ""}
        self._wake_pollers()  # the delivery loop ends
        if params.get("drop_pending_updates") is True:
            self._first_pending = len(self.updates)
        return True

    def _get_webhook_info(self, _: JSON) -> JSON:
        info = {key: value for key, value in self.webhook.items() if key != "secret_token"}
        return {**info, "has_custom_certificate": False,
                "pending_update_count": len(self.updates) - self._first_pending}

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list set for a scope (the default scope if None) and language."""
        return self._commands.get(self._command_key(scope, language_code), [])

    def _set_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}",
                                                                 str(command.get("command"))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "")) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._command_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = commands
        return True

    def _get_commands(self, params: JSON) -> list[JSON]:
        return self.commands(params.get("scope"), params.get("language_code") or "")

    def _delete_commands(self, params: JSON) -> bool:
        self._commands.pop(self._command_key(params.get("scope"), params.get("language_code")),
                           None)
        return True
