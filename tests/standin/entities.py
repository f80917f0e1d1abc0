"""Message entities: Telegram's HTML subset parsed like the Bot API does it."""

from __future__ import annotations

import re

from tests.standin.protocol import JSON, ApiError, bad

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
COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")



def utf16_len(text: str) -> int:
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
        return bad(f"can't parse entities: {reason} at byte offset {offset}{detail}")

    for match in _HTML_TOKEN.finditer(source):
        token = match.group(0)
        if token[0] == "&":
            char = _entity_char(*match.group(5, 6, 7))
            if char is None and strict:
                raise fail('Unsupported HTML entity or unescaped "&"', match)
            parts.append(char or token)
            position += utf16_len(char or token)
        elif token[0] != "<":
            parts.append(token)
            position += utf16_len(token)
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
        raise bad(f'can\'t parse entities: Can\'t find end tag corresponding to start tag '
                   f'"{open_tags[-1][0]}"')
    return "".join(parts), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _unescape(value: str) -> str:
    return re.sub(_HTML_ENTITY, lambda m: _entity_char(*m.groups()) or m.group(0), value)


def strip_text(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strips surrounding whitespace like Telegram, shifting and clipping entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    clipped = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            clipped.append({**entity, "offset": start, "length": end - start})
    return stripped, clipped

