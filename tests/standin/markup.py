"""Reply markup checks and request values decoded as Telegram sees them."""

from __future__ import annotations

import itertools
import json
from typing import Any

from aiohttp import web

from tests.standin.protocol import (
    INLINE_BUTTON_ACTIONS,
    JSON,
    MAX_CALLBACK_DATA_BYTES,
    STRING_FIELDS,
    Upload,
    bad,
)


def check_markup(markup: Any) -> JSON | None:
    """Validates reply_markup; returns the inline keyboard a Message carries (or None)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array '
                       'of Arrays')
        for button in itertools.chain.from_iterable(rows):
            if not (isinstance(button, dict) and isinstance(button.get("text"), str)
                    and button["text"].strip()):
                raise bad('can\'t parse inline keyboard button: Field "text" must be of type '
                           'String')
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise bad("BUTTON_DATA_INVALID")
            if not any(action in button for action in INLINE_BUTTON_ACTIONS):
                raise bad("can't parse inline keyboard button: Text buttons are unallowed in "
                           "the inline keyboard")
        return {"inline_keyboard": rows}
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        buttons = itertools.chain.from_iterable(rows)
        if not all(isinstance(b, str) or isinstance(b, dict) and b.get("text") for b in buttons):
            raise bad('can\'t parse keyboard button: Field "text" must be of type String')
        return None
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return None
    raise bad("can't parse reply keyboard markup JSON object")


def decode_value(name: str, value: Any) -> Any:
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

