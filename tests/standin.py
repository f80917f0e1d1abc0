"""Telegram Bot API stand-in for end-to-end tests and benchmarks.

A small aiohttp server on 127.0.0.1 that answers the Bot API methods Signaalbot uses with
Telegram's JSON shapes, error texts and getUpdates semantics, plus a test-driving API to push
updates, inspect what the bot sent and inject faults::

    async with BotApiStandIn() as api:
        bot = telegram.Bot(api.token, base_url=api.base_url)
        api.send_command(42, "start")
        ...  # run the bot
        reply = await api.wait_for_message(42, containing="Welkom")

Everything runs on the caller's event loop; the helpers that push updates are synchronous.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from types import EllipsisType
from typing import Any

from aiohttp import web

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


class _Dropped(Exception):
    """Close the connection without answering."""


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(slots=True)
class _Fault:
    method: str
    chat_id: int | None
    remaining: int
    status: int | None  # None: drop the connection
    description: str
    retry_after: int | None
    performed: bool  # the call takes effect before the answer is lost

    def fail(self) -> None:
        if self.status is None:
            raise _Dropped
        raise ApiError(self.status, self.description, self.retry_after)


# --- Telegram's HTML subset ---------------------------------------------------------------

_TAG_ENTITIES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_NAMED_CHARS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY = r"&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|([a-zA-Z]+));"
# A tag (possibly unclosed), a character entity, a bare "&", or plain text.
_HTML_TOKEN = re.compile(rf"<(/?)([^\s>]*)([^>]*)(>?)|{_HTML_ENTITY}|&|[^<&]+")
_HTML_ATTR = re.compile(r"""([^\s=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+)))?""")
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _entity_char(numeric: str | None, hexadecimal: str | None, name: str | None) -> str | None:
    if name is not None:
        return _NAMED_CHARS.get(name)
    if numeric is None and hexadecimal is None:
        return None
    code = int(numeric) if numeric is not None else int(hexadecimal, 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else None


def parse_html(source: str, *, strict: bool = True) -> tuple[str, list[JSON]]:
    """Parses Telegram's HTML formatting like the Bot API does.

    Args:
        source: Text with parse_mode HTML.
        strict: Reject a "&" that does not start a known entity, as Telegram's docs demand
            (the real server quietly keeps such a "&").

    Returns:
        The plain text and its entities (offsets and lengths in UTF-16 code units).

    Raises:
        ApiError: 400 "can't parse entities: ..." for malformed markup.
    """
    parts: list[str] = []
    position = 0  # UTF-16 length of the text produced so far
    open_tags: list[tuple[str, int, JSON | None]] = []
    entities: list[JSON] = []

    def fail(reason: str, match: re.Match[str], detail: str = "") -> ApiError:
        offset = len(source[: match.start()].encode())
        return _bad(f"can't parse entities: {reason} at byte offset {offset}{detail}")

    for match in _HTML_TOKEN.finditer(source):
        token = match.group(0)
        if token[0] == "&":
            char = _entity_char(*match.group(5, 6, 7))
            if char is None and strict:
                raise fail('Unsupported HTML entity or unescaped "&"', match)
            parts.append(char or token)
            position += _utf16_len(char or token)
        elif token[0] != "<":
            parts.append(token)
            position += _utf16_len(token)
        elif match.group(1):  # end tag
            name, rest, closed = match.group(2).lower(), match.group(3), match.group(4)
            if not open_tags:
                raise fail("Unexpected end tag", match)
            if not closed or rest.strip():
                raise fail("Unclosed end tag", match)
            tag, start, entity = open_tags.pop()
            if name and name != tag:
                raise fail("Unmatched end tag", match, f', expected "</{tag}>", found "</{name}>"')
            if entity is not None and position > start:
                entities.append({"offset": start, "length": position - start, **entity})
        else:  # start tag
            name, rest, closed = match.group(2).lower(), match.group(3), match.group(4)
            if not closed and not rest:
                raise fail("Unclosed start tag", match)
            if name not in _TAG_ENTITIES:
                raise fail(f'Unsupported start tag "{name}"', match)
            if not closed:
                raise fail("Unclosed start tag", match)
            attrs = {
                attr.group(1).lower(): _unescape(next(filter(None, attr.group(2, 3, 4)), ""))
                for attr in _HTML_ATTR.finditer(rest)
            }
            entity: JSON | None = {"type": _TAG_ENTITIES[name]}
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise fail('Tag "span" must have class "tg-spoiler"', match)
            if name == "a":
                entity = {"type": "text_link", "url": attrs["href"]} if attrs.get("href") else None
            elif name == "tg-emoji":
                if not attrs.get("emoji-id"):
                    raise fail('Tag "tg-emoji" must have attribute "emoji-id"', match)
                entity["custom_emoji_id"] = attrs["emoji-id"]
            elif name == "blockquote" and "expandable" in attrs:
                entity["type"] = "expandable_blockquote"
            elif name == "code" and open_tags and open_tags[-1][0] == "pre":
                language = attrs.get("class", "")
                if language.startswith("language-") and open_tags[-1][2] is not None:
                    open_tags[-1][2]["language"] = language.removeprefix("language-")
                    entity = None  # <pre><code class="language-x"> is one pre entity
            open_tags.append((name, position, entity))
    if open_tags:
        raise _bad(f'can\'t parse entities: Can\'t find end tag corresponding to start tag '
                   f'"{open_tags[-1][0]}"')
    return "".join(parts), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _unescape(value: str) -> str:
    return re.sub(_HTML_ENTITY, lambda m: _entity_char(*m.groups()) or m.group(0), value)


def _strip(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strips surrounding whitespace like Telegram, shifting and clipping entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = _utf16_len(text[: len(text) - len(text.lstrip())])
    size = _utf16_len(stripped)
    clipped = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            clipped.append({**entity, "offset": start, "length": end - start})
    return stripped, clipped


def _check_markup(markup: Any) -> JSON | None:
    """Validates reply_markup; returns the inline keyboard a Message carries (or None)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array '
                       'of Arrays')
        for button in itertools.chain.from_iterable(rows):
            if not (isinstance(button, dict) and isinstance(button.get("text"), str)
                    and button["text"].strip()):
                raise _bad('can\'t parse inline keyboard button: Field "text" must be of type '
                           'String')
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise _bad("BUTTON_DATA_INVALID")
            if not any(action in button for action in INLINE_BUTTON_ACTIONS):
                raise _bad("can't parse inline keyboard button: Text buttons are unallowed in "
                           "the inline keyboard")
        return {"inline_keyboard": rows}
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        buttons = itertools.chain.from_iterable(rows)
        if not all(isinstance(b, str) or isinstance(b, dict) and b.get("text") for b in buttons):
            raise _bad('can\'t parse keyboard button: Field "text" must be of type String')
        return None
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return None
    raise _bad("can't parse reply keyboard markup JSON object")


def _decode_value(name: str, value: Any) -> Any:
    """Turns a form/query value into what Telegram would see (JSON-decoded, uploads sized)."""
    if isinstance(value, web.FileField):
        value.file.seek(0, 2)
        return Upload(value.filename, value.content_type, value.file.tell())
    if not isinstance(value, str) or name in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class BotApiStandIn:
    """A Telegram Bot API server for one bot, driven by tests.

    Args:
        token: The bot token requests must use.
        bot_username: Username reported by getMe.
        strict_html: Reject unescaped "&" in HTML texts (see `parse_html`).
    """

    def __init__(self, token: str = DEFAULT_TOKEN, *, bot_username: str = "signaalbot_test_bot",
                 strict_html: bool = True) -> None:
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
        self._open_queries: set[str] = set()
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}  # old group id -> supergroup id
        self._uneditable: set[tuple[int, int]] = set()
        self._clock_offset = 0.0
        self._faults: list[_Fault] = []
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
            }.items()
        }

    # --- lifecycle ---------------------------------------------------------------------------

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

    # --- users, chats and pushed updates -----------------------------------------------------

    def user(self, user_id: int, first_name: str = "Test", username: str | None = None,
             language_code: str | None = None) -> JSON:
        """Registers a user (and their private chat with the bot); returns the User dict."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat = {"id": user_id, "type": "private", "first_name": first_name}
        if username:
            user["username"] = chat["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        self._chats[user_id] = chat
        return user

    def group(self, chat_id: int, title: str = "Test group") -> JSON:
        """Registers a group (supergroup for -100… ids) the bot is a member of."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
        self._chats[chat_id] = {"id": chat_id, "type": kind, "title": title}
        return self._chats[chat_id]

    def upgrade_group(self, old_chat_id: int, new_chat_id: int, *, by: int | None = None
                      ) -> JSON:
        """Upgrades a group to a supergroup (with a -100… id) the bot is a member of.

        Afterwards every call addressing `old_chat_id` fails with 400 "group chat was upgraded
        to a supergroup chat" and parameters.migrate_to_chat_id; the bot's old messages stay
        readable with `messages(old_chat_id)`.

        Args:
            old_chat_id: A registered group (not yet upgraded).
            new_chat_id: The supergroup's id.
            by: Who upgraded; if given, the service messages with migrate_to_chat_id (in the
                old group) and migrate_from_chat_id (in the supergroup) are pushed.

        Returns:
            The supergroup's Chat dict.
        """
        old = self._chats.get(old_chat_id)
        if old is None or old["type"] != "group" or old_chat_id in self._migrated:
            raise ValueError(f"chat {old_chat_id} is not a registered, unupgraded group")
        if new_chat_id >= -1_000_000_000_000 or new_chat_id in self._chats:
            raise ValueError(f"{new_chat_id} is not a new supergroup id (-100…)")
        if by is not None:
            self._incoming(by, old_chat_id, migrate_to_chat_id=new_chat_id)
        self._migrated[old_chat_id] = new_chat_id
        chat = self.group(new_chat_id, old["title"])
        if by is not None:
            self._incoming(by, new_chat_id, migrate_from_chat_id=old_chat_id)
        self._signal()
        return chat

    def send_text(self, user_id: int, text: str, *, chat_id: int | None = None) -> JSON:
        """Pushes a text message (commands get a bot_command entity)."""
        return self._incoming(user_id, chat_id, **self._text_content(text))

    def send_command(self, user_id: int, command: str, args: str | None = None, *,
                     chat_id: int | None = None) -> JSON:
        """Pushes "/command args"."""
        return self.send_text(user_id, f"/{command} {args}" if args else f"/{command}",
                              chat_id=chat_id)

    def press(self, user_id: int, message: JSON | int, data: str, *, check: bool = True) -> JSON:
        """Pushes a callback_query for a button on a bot message.

        Args:
            user_id: Who presses.
            message: The bot's Message dict, or its id in the user's private chat.
            data: The callback_data.
            check: Require a button with this data on the message's current keyboard.
        """
        if isinstance(message, dict):
            chat_id, message_id = message["chat"]["id"], message["message_id"]
        else:
            chat_id, message_id = user_id, message
        current = self._bot_messages.get(chat_id, {}).get(message_id)
        if check:
            if current is None:
                raise AssertionError(f"message {message_id} in chat {chat_id} does not exist")
            keyboard = current.get("reply_markup", {}).get("inline_keyboard", [])
            options = [button.get("callback_data") for row in keyboard for button in row]
            if data not in options:
                raise AssertionError(f"no button {data!r} on message {message_id}: {options}")
        query_id = str(8_000_000_000 + next(self._ids))
        self._open_queries.add(query_id)
        query = {"id": query_id, "from": self._sender(user_id), "chat_instance": f"ci{chat_id}",
                 "data": data}
        shown = current or (message if isinstance(message, dict) else None)
        if shown is not None:
            query["message"] = shown
        return self._push({"callback_query": query})

    def send_contact(self, user_id: int, phone_number: str, first_name: str | None = None,
                     user_id_in_contact: int | None | EllipsisType = ..., *,
                     chat_id: int | None = None) -> JSON:
        """Pushes a shared contact; by default the sender's own (user_id = sender, None omits)."""
        contact = {"phone_number": phone_number,
                   "first_name": first_name or self._sender(user_id)["first_name"]}
        owner = user_id if user_id_in_contact is ... else user_id_in_contact
        if owner is not None:
            contact["user_id"] = owner
        return self._incoming(user_id, chat_id, contact=contact)

    def send_photo(self, user_id: int, caption: str | None = None, *,
                   chat_id: int | None = None) -> JSON:
        """Pushes a photo message."""
        content: JSON = {"photo": [{**self._new_file(file_size=1500), "width": 90, "height": 90},
                                   {**self._new_file(file_size=98000), "width": 1280,
                                    "height": 960}]}
        if caption:
            content["caption"] = caption
        return self._incoming(user_id, chat_id, **content)

    def send_sticker(self, user_id: int, emoji: str = "👍", *, chat_id: int | None = None) -> JSON:
        """Pushes a sticker message."""
        sticker = {**self._new_file(file_size=20000), "type": "regular", "width": 512,
                   "height": 512, "is_animated": False, "is_video": False, "emoji": emoji}
        return self._incoming(user_id, chat_id, sticker=sticker)

    def send_voice(self, user_id: int, duration: int = 3, *, chat_id: int | None = None) -> JSON:
        """Pushes a voice message."""
        voice = {**self._new_file(file_size=8000), "duration": duration, "mime_type": "audio/ogg"}
        return self._incoming(user_id, chat_id, voice=voice)

    def send_location(self, user_id: int, latitude: float, longitude: float, *,
                      chat_id: int | None = None) -> JSON:
        """Pushes a location message."""
        return self._incoming(user_id, chat_id,
                              location={"latitude": latitude, "longitude": longitude})

    def edit_text(self, user_id: int, message_id: int, new_text: str, *,
                  chat_id: int | None = None) -> JSON:
        """Pushes an edited_message update for a text the user sent earlier."""
        chat_id = user_id if chat_id is None else chat_id
        original = self._user_messages.get(chat_id, {}).get(message_id)
        if original is None:
            raise ValueError(f"user message {message_id} not found in chat {chat_id}")
        edited = {key: value for key, value in original.items() if key != "entities"}
        edited.update(self._text_content(new_text), edit_date=self._now())
        self._user_messages[chat_id][message_id] = edited
        return self._push({"edited_message": edited})

    def push_raw(self, update: JSON) -> JSON:
        """Pushes any update; update_id is assigned unless given (it must then increase)."""
        payload = dict(update)
        update_id = payload.pop("update_id", self._next_update_id)
        if update_id < self._next_update_id:
            raise ValueError(f"update_id must be >= {self._next_update_id}")
        for value in payload.values():
            if isinstance(value, dict) and isinstance(value.get("chat"), dict):
                self._chats.setdefault(value["chat"]["id"], value["chat"])
        self._next_update_id = update_id
        return self._push(payload)

    def redeliver_from(self, update_id: int) -> None:
        """Makes confirmed updates with id >= update_id pending again (e.g. after a crash)."""
        index = bisect.bisect_left(self.updates, update_id, key=lambda u: u["update_id"])
        self._first_pending = min(self._first_pending, index)
        self._wake_pollers()

    # --- observing ---------------------------------------------------------------------------

    @property
    def polling(self) -> bool:
        """Whether a getUpdates long poll is currently waiting for updates."""
        return self._waiting_polls > 0

    @property
    def in_flight(self) -> int:
        """How many calls (but long polls) are being answered right now."""
        return self._in_flight

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a getUpdates offset."""
        return self.updates[self._first_pending:]

    def messages(self, chat_id: int) -> list[JSON]:
        """The bot's messages in a chat in their current state (edits applied, deletes gone)."""
        return list(self._bot_messages.get(chat_id, {}).values())

    def last_message(self, chat_id: int) -> JSON | None:
        """The bot's most recent still-existing message in a chat."""
        return next(reversed(self._bot_messages.get(chat_id, {}).values()), None)

    def reply_keyboard(self, chat_id: int) -> JSON | None:
        """The reply keyboard currently shown in a chat (None after remove_keyboard)."""
        return self._reply_keyboards.get(chat_id)

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list set for a scope (the default scope if None) and language."""
        return self._commands.get(self._command_key(scope, language_code), [])

    def calls_of(self, method: str) -> list[Call]:
        """All calls of one method."""
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Waits until predicate() is true; it is re-checked after every call and push.

        Raises:
            AssertionError: On timeout, listing the recent calls.
        """
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await self._activity.wait()
        except TimeoutError:
            message = f"condition not met within {timeout}s\n{self.describe()}"
            raise AssertionError(message) from None

    async def wait_for_message(self, chat_id: int, count: int | None = None,
                               containing: str | None = None, timeout: float = 5.0) -> JSON:
        """Waits for a bot message in a chat and returns it.

        Args:
            chat_id: The chat.
            count: Require at least this many current bot messages in the chat.
            containing: Require a message whose text or caption contains this.
            timeout: Seconds to wait.

        Returns:
            The newest message matching `containing` (the newest message if not given).
        """
        found: list[JSON] = []

        def matches() -> bool:
            current = self._bot_messages.get(chat_id, {})
            if len(current) < (count or 1):
                return False
            for message in reversed(current.values()):
                shown = message.get("text", message.get("caption", ""))
                if containing is None or containing in shown:
                    found.append(message)
                    return True
            return False

        await self.wait_for(matches, timeout)
        return found[-1]

    async def wait_idle(self, quiet: float = 0.2, timeout: float = 5.0) -> None:
        """Waits until all updates are confirmed and no call (but getUpdates) for `quiet` s."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    silent = time.monotonic() - self._last_activity
                    settled = not self._in_flight and self._first_pending == len(self.updates)
                    if settled and silent >= quiet:
                        return
                    await asyncio.sleep(max(quiet - silent, 0.01))
        except TimeoutError:
            raise AssertionError(f"bot not idle within {timeout}s\n{self.describe()}") from None

    def max_rate(self, chat_id: int | None = None, window: float = 1.0) -> int:
        """Most sends (see RATE_METHODS) within any `window` seconds, to one chat or overall."""
        times = self._send_times if chat_id is None else self._chat_send_times.get(chat_id, [])
        best = start = 0
        for end, moment in enumerate(times):
            while moment - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def describe(self, limit: int = 20) -> str:
        """Recent calls (skipping empty polls), one per line, for failure messages."""
        lines = []
        for call in reversed(self.calls):
            if call.method == "getUpdates" and call.response.get("result") == []:
                continue
            response = call.response
            outcome = "ok" if call.ok else f"{response['error_code']} {response['description']}"
            if call.performed and not call.ok:
                outcome += " (answer lost, call performed)"
            lines.append(f"  {call.method} {str(call.params)[:300]} -> {outcome}")
            if len(lines) == limit:
                break
        return "recent calls:\n" + ("\n".join(reversed(lines)) or "  (none)")

    # --- fault injection ---------------------------------------------------------------------

    def block_chat(self, chat_id: int) -> None:
        """Makes requests about this chat fail with 403 (user blocked the bot / bot kicked)."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undoes `block_chat`."""
        self._blocked.discard(chat_id)

    def fail_next(self, method: str, status: int | None, *, count: int = 1,
                  retry_after: int | None = None, chat_id: int | None = None,
                  description: str | None = None) -> None:
        """Makes the next `count` calls of `method` (to `chat_id`, if given) fail with `status`.

        The calls take no effect. `status=None` closes the connection without an answer.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        default = {400: "Bad Request", 403: "Forbidden: bot was blocked by the user",
                   429: f"Too Many Requests: retry after {retry_after}"}
        if status is not None:
            description = description or default.get(status) or HTTPStatus(status).phrase
        self._faults.append(_Fault(method.lower(), chat_id, count, status, description or "",
                                   retry_after if status == 429 else None, False))

    def lose_answer_next(self, method: str, *, chat_id: int | None = None, count: int = 1,
                         status: int | None = 502) -> None:
        """Performs the next `count` calls of `method` (to `chat_id`) but loses their answers.

        Telegram sends the message (or applies the edit, ...), yet the bot gets an HTTP
        `status` error with Telegram's JSON error body, or, with `status=None`, a connection
        closed without any answer.
        """
        self._faults.append(_Fault(method.lower(), chat_id, count, status,
                                   HTTPStatus(status).phrase if status else "", None, True))

    def set_latency(self, seconds: float) -> None:
        """Delays every answer except getUpdates by `seconds`."""
        self._latency = seconds

    def advance_clock(self, hours: float) -> None:
        """Moves Telegram's clock forward: stored messages become `hours` older.

        Dates of later messages and edits follow the moved clock; deleteMessage refuses
        messages sent 48 hours ago or earlier.
        """
        self._clock_offset += hours * 3600

    def refuse_edits(self, chat_id: int, message_id: int) -> None:
        """Makes edits of this message fail with 400 "message can't be edited"."""
        self._uneditable.add((chat_id, message_id))

    # --- HTTP plumbing -----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        token, _, method = request.path.removeprefix("/bot").partition("/")
        valid_path = request.path.startswith("/bot") and method and "/" not in method
        method = method if valid_path else request.path
        polling = method.lower() == "getupdates"
        if not polling:
            self._in_flight += 1
            self._last_activity = arrived
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
        except _Dropped:
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
                raise _bad("can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise _bad("JSON object expected")
            raw.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            raw.update(await request.post())
        return {name: _decode_value(name, value) for name, value in raw.items()}

    def _signal(self) -> None:
        """Wakes everything waiting in `wait_for`."""
        self._activity.set()
        self._activity = asyncio.Event()

    def _wake_pollers(self) -> None:
        self._new_updates.set()
        self._new_updates = asyncio.Event()

    def _note_send(self, chat_id: Any, moment: float) -> None:
        self._send_times.append(moment)
        if isinstance(chat_id, int):
            self._chat_send_times.setdefault(chat_id, []).append(moment)

    def _take_fault(self, method: str, params: JSON) -> _Fault | None:
        for fault in self._faults:
            if fault.method == method.lower() and fault.chat_id in (None, params.get("chat_id")):
                fault.remaining -= 1
                if not fault.remaining:
                    self._faults.remove(fault)
                return fault
        return None

    # --- state helpers -----------------------------------------------------------------------

    def _now(self) -> int:
        """Telegram's clock (see `advance_clock`)."""
        return int(time.time() + self._clock_offset)

    def _sender(self, user_id: int) -> JSON:
        return self._users.get(user_id) or self.user(user_id)

    def _next_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _find_message(self, chat_id: int, message_id: Any) -> JSON | None:
        message = (self._bot_messages.get(chat_id, {}).get(message_id)
                   or self._user_messages.get(chat_id, {}).get(message_id))
        return message and {k: v for k, v in message.items() if k != "reply_to_message"}

    def _new_file(self, **meta: Any) -> JSON:
        number = next(self._ids)
        file = {"file_id": f"BQACAgQAAxk{number:06d}", "file_unique_id": f"AgAD{number:06d}",
                **{key: value for key, value in meta.items() if value is not None}}
        self._files[file["file_id"]] = file
        return file

    @staticmethod
    def _text_content(text: str) -> JSON:
        content: JSON = {"text": text}
        if command := _COMMAND.match(text):
            content["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": _utf16_len(command.group(0))}]
        return content

    def _incoming(self, user_id: int, chat_id: int | None, **content: Any) -> JSON:
        sender = self._sender(user_id)
        chat_id = user_id if chat_id is None else chat_id
        if chat_id not in self._chats:
            raise ValueError(f"chat {chat_id} is not registered; call group() first")
        if chat_id in self._migrated:
            raise ValueError(f"chat {chat_id} was upgraded to {self._migrated[chat_id]}")
        message_id = self._next_message_id(chat_id)
        message = {"message_id": message_id, "from": sender, "chat": self._chats[chat_id],
                   "date": self._now(), **content}
        self._user_messages.setdefault(chat_id, {})[message_id] = message
        return self._push({"message": message})

    def _push(self, payload: JSON) -> JSON:
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self.updates.append(update)
        self._last_activity = time.monotonic()
        self._wake_pollers()
        self._signal()
        return update

    @staticmethod
    def _command_key(scope: Any, language_code: Any) -> tuple[str, str]:
        return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""

    # --- Bot API methods ---------------------------------------------------------------------

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
        return True

    def _delete_webhook(self, params: JSON) -> bool:
        self.webhook = {"url": ""}
        if params.get("drop_pending_updates") is True:
            self._first_pending = len(self.updates)
        return True

    def _get_webhook_info(self, _: JSON) -> JSON:
        info = {key: value for key, value in self.webhook.items() if key != "secret_token"}
        return {**info, "has_custom_certificate": False,
                "pending_update_count": len(self.updates) - self._first_pending}

    def _set_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}",
                                                                 str(command.get("command"))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "")) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._command_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = commands
        return True

    def _get_commands(self, params: JSON) -> list[JSON]:
        return self.commands(params.get("scope"), params.get("language_code") or "")

    def _delete_commands(self, params: JSON) -> bool:
        self._commands.pop(self._command_key(params.get("scope"), params.get("language_code")),
                           None)
        return True

    def _target_chat(self, params: JSON) -> JSON:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise _bad("chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise _bad("chat not found")
        if chat_id in self._migrated:
            raise ApiError(400, GROUP_UPGRADED, migrate_to_chat_id=self._migrated[chat_id])
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user" if chat_id > 0
                           else f"Forbidden: bot was kicked from the {chat['type']} chat")
        return chat

    def _formatted(self, params: JSON, field: str, limit: int, too_long: str
                   ) -> tuple[str, list[JSON]]:
        text = str(params.get(field) or "")
        given = params.get("entities" if field == "text" else "caption_entities")
        mode = str(params.get("parse_mode") or "").lower()
        if isinstance(given, list):
            entities = given
        elif mode == "html":
            text, entities = parse_html(text, strict=self.strict_html)
        elif mode in ("", "markdown", "markdownv2"):  # Markdown is passed through unparsed
            entities = []
        else:
            raise _bad(f"unsupported parse_mode {params['parse_mode']}")
        text, entities = _strip(text, entities)
        if len(text) > limit:
            raise _bad(too_long)
        return text, entities

    def _markup(self, chat_id: int, markup: Any) -> JSON | None:
        inline = _check_markup(markup)
        if isinstance(markup, dict) and "keyboard" in markup:
            self._reply_keyboards[chat_id] = markup
        elif isinstance(markup, dict) and markup.get("remove_keyboard"):
            self._reply_keyboards.pop(chat_id, None)
        return inline

    def _store_bot_message(self, chat: JSON, params: JSON, **content: Any) -> JSON:
        reply = params.get("reply_parameters")
        target = None
        if isinstance(reply, dict):
            target = self._find_message(chat["id"], reply.get("message_id"))
            if target is None and not reply.get("allow_sending_without_reply"):
                raise _bad("message to be replied not found")
        message = {"message_id": self._next_message_id(chat["id"]), "from": self._bot_from,
                   "chat": chat, "date": self._now(),
                   **{key: value for key, value in content.items() if value}}
        if target:
            message["reply_to_message"] = target
        self._bot_messages.setdefault(chat["id"], {})[message["message_id"]] = message
        return message

    def _send_message(self, params: JSON) -> JSON:
        chat = self._target_chat(params)
        text, entities = self._formatted(params, "text", MAX_TEXT_LENGTH, "message is too long")
        if not text:
            raise _bad("message text is empty")
        markup = self._markup(chat["id"], params.get("reply_markup"))
        return self._store_bot_message(chat, params, text=text, entities=entities,
                                       reply_markup=markup)

    def _send_media(self, params: JSON, kind: str) -> JSON:
        chat = self._target_chat(params)
        source = params.get(kind)
        if isinstance(source, Upload):
            file = self._new_file(file_size=source.size, **(
                {"file_name": source.filename, "mime_type": source.mime_type}
                if kind == "document" else {}))
        elif isinstance(source, str) and source in self._files:
            file = self._files[source]
        elif isinstance(source, str) and source.startswith(("http://", "https://")):
            file = self._new_file(file_size=50_000)
        elif source in (None, ""):
            raise _bad(f"there is no {kind} in the request")
        else:
            raise _bad("wrong file identifier/HTTP URL specified")
        caption, entities = self._formatted(params, "caption", MAX_CAPTION_LENGTH,
                                            "message caption is too long")
        markup = self._markup(chat["id"], params.get("reply_markup"))
        media = [{**file, "width": 1280, "height": 960}] if kind == "photo" else file
        return self._store_bot_message(chat, params, **{kind: media}, caption=caption,
                                       caption_entities=entities, reply_markup=markup)

    def _editable(self, params: JSON) -> JSON:
        chat = self._target_chat(params)
        message_id = params.get("message_id")
        message = self._bot_messages.get(chat["id"], {}).get(message_id)
        if message is None:
            if message_id in self._user_messages.get(chat["id"], {}):
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        if (chat["id"], message_id) in self._uneditable:
            raise _bad("message can't be edited")
        return message

    def _replace(self, message: JSON, **content: Any) -> JSON:
        """Stores an edited copy of a bot message, refusing edits that change nothing."""
        edited = {key: value for key, value in message.items() if key not in content}
        edited.update({key: value for key, value in content.items() if value})
        if all(edited.get(key) == message.get(key) for key in content):
            raise _bad(NOT_MODIFIED)
        edited["edit_date"] = self._now()
        self._bot_messages[message["chat"]["id"]][message["message_id"]] = edited
        return edited

    def _edit_text(self, params: JSON) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        text, entities = self._formatted(params, "text", MAX_TEXT_LENGTH, "message is too long")
        if not text:
            raise _bad("message text is empty")
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        markup = self._markup(message["chat"]["id"], params.get("reply_markup"))
        return self._replace(message, text=text, entities=entities, reply_markup=markup)

    def _edit_markup(self, params: JSON) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        markup = self._markup(message["chat"]["id"], params.get("reply_markup"))
        return self._replace(message, reply_markup=markup)

    def _delete(self, params: JSON) -> bool:
        chat_id = self._target_chat(params)["id"]
        message_id = params.get("message_id")
        for store in (self._bot_messages, self._user_messages):
            message = store.get(chat_id, {}).get(message_id)
            if message is not None:
                if self._now() - message["date"] >= DELETE_WINDOW:
                    raise _bad("message can't be deleted for everyone")
                del store[chat_id][message_id]
                return True
        raise _bad("message to delete not found")

    def _answer_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._open_queries:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        self._open_queries.discard(query_id)
        self.callback_answers.append(params)
        return True

    def _chat_action(self, params: JSON) -> bool:
        self._target_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True
