"""The stand-in's state: users, chats, messages, files, the update queue and its clock."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import TYPE_CHECKING, Any

import aiohttp

from tests.standin.protocol import JSON, Call

if TYPE_CHECKING:
    from tests.standin.faults import Fault


class StandInState:
    """What the parts of `BotApiStandIn` share, and the helpers they all use."""

    def __init__(self, token: str, bot_username: str, strict_html: bool) -> None:
        self.token = token
        self.strict_html = strict_html
        self.bot_user: JSON = {
            "id": int(token.split(":")[0]), "is_bot": True, "first_name": "Signaalbot",
            "username": bot_username, "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False,
        }
        self._bot_from = {key: self.bot_user[key]
                          for key in ("id", "is_bot", "first_name", "username")}
        self.calls: list[Call] = []
        self.unexpected_calls: list[Call] = []
        self.callback_answers: list[JSON] = []
        self.updates: list[JSON] = []  # everything ever pushed, in update_id order
        self.webhook: JSON = {"url": ""}
        self._first_pending = 0  # index into self.updates of the first unconfirmed update
        self._next_update_id = 100001
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._bot_messages: dict[int, dict[int, JSON]] = {}
        self._user_messages: dict[int, dict[int, JSON]] = {}
        self._last_message_id: dict[int, int] = {}
        self._reply_keyboards: dict[int, JSON] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._files: dict[str, JSON] = {}
        self._file_contents: dict[str, bytes] = {}  # file_id -> what a user's document holds
        self._open_queries: set[str] = set()
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}  # old group id -> supergroup id
        self._uneditable: set[tuple[int, int]] = set()
        self._clock_offset = 0.0
        self._faults: list[Fault] = []
        self._send_times: list[float] = []
        self._chat_send_times: dict[int, list[float]] = {}
        self._ids = itertools.count(1)
        self._latency = 0.0
        self._poll_generation = 0
        self._waiting_polls = 0
        self._closing = False
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._activity = asyncio.Event()  # replaced on every change; see _signal
        self._new_updates = asyncio.Event()
        # Webhook delivery (``webhooks``): attempts as (update_id, HTTP status; 0: no answer).
        self.deliveries: list[tuple[int, int]] = []
        self._delivered: set[int] = set()
        self._sending: dict[int, asyncio.Task[None]] = {}
        self._webhook_task: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None

    def _signal(self) -> None:
        """Wakes everything waiting in `wait_for`."""
        self._activity.set()
        self._activity = asyncio.Event()

    def _wake_pollers(self) -> None:
        self._new_updates.set()
        self._new_updates = asyncio.Event()

    def _now(self) -> int:
        """Telegram's clock (see `advance_clock`)."""
        return int(time.time() + self._clock_offset)

    def _next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _new_file(self, **meta: Any) -> JSON:
        number = next(self._ids)
        file = {"file_id": f"BQACAgQAAxk{number:06d}", "file_unique_id": f"AgAD{number:06d}",
                **{key: value for key, value in meta.items() if value is not None}}
        self._files[file["file_id"]] = file
        return file

    @staticmethod
    def _command_key(scope: Any, language_code: Any) -> tuple[str, str]:
        return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""
