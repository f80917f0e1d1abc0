"""News texts as subscribers see them (escaped, limited) and the news buttons' codec."""

from __future__ import annotations

import pytest

from bot.core.buttons import NewsAction, NewsButton, unpack
from bot.core.news import NEWS_MAX, NewsError, news_text, offer_buttons, unsubscribe_buttons


def test_a_news_text_is_escaped_under_its_signaalpunt() -> None:
    assert news_text("Hulst & Axel", " <b>Koffie</b> & meer ") == (
        "📰 <b>Nieuws van het Signaalpunt Hulst &amp; Axel</b>\n\n"
        "&lt;b&gt;Koffie&lt;/b&gt; &amp; meer")


def test_an_empty_or_too_long_news_text_is_refused() -> None:
    with pytest.raises(NewsError, match="geen tekst"):
        news_text("Terneuzen", "  \n ")
    with pytest.raises(NewsError, match="te lang"):
        news_text("Terneuzen", "x" * (NEWS_MAX + 1))
    assert news_text("Terneuzen", "x" * NEWS_MAX).endswith("x" * NEWS_MAX)


def test_news_buttons_round_trip_and_forged_ones_are_nothing() -> None:
    for button in (NewsButton(NewsAction.LEAVE, "GM0715"),
                   NewsButton(NewsAction.SEND, "GM0715", "a1b2c3d4")):
        assert unpack(button.pack()) == button
    [[(label, data)]] = unsubscribe_buttons("GM0715")
    assert (label, unpack(data)) == ("Afmelden", NewsButton(NewsAction.LEAVE, "GM0715"))
    [[(_, yes), (_, no)]] = offer_buttons("GM0715")
    assert unpack(yes) == NewsButton(NewsAction.JOIN, "GM0715")
    assert unpack(no) == NewsButton(NewsAction.DECLINE, "GM0715")
    assert unpack("n|all|GM0715|") is None and unpack("n|off||") is None
    assert unpack("n|off|GM0715") is None
