"""Bad input through Telegram: each gets a clear Dutch message and loses nothing entered."""

from __future__ import annotations

from typing import Any

import pytest

from storage.models import Signal
from tests.harness import BotRunner, Person, file_signal
from tests.helpers.stored import draft_answers, rows


async def at_signs(runner: BotRunner, user_id: int) -> Person:
    """A person who has answered steps 1-3 and is at the checklist."""
    person = Person(runner, user_id)
    await person.command("start")
    await person.tap("Nee", "Kapper")
    await person.say("4531AB")
    await person.say("3")
    assert "opgevallen" in person.last
    return person


def last_toast(api: Any) -> str:
    return str(api.callback_answers[-1].get("text", ""))


@pytest.mark.parametrize("kind", ["photo", "sticker", "voice", "location"])
async def test_media_where_a_button_is_expected(api: Any, runner: BotRunner, kind: str) -> None:
    person = await at_signs(runner, 601)
    before = await draft_answers(runner, person)
    push = {"photo": lambda: api.send_photo(person.id),
            "sticker": lambda: api.send_sticker(person.id),
            "voice": lambda: api.send_voice(person.id),
            "location": lambda: api.send_location(person.id, 51.33, 3.83)}[kind]
    await runner.processed(push())
    assert "Dat kan ik niet verwerken" in person.last and "opgevallen" in person.last
    assert await draft_answers(runner, person) == before
    await person.tap("Post stapelt", "Klaar")  # and the conversation goes on
    assert "Sinds wanneer" in person.last


async def test_edited_message_is_not_taken(api: Any, runner: BotRunner) -> None:
    person = await at_signs(runner, 602)
    before = await draft_answers(runner, person)
    typed = next(m for m in reversed(api.updates) if "message" in m
                 and m["message"].get("text") == "3")
    await runner.processed(api.edit_text(person.id, typed["message"]["message_id"], "5"))
    assert "aangepast" in person.last
    assert await draft_answers(runner, person) == before


async def test_text_where_a_button_is_expected(api: Any, runner: BotRunner) -> None:
    person = await at_signs(runner, 603)
    before = await draft_answers(runner, person)
    await person.say("ik weet het niet precies")
    assert "Tik de knoppen aan" in person.last and "opgevallen" in person.last
    assert await draft_answers(runner, person) == before


@pytest.mark.parametrize("postcode", ["1234567", "ABCD", "0123 AB", "4531 SS", "45 31"])
async def test_invalid_postcode(api: Any, runner: BotRunner, postcode: str) -> None:
    person = Person(runner, 604)
    await person.command("start")
    await person.tap("Nee", "Horeca")
    await person.say(postcode)
    assert "geen geldige postcode" in person.last
    assert (await draft_answers(runner, person))["role"] == "horeca"
    await person.say("4531")
    assert "huisnummer" in person.last


async def test_over_long_text(api: Any, runner: BotRunner) -> None:
    person = await at_signs(runner, 605)
    await person.tap("Post stapelt", "Klaar", "Minder dan een maand", "Elke week", "Nog niets",
                     "Klaar")
    await person.say("x" * 1500)
    assert "1500 tekens" in person.last and "1000" in person.last
    answers = await draft_answers(runner, person)
    assert answers["signs"] == ["post"] and "description" not in answers
    await person.say("Korter nu")
    assert "Weet de persoon" in person.last


async def test_button_from_an_old_message(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 606)
    await person.command("start")
    old_message, old_data = person.button("Nee")
    await person.tap("Nee", "Kapper")
    before = await draft_answers(runner, person)
    await runner.processed(api.press(person.id, old_message, old_data, check=False))
    assert "eerdere vraag" in last_toast(api) or "al ontvangen" in last_toast(api)
    assert await draft_answers(runner, person) == before

    await person.command("cancel")
    await person.tap("Ja, stoppen")
    await person.command("start")  # a new draft: buttons of the old one are stale
    await runner.processed(api.press(person.id, old_message, old_data, check=False))
    assert "eerdere vraag" in last_toast(api)
    assert await draft_answers(runner, person) == {}


async def test_double_tap_counts_once(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 607)
    await person.command("start")
    await person.tap("Nee")
    message, data = person.button("Sportschool")
    first = api.press(person.id, message, data)
    second = api.press(person.id, message, data, check=False)
    await runner.processed(first, second)
    assert "al ontvangen" in last_toast(api)
    assert (await draft_answers(runner, person))["role"] == "sport"
    assert "postcode" in person.last

    await person.say("4531")
    await person.say("3")
    message, data = person.button("Post stapelt")
    await runner.processed(api.press(person.id, message, data),
                           api.press(person.id, message, data, check=False))
    await person.tap("Klaar")
    assert (await draft_answers(runner, person))["signs"] == ["post"]


async def test_second_start_mid_flow_offers_resume_or_restart(api: Any, runner: BotRunner) -> None:
    person = await at_signs(runner, 608)
    before = await draft_answers(runner, person)
    await person.command("start")
    assert "al bezig" in person.last
    await person.tap("Verder waar ik was")
    assert "opgevallen" in person.last
    assert await draft_answers(runner, person) == before
    await person.command("start")
    await person.tap("Opnieuw beginnen")
    assert "direct gevaar" in person.last
    assert await draft_answers(runner, person) == {}


@pytest.mark.parametrize("data", ["garbage", "x|c|danger|nee", "|||", "tok|t|signs|post|7"])
async def test_forged_callback_data_changes_nothing(api: Any, runner: BotRunner, data: str) -> None:
    person = await at_signs(runner, 609)
    before = await draft_answers(runner, person)
    message, _ = person.button("Klaar")
    await runner.processed(api.press(person.id, message, data, check=False))
    assert "eerdere vraag" in last_toast(api)
    assert await draft_answers(runner, person) == before


async def test_another_users_button_does_not_touch_their_draft(api: Any, runner: BotRunner) -> None:
    victim = await at_signs(runner, 610)
    before = await draft_answers(runner, victim)
    intruder = Person(runner, 611)
    message, data = victim.button("Post stapelt")
    await runner.processed(api.press(intruder.id, message, data, check=False))
    assert await draft_answers(runner, victim) == before
    assert "afgerond" in last_toast(api)  # the intruder has no conversation of their own


async def test_unknown_command_and_text_without_conversation(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 612)
    await person.say("Hallo?")
    assert "direct gevaar" in person.last  # a conversation starts
    await person.command("foo")
    assert "ken ik niet" in person.texts()[-2] and "direct gevaar" in person.last


async def test_nothing_after_sending_is_filed_twice(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 613)
    await file_signal(person)
    [sent] = [u["callback_query"] for u in api.updates if "callback_query" in u
              and u["callback_query"]["data"].endswith("|c|summary|send")]
    await runner.processed(api.press(person.id, sent["message"], sent["data"], check=False))
    [signal] = await rows(runner, Signal)  # filed once; the press shows its reference again
    assert signal.reference in person.thanks()  # filed once: its reference again
