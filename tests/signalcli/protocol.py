"""signal-cli's wire: error codes, JSON-RPC answers, parameter reading, SSE framing."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, NamedTuple

JSON = dict[str, Any]

VERSION = "0.14.6"  # the newest release tag of signal-cli
KEEPALIVE_SECONDS = 15.0
DAY_MS = 24 * 3600 * 1000  # Signal's phones ignore edits and deletes of older messages

# Codes of SignalJsonRpcCommandHandler and JsonRpcResponse.Error.
USER_ERROR = -1
IO_ERROR = -3
UNTRUSTED_KEY_ERROR = -4
RATELIMIT_ERROR = -5
CAPTCHA_REJECTED_ERROR = -6
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

FAILURE_TYPES = ("NETWORK_FAILURE", "UNREGISTERED_FAILURE", "IDENTITY_FAILURE",
                 "RATE_LIMIT_FAILURE")
# How each method answers an IOException from Signal's server: (code, message format).
IO_ANSWERS = {
    "send": (INTERNAL_ERROR, "Failed to send message: {} (IOException) (UnexpectedErrorException)"),
    "remoteDelete": (INTERNAL_ERROR,
                     "Failed to send message: {} (IOException) (UnexpectedErrorException)"),
    "sendReaction": (INTERNAL_ERROR,
                     "Failed to send message: {} (IOException) (UnexpectedErrorException)"),
    "sendTyping": (USER_ERROR, "Failed to send message: {} (IOException)"),
    "updateContact": (IO_ERROR, "Update contact error: {}"),
    "submitRateLimitChallenge": (IO_ERROR, "Submit challenge error: {}"),
}
STYLES = ("NONE", "BOLD", "ITALIC", "SPOILER", "STRIKETHROUGH", "MONOSPACE")
_NUMBER = re.compile(r"\+[1-9]\d{6,14}")
_TEXT_STYLE = re.compile(r"(\d+):(\d+):(.+)")


class Call(NamedTuple):
    """One JSON-RPC request the stand-in answered (notifications and batch members too)."""

    method: str
    params: JSON


class RpcError(Exception):
    """A JSON-RPC error object: code, message and data (null unless a send result)."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    @property
    def body(self) -> JSON:
        return {"code": self.code, "message": self.message, "data": self.data}


def answer(request_id: Any, *, result: Any = None, error: RpcError | None = None) -> JSON:
    """A JSON-RPC response (`result` and `error` are left out when null, `id` never)."""
    if error is not None:
        return {"jsonrpc": "2.0", "error": error.body, "id": request_id}
    return {"jsonrpc": "2.0", "result": result, "id": request_id}


def values(params: JSON, name: str) -> list[Any] | None:
    """A list parameter as JsonRpcNamespace.getList reads it: `name` (a single value or a
    list), else the plural `names`."""
    value = params.get(name)
    if value is None:
        value = params.get(name + "s")
    if value is None or isinstance(value, list):
        return value
    return [value]


def integer(params: JSON, name: str) -> int | None:
    """An integer parameter; another JSON type fails as Java's cast does (internal error)."""
    value = params.get(name)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    kind = {str: "String", bool: "Boolean", float: "Double"}.get(type(value), "Object")
    raise RpcError(INTERNAL_ERROR, f"class java.lang.{kind} cannot be cast to class "
                                   f"java.lang.Long (ClassCastException)")


def required(params: JSON, name: str) -> int:
    """An integer parameter the command unboxes: missing fails as Java's NullPointerException."""
    value = integer(params, name)
    if value is None:
        raise RpcError(INTERNAL_ERROR, f'Cannot invoke "java.lang.Long.longValue()" because '
                                       f'"{name}" is null (NullPointerException)')
    return value


def is_uuid(identifier: str) -> bool:
    try:
        uuid.UUID(identifier)
    except ValueError:
        return False
    return len(identifier) == 36


def check_number(identifier: str) -> None:
    """Rejects what is neither an ACI nor an E.164 number (signal-cli: InvalidNumberException)."""
    if not _NUMBER.fullmatch(identifier):
        raise RpcError(USER_ERROR, f"Invalid phone number '{identifier}': "
                                   "This number is not valid E164 format")


def parse_text_styles(strings: list[Any]) -> list[JSON]:
    """"start:length:STYLE" strings (UTF-16 code units) as JsonTextStyle dicts."""
    styles = []
    for string in strings:
        match = _TEXT_STYLE.fullmatch(str(string))
        if not match:
            raise RpcError(USER_ERROR,
                           f"Invalid textStyle syntax ({string}) expected 'start:length:STYLE'")
        if match.group(3) not in STYLES:
            raise RpcError(USER_ERROR, f"Invalid style: {match.group(3)}")
        styles.append({"style": match.group(3), "start": int(match.group(1)),
                       "length": int(match.group(2))})
    return styles


def utf16_slice(text: str, start: int, length: int) -> str:
    """The part of `text` at UTF-16 offset `start`, `length` code units long."""
    raw = text.encode("utf-16-le")
    return raw[2 * start:2 * (start + length)].decode("utf-16-le", errors="replace")


def sse_event(event: JSON) -> bytes:
    """One "receive" event as ServerSentEventSender writes it (compact JSON, raw UTF-8)."""
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return b"event:receive\ndata:" + data.encode() + b"\n\n"


KEEPALIVE = b":\n"
