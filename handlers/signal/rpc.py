"""signal-cli's JSON-RPC over HTTP (``POST /api/v1/rpc``), and its health check.

signal-cli answers a failed command with a JSON-RPC error: -1 a user error, -3 an I/O error,
-4 an untrusted identity, -5 a rate limit, -6 a rejected captcha; the send results, when there
are any, come along in ``error.data.response`` (``SignalJsonRpcCommandHandler``).
"""

from __future__ import annotations

import itertools
from typing import Any

import aiohttp

USER_ERROR = -1
IO_ERROR = -3
UNTRUSTED_KEY_ERROR = -4
RATE_LIMIT_ERROR = -5
CAPTCHA_REJECTED_ERROR = -6


class Unreachable(Exception):
    """signal-cli did not answer (not running, restarting, or too slow)."""


class RpcError(Exception):
    """signal-cli refused a call; ``data`` is its error data (send results, if any)."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{message} (code {code})")
        self.code = code
        self.message = message
        self.data = data

    @property
    def response(self) -> dict[str, Any]:
        """The command's own result that came with the error (``{}`` when none)."""
        if isinstance(self.data, dict) and isinstance(self.data.get("response"), dict):
            return self.data["response"]
        return {}


class SignalRpc:
    """Calls signal-cli's JSON-RPC methods on one HTTP session."""

    def __init__(self, rpc_url: str, *, timeout_seconds: float = 30.0) -> None:
        self.rpc_url = rpc_url
        self.check_url = rpc_url.rsplit("/", 1)[0] + "/check"
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._ids = itertools.count(1)
        self._session: aiohttp.ClientSession | None = None

    @property
    def http(self) -> aiohttp.ClientSession:
        """The HTTP session (opened on first use, on the running loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def call(self, method: str, **params: Any) -> Any:
        """Call ``method`` and return its result.

        Raises:
            RpcError: signal-cli refused it.
            Unreachable: no answer.
        """
        request = {"jsonrpc": "2.0", "id": next(self._ids), "method": method,
                   "params": {k: v for k, v in params.items() if v is not None}}
        try:
            async with self.http.post(self.rpc_url, json=request) as response:
                if response.status >= 500 or response.content_type != "application/json":
                    raise Unreachable(f"{method}: HTTP {response.status}")
                answer = await response.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise Unreachable(f"{method}: {error or type(error).__name__}") from error
        error = answer.get("error") if isinstance(answer, dict) else None
        if error:
            raise RpcError(int(error.get("code", 0)), str(error.get("message", "")),
                           error.get("data"))
        return answer.get("result")

    async def healthy(self) -> bool:
        """``GET /api/v1/check``: whether the daemon runs."""
        try:
            async with self.http.get(self.check_url) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
