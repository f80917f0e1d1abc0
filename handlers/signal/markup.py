"""Telegram's HTML subset (the catalog's and the cards' markup) as Signal text with styles.

Signal styles a range of the text (``start:length:STYLE``, counted in UTF-16 code units):
bold, italic, strikethrough, monospace, spoiler. A link keeps its address after its text.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

_STYLES = {"b": "BOLD", "strong": "BOLD", "i": "ITALIC", "em": "ITALIC", "s": "STRIKETHROUGH",
           "strike": "STRIKETHROUGH", "del": "STRIKETHROUGH", "code": "MONOSPACE",
           "pre": "MONOSPACE", "tg-spoiler": "SPOILER"}


def to_signal(text: str) -> tuple[str, list[str]]:
    """HTML-subset text -> (plain text, Signal's ``textStyle`` ranges)."""
    if "<" not in text:
        return html.unescape(text), []
    parser = _Styler()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts), parser.styles


def _units(text: str) -> int:
    """Length in UTF-16 code units, as Signal counts."""
    return len(text.encode("utf-16-le")) // 2


class _Styler(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.styles: list[str] = []
        self._open: list[tuple[str, int, str | None]] = []  # (tag, start, link)
        self._at = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        link = dict(attrs).get("href") if tag == "a" else None
        self._open.append((tag, self._at, link))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            name, start, link = self._open[index]
            if name != tag:
                continue
            del self._open[index]
            if tag in _STYLES and self._at > start:
                self.styles.append(f"{start}:{self._at - start}:{_STYLES[tag]}")
            elif link and not "".join(self.parts).endswith(link):
                self.handle_data(f" ({link})")
            return

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self._at += _units(data)
