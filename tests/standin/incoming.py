"""Users and chats, and the updates they push: texts, presses, contacts, media."""

from __future__ import annotations

import bisect
import time
from types import EllipsisType
from typing import Any

from tests.standin.entities import COMMAND, utf16_len
from tests.standin.protocol import JSON
from tests.standin.state import StandInState


class Incoming(StandInState):
    """Registers users and chats and pushes what they do as updates."""

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

    def send_document(self, user_id: int, content: bytes, file_name: str, *,
                      mime_type: str = "text/csv", caption: str | None = None,
                      chat_id: int | None = None) -> JSON:
        """Pushes a document message; the bot can fetch ``content`` (getFile, then the file)."""
        document = self._new_file(file_size=len(content), file_name=file_name,
                                  mime_type=mime_type)
        self._file_contents[document["file_id"]] = content
        extra: JSON = {"caption": caption} if caption else {}
        return self._incoming(user_id, chat_id, document=document, **extra)

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
        self._delivered = {known for known in self._delivered if known < update_id}
        self._wake_pollers()

    def _sender(self, user_id: int) -> JSON:
        return self._users.get(user_id) or self.user(user_id)

    @staticmethod
    def _text_content(text: str) -> JSON:
        content: JSON = {"text": text}
        if command := COMMAND.match(text):
            content["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": utf16_len(command.group(0))}]
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
