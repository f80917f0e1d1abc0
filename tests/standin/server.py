"""The stand-in's HTTP server: one route that answers every Bot API method, faults applied."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.standin.faults import Faults
from tests.standin.incoming import Incoming
from tests.standin.markup import decode_value
from tests.standin.message_methods import MessageMethods
from tests.standin.observing import Observing
from tests.standin.protocol import (
    DEFAULT_TOKEN,
    DROPPED,
    JSON,
    RATE_METHODS,
    ApiError,
    Call,
    Dropped,
    bad,
)
from tests.standin.update_methods import UpdateMethods


class BotApiStandIn(Incoming, Observing, Faults, UpdateMethods, MessageMethods):
    """A Telegram Bot API server for one bot, driven by tests.

    Args:
        token: The bot token requests must use.
        bot_username: Username reported by getMe.
        strict_html: Reject unescaped "&" in HTML texts (see `parse_html`).
    """

    def __init__(self, token: str = DEFAULT_TOKEN, *, bot_username: str = "signaalbot_test_bot",
                 strict_html: bool = True) -> None:
        super().__init__(token, bot_username, strict_html)
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._methods: dict[str, tuple[str, Callable[[JSON], Any]]] = {
            name.lower(): (name, handler) for name, handler in {
                "getMe": lambda _: self.bot_user, "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook, "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info, "setMyCommands": self._set_commands,
                "getMyCommands": self._get_commands, "deleteMyCommands": self._delete_commands,
                "sendMessage": self._send_message, "editMessageText": self._edit_text,
                "editMessageReplyMarkup": self._edit_markup, "deleteMessage": self._delete,
                "answerCallbackQuery": self._answer_query, "sendChatAction": self._chat_action,
                "sendPhoto": lambda p: self._send_media(p, "photo"),
                "sendDocument": lambda p: self._send_media(p, "document"),
                "getFile": self._get_file,
            }.items()
        }

    async def start(self) -> None:
        """Starts serving on a free port of 127.0.0.1; after a ``stop``, on the same port again
        (Telegram back after an outage)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._closing = False

    async def stop(self) -> None:
        """Ends pending long polls and stops the server."""
        self._closing = True
        self._wake_pollers()
        await self._stop_delivery()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """URL to pass as `base_url` to PTB (the token and method are appended)."""
        return f"http://127.0.0.1:{self._port}/bot"

    def _get_file(self, params: JSON) -> JSON:
        file = self._files.get(str(params.get("file_id")))
        if file is None:
            raise bad("wrong file_id or the file is temporarily unavailable")
        path = {"file_path": f"documents/{file['file_id']}"} if file["file_id"] in (
            self._file_contents) else {}
        return {key: file[key] for key in ("file_id", "file_unique_id", "file_size")
                if key in file} | path

    def _download(self, request: web.Request) -> web.Response:
        """``/file/bot<token>/documents/<file_id>``: what a user's document holds."""
        token, _, path = request.path.removeprefix("/file/bot").partition("/")
        content = self._file_contents.get(path.removeprefix("documents/"))
        if token != self.token or content is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=content, content_type="application/octet-stream")

    async def _handle(self, request: web.Request) -> web.Response:
        if request.path.startswith("/file/bot"):
            return self._download(request)
        arrived = time.monotonic()
        token, _, method = request.path.removeprefix("/bot").partition("/")
        valid_path = request.path.startswith("/bot") and method and "/" not in method
        method = method if valid_path else request.path
        polling = method.lower() == "getupdates"
        if not polling:
            self._in_flight += 1
            self._last_activity = arrived
            self._signal()  # a test may wait for a call in flight
        params: JSON = {}
        performed = False
        try:
            params = await self._read_params(request)
            if not valid_path:
                raise ApiError(404, "Not Found")
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            method, handler = self._methods.get(method.lower(), (method, None))
            if handler is None:
                raise ApiError(404, "Not Found")
            if method in RATE_METHODS:
                self._note_send(params.get("chat_id"), arrived)
            if self._latency and not polling:
                await asyncio.sleep(self._latency)
            fault = self._take_fault(method, params)
            if fault is not None and not fault.performed:
                fault.fail()
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
            body: JSON = {"ok": True, "result": result}
            performed = True
            if fault is not None:
                fault.fail()
        except ApiError as error:
            body = error.body
        except Dropped:
            body = DROPPED
        finally:
            if not polling:
                self._in_flight -= 1
                self._last_activity = time.monotonic()
        call = Call(method, params, body, arrived, performed)
        self.calls.append(call)
        if body.get("error_code") == 404:
            self.unexpected_calls.append(call)
        self._signal()
        if body is DROPPED and request.transport is not None:
            request.transport.close()  # aiohttp then quietly fails to write the response
        return web.Response(text=json.dumps(body, ensure_ascii=False),
                            status=body.get("error_code", 200), content_type="application/json")

    @staticmethod
    async def _read_params(request: web.Request) -> JSON:
        raw: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad("can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise bad("JSON object expected")
            raw.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            raw.update(await request.post())
        return {name: decode_value(name, value) for name, value in raw.items()}
