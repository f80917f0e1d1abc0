"""The Bot API's wire: limits, error texts, the record of a call, and error answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]

DEFAULT_TOKEN = "123456:TEST-TOKEN"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
# Methods that count as "sends" for rate accounting (messages and edits hit the same limits).
RATE_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageReplyMarkup"}
)
CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note",
     "upload_video_note"}
)
INLINE_BUTTON_ACTIONS = ("callback_data", "url", "web_app", "login_url", "switch_inline_query",
                         "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
                         "copy_text", "callback_game", "pay")
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
POLL_CONFLICT = ("Conflict: terminated by other getUpdates request; make sure that only one bot "
                 "instance is running")
GROUP_UPGRADED = "Bad Request: group chat was upgraded to a supergroup chat"
# Bots can delete messages only while they are younger than this (seconds).
DELETE_WINDOW = 48 * 3600
# Call.response of a request whose connection was closed without an answer.
DROPPED = {"ok": False, "error_code": 0, "description": "connection closed without an answer"}
# Form values of these fields are kept as strings; all others are JSON-decoded when possible.
STRING_FIELDS = frozenset(
    {"text", "caption", "parse_mode", "url", "secret_token", "callback_query_id", "action",
     "inline_message_id", "language_code", "photo", "document", "ip_address", "emoji"}
)


@dataclass(frozen=True, slots=True)
class Upload:
    """A file uploaded with multipart/form-data, as recorded in `Call.params`."""

    filename: str | None
    mime_type: str | None
    size: int


@dataclass(frozen=True, slots=True)
class Call:
    """One request answered by the stand-in.

    Attributes:
        method: Canonical Bot API method name (the requested name for unknown methods).
        params: Decoded parameters; JSON-encoded fields are objects, uploads are `Upload`s.
        response: The JSON body that was sent back (`DROPPED` if the connection was closed).
        at: `time.monotonic()` when the request arrived.
        performed: Whether the call took effect, even if its answer was lost.
    """

    method: str
    params: JSON
    response: JSON
    at: float
    performed: bool = False

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return bool(self.response["ok"])


class ApiError(Exception):
    """An error answer; `body` is the JSON Telegram would send."""

    def __init__(self, status: int, description: str, retry_after: int | None = None, *,
                 migrate_to_chat_id: int | None = None) -> None:
        super().__init__(description)
        self.body: JSON = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            self.body["parameters"] = {"retry_after": retry_after}
        if migrate_to_chat_id is not None:
            self.body["parameters"] = {"migrate_to_chat_id": migrate_to_chat_id}


class Dropped(Exception):
    """Close the connection without answering."""


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")

