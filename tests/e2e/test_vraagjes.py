"""Conversation-starter cards end to end: /vraagje on Telegram (a button for another card)
and on Signal (the typed word), on SQLite and PostgreSQL. Nothing about the person is kept."""

from __future__ import annotations

from typing import Any

from bot.core.buttons import VraagjeButton, unpack
from bot.core.vraagjes import cards, pick
from storage.models import DraftRow, Signaler
from tests.harness import BotRunner, Person
from tests.helpers.signal import SignalPerson, SignalRunner
from tests.helpers.stored import rows


def card_in(text: str) -> str:
    """The one card a message shows."""
    [card] = [card for card in cards() if card in text]
    return card


async def test_vraagje_shows_a_card_and_every_other_card_in_turn(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 601)
    await person.command("vraagje")
    first = card_in(person.last)
    assert "gesprek mee te beginnen" in person.last
    _, data = person.button("andere vraag")
    button = unpack(data)
    assert isinstance(button, VraagjeButton) and button.counter == 1
    assert first == pick(cards(), button.seed, 0)

    shown = [first]
    for counter in (1, 2, 3):  # each a card not shown before (unit tests: all, then round)
        await person.tap("andere vraag")
        assert card_in(person.last) == pick(cards(), button.seed, counter)
        shown.append(card_in(person.last))
    assert len(set(shown)) == 4 and len(person.texts()) == 1  # one message, edited in place
    assert await rows(runner, DraftRow) == [] and await rows(runner, Signaler) == []


async def test_vraagje_in_the_middle_of_a_signal_leaves_it_as_it_was(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 602)
    await person.command("start")
    await person.tap("Nee", "Kapper")
    await person.command("vraagje")
    card_in(person.last)
    await person.say("4531")  # the answer to the question before the card
    assert "huisnummer" in person.last
    [draft] = await rows(runner, DraftRow)
    assert draft.state["answers"]["postcode"].startswith("4531")


async def test_vraagje_on_signal_is_typed(signalcli: Any, signal_runner: SignalRunner) -> None:
    anna = SignalPerson(signal_runner, signalcli.person("Anna"))
    await anna.say("vraagje")
    card_in(anna.last)
    assert "Typ vraagje voor een andere vraag." in anna.last
    await anna.say("/vraagje")
    card_in(anna.last)
    assert len(anna.texts()) == 2
    await anna.say("/help")
    assert "/vraagje" in anna.last
    assert await rows(signal_runner, Signaler) == []
