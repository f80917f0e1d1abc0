"""The stand-in's HTTP server: /api/v1/rpc (JSON-RPC 2.0), /api/v1/events, /api/v1/check."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from aiohttp import web

from tests.signalcli.methods import Methods
from tests.signalcli.observing import Observing
from tests.signalcli.phones import Phone
from tests.signalcli.protocol import (
    INVALID_REQUEST,
    JSON,
    KEEPALIVE_SECONDS,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    Call,
    RpcError,
    answer,
)
from tests.signalcli.stream import EventStream

_MISSING = object()  # an empty request body (Jackson's MissingNode)
_NODE_TYPES = {str: "STRING", bool: "BOOLEAN", int: "NUMBER", float: "NUMBER",
               type(None): "NULL"}


class SignalCliStandIn(EventStream, Observing, Methods):
    """signal-cli's HTTP daemon for one account (`-a ACCOUNT daemon --http
    --receive-mode on-connection`), driven by tests.

    Args:
        account: The bot's number.
        keepalive: Seconds between SSE keep-alive comments (signal-cli: 15).
    """

    def __init__(self, account: str = "+31612345678", *,
                 keepalive: float = KEEPALIVE_SECONDS) -> None:
        super().__init__(account, keepalive)
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._methods = self._method_table()

    async def start(self) -> None:
        """Serves on a free port of 127.0.0.1; after a `stop`, on the same port again."""
        app = web.Application()
        app.router.add_route("*", "/api/v1/rpc", self._rpc)
        app.router.add_route("*", "/api/v1/events", self._events_endpoint)
        app.router.add_route("*", "/api/v1/check", self._check)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0,
                                     handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._port).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Closes the event streams (their unwritten events stay queued) and stops."""
        self.drop_stream()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def restart(self, down_for: float = 0.3, *, redeliver: float = 0.0) -> None:
        """The daemon goes away (connections refused) for `down_for` seconds and comes back.

        Args:
            down_for: Seconds without a daemon.
            redeliver: Events written to a stream in this many seconds before the restart
                are delivered again (Signal's server redelivers what was not acknowledged).
        """
        replay = self._written_since(redeliver) if redeliver else []
        await self.stop()
        queued = {id(event) for event in self._pending}
        self._pending.extendleft(reversed([e for e in replay if id(e) not in queued]))
        await asyncio.sleep(down_for)
        await self.start()

    async def __aenter__(self) -> SignalCliStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def rpc_url(self) -> str:
        return f"{self.base_url}/api/v1/rpc"

    @property
    def events_url(self) -> str:
        return f"{self.base_url}/api/v1/events"

    @property
    def check_url(self) -> str:
        return f"{self.base_url}/api/v1/check"

    def person(self, name: str, *, number: str | None = None, share_number: bool = True,
               uuid_known: bool = True) -> Phone:
        """A new person with Signal (a fresh ACI; a +316 number unless given)."""
        phone = Phone(self, name, str(uuid.uuid4()), number or f"+316{next(self._numbers)}",
                      share_number, uuid_known)
        self._by_aci[phone.aci] = self._by_number[phone.number] = phone
        return phone

    def _allowed(self, request: web.Request) -> bool:
        """signal-cli's Host pinning: 127.0.0.1, localhost or ::1, on its own port."""
        host, _, port = request.headers.get("Host", "").rpartition(":")
        return host.strip("[]").lower() in ("127.0.0.1", "localhost", "::1") and (
            port == str(self._port))

    def _refusal(self, request: web.Request, method: str) -> web.Response | None:
        if not self._allowed(request):
            return web.Response(status=421)
        if request.method != method:
            return web.Response(status=405)
        return None

    async def _check(self, request: web.Request) -> web.Response:
        return web.Response(status=405 if request.method != "GET" else 200)

    async def _events_endpoint(self, request: web.Request) -> web.StreamResponse:
        return self._refusal(request, "GET") or await self._events(request)

    async def _rpc(self, request: web.Request) -> web.Response:
        refusal = self._refusal(request, "POST")
        if refusal is not None:
            return refusal
        if not request.headers.get("Content-Type", "").startswith("application/json"):
            return web.Response(status=415)
        raw = await request.read()
        try:
            node = json.loads(raw) if raw.strip() else _MISSING
        except ValueError as error:
            body: Any = answer(None, error=RpcError(PARSE_ERROR, str(error)))
        else:
            body = self._message(node)
        if body is None:
            return web.Response(status=201)
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return web.Response(body=text.encode(), content_type="application/json")

    def _message(self, node: Any) -> JSON | list[JSON] | None:
        """The answer to one request or a batch (None: nothing to answer, HTTP 201)."""
        if isinstance(node, list):
            if not node:
                return answer(None, error=RpcError(INVALID_REQUEST, "invalid request"))
            answers = [self._request(item) for item in node]
            return [item for item in answers if item is not None] or None
        if isinstance(node, dict):
            if "result" in node or "error" in node:
                return None  # a response to a request of ours: signal-cli only logs it
            return self._request(node)
        kind = "MISSING" if node is _MISSING else _NODE_TYPES.get(type(node), "OBJECT")
        return answer(None, error=RpcError(INVALID_REQUEST, f"unexpected type: {kind}"))

    def _request(self, node: Any) -> JSON | None:
        request_id = node.get("id") if isinstance(node, dict) else None
        if isinstance(request_id, dict | list):
            request_id = None
        try:
            if not isinstance(node, dict):
                raise RpcError(INVALID_REQUEST, "Cannot construct instance of "
                               "`org.asamk.signal.jsonrpc.JsonRpcRequest`")
            if node.get("jsonrpc") != "2.0":
                raise RpcError(INVALID_REQUEST, "only jsonrpc version 2.0 is supported")
            if node.get("method") is None:
                raise RpcError(INVALID_REQUEST, "method field must be set")
        except RpcError as error:
            return answer(request_id, error=error)
        method, params = str(node["method"]), node.get("params")
        self.calls.append(Call(method, params if isinstance(params, dict) else {}))
        try:
            handler = self._methods.get(method)
            if handler is None:
                raise RpcError(METHOD_NOT_FOUND, "Method not implemented")
            if params is not None and not isinstance(params, dict):
                raise RpcError(INVALID_REQUEST, "Cannot deserialize value of type "
                               "`java.util.LinkedHashMap<java.lang.String,java.lang.Object>` "
                               "from Array value")
            response = answer(request_id, result=handler(params or {}))
        except RpcError as error:
            response = answer(request_id, error=error)
        finally:
            self._signal()
        return response if "id" in node else None
