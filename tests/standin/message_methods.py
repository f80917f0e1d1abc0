"""Bot API methods that send, edit and delete messages, answer presses."""

from __future__ import annotations

from typing import Any

from tests.standin.entities import parse_html, strip_text
from tests.standin.markup import check_markup
from tests.standin.protocol import (
    CHAT_ACTIONS,
    DELETE_WINDOW,
    GROUP_UPGRADED,
    JSON,
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED,
    ApiError,
    Upload,
    bad,
)
from tests.standin.state import StandInState


class MessageMethods(StandInState):
    """sendMessage, sendPhoto/sendDocument, edits, deleteMessage, answers, chat actions."""

    def _target_chat(self, params: JSON) -> JSON:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise bad("chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad("chat not found")
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
            raise bad(f"unsupported parse_mode {params['parse_mode']}")
        text, entities = strip_text(text, entities)
        if len(text) > limit:
            raise bad(too_long)
        return text, entities

    def _markup(self, chat_id: int, markup: Any) -> JSON | None:
        inline = check_markup(markup)
        if isinstance(markup, dict) and "keyboard" in markup:
            self._reply_keyboards[chat_id] = markup
        elif isinstance(markup, dict) and markup.get("remove_keyboard"):
            self._reply_keyboards.pop(chat_id, None)
        return inline

    def _find_message(self, chat_id: int, message_id: Any) -> JSON | None:
        message = (self._bot_messages.get(chat_id, {}).get(message_id)
                   or self._user_messages.get(chat_id, {}).get(message_id))
        return message and {k: v for k, v in message.items() if k != "reply_to_message"}

    def _store_bot_message(self, chat: JSON, params: JSON, **content: Any) -> JSON:
        reply = params.get("reply_parameters")
        target = None
        if isinstance(reply, dict):
            target = self._find_message(chat["id"], reply.get("message_id"))
            if target is None and not reply.get("allow_sending_without_reply"):
                raise bad("message to be replied not found")
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
            raise bad("message text is empty")
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
            raise bad(f"there is no {kind} in the request")
        else:
            raise bad("wrong file identifier/HTTP URL specified")
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
                raise bad("message can't be edited")
            raise bad("message to edit not found")
        if (chat["id"], message_id) in self._uneditable:
            raise bad("message can't be edited")
        return message

    def _replace(self, message: JSON, **content: Any) -> JSON:
        """Stores an edited copy of a bot message, refusing edits that change nothing."""
        edited = {key: value for key, value in message.items() if key not in content}
        edited.update({key: value for key, value in content.items() if value})
        if all(edited.get(key) == message.get(key) for key in content):
            raise bad(NOT_MODIFIED)
        edited["edit_date"] = self._now()
        self._bot_messages[message["chat"]["id"]][message["message_id"]] = edited
        return edited

    def _edit_text(self, params: JSON) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        text, entities = self._formatted(params, "text", MAX_TEXT_LENGTH, "message is too long")
        if not text:
            raise bad("message text is empty")
        if "text" not in message:
            raise bad("there is no text in the message to edit")
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
                    raise bad("message can't be deleted for everyone")
                del store[chat_id][message_id]
                return True
        raise bad("message to delete not found")

    def _answer_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._open_queries:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        self._open_queries.discard(query_id)
        self.callback_answers.append(params)
        return True

    def _chat_action(self, params: JSON) -> bool:
        self._target_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        return True
