"""End to end through Telegram: the real Application, the stand-in, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.models import DraftRow, NotOnBoard, Signal, Signaler
from tests.harness import BotRunner, Person, file_signal
from tests.helpers.stored import draft_answers, rows

ALERT_CHATS = (7001, -1007002)


async def answers_kept(runner: BotRunner) -> list[dict[str, Any]]:
    """The answers every stored draft holds (a finished conversation keeps none)."""
    return [draft.state["answers"] for draft in await rows(runner, DraftRow)
            if "answers" in draft.state]


# What the signaler reads, per language: the thanks (with "picked up") and the share button.
SIGNALER_READS = {"nl": ("opgepakt", "Deel mijn nummer"),
                  "en": ("picked up", "Share my number")}


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_full_signal_is_stored_once_and_alerts_every_chat(
        api: Any, runner: BotRunner, language: str) -> None:
    """The same walk in each language (from the Telegram app's); the alerts stay Dutch."""
    person = Person(runner, 501, "Kapper Kim", language_code=language)
    await file_signal(person, language=language)
    picked_up, share = SIGNALER_READS[language]

    signals = await rows(runner, Signal)
    assert len(signals) == 1
    signal = signals[0]
    assert signal.reference.startswith("SP-20") and signal.gemeente_code == "GM0715"
    assert signal.role == "kapper" and signal.pc4 == 4531
    assert signal.signs == ["gordijnen", "post"]
    assert signal.answers["postcode"] == "4531 AB" and signal.answers["house_number"] == "12 A"
    assert signal.answers["contact_phone"] == "+31612345678"
    assert "danger" not in signal.answers and "remembered_role" not in signal.answers
    assert await answers_kept(runner) == []  # only the end marker of the conversation
    thanks = person.thanks()  # the suggestions and the news offer follow it
    assert signal.reference in thanks and picked_up in thanks
    assert any(share in text for text in person.texts())

    await api.wait_for(lambda: all(api.messages(chat) for chat in ALERT_CHATS))
    await runner.settled()  # nothing more may follow
    for chat in ALERT_CHATS:
        alerts = api.messages(chat)
        assert len(alerts) == 1
        text = alerts[0]["text"]
        assert signal.reference in text and "Terneuzen" in text
        for expected in ("Kapper / salon", "4531 AB", "12 A", "Gordijnen steeds dicht",
                         "Langer dan een half jaar", "Aangebeld", "Weet ik niet",
                         "Fatima de Vries", "+31612345678",
                         "Hij zit <altijd> binnen & de tuin verwildert"):
            assert expected in text, expected
    assert api.messages(7101) == []  # Heerlen's chat hears nothing of Terneuzen


async def test_commands_are_registered_on_start(api: Any, runner: BotRunner) -> None:
    commands = {command["command"] for command in api.commands()}
    assert {"start", "cancel", "help", "privacy"} <= commands


async def test_restart_between_steps_4_and_5_continues_the_same_draft(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 502)
    await person.command("start")
    await person.tap("Nee", "Supermarkt")
    await person.say("4533")
    await person.say("7")
    await person.tap("Weinig of geen bezoek", "Klaar")  # step 4 done
    token_before = (await rows(runner, DraftRow))[0].state["token"]

    await runner.stop()
    await runner.start()  # a new Application and services: nothing in memory survives
    [draft] = await rows(runner, DraftRow)
    assert draft.state["token"] == token_before and draft.state["answers"]["signs"] == ["bezoek"]

    await person.tap("Minder dan een maand")  # step 5, on the message sent before the restart
    assert "Hoe vaak" in person.last
    await person.tap("(Bijna) elke dag", "Nog niets", "Klaar", "Overslaan", "Nee", "anoniem",
                     "Versturen")
    [signal] = await rows(runner, Signal)
    assert signal.role == "winkel" and signal.answers["house_number"] == "7"
    assert signal.signs == ["bezoek"] and signal.answers["since"] == "kort"
    assert signal.answers["description"] is None


async def test_not_participating_postcode_stores_nothing_about_the_person(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 503)
    await person.command("start")
    await person.tap("Nee", "Horeca")
    await person.say("2181 AB")  # Hillegom: known, not on board
    assert "Hillegom" in person.last and "Bel HLTsamen op 0252-123456." in person.last
    await person.say("9999 ZZ")  # nobody's area: the general advice
    assert "14 + netnummer" in person.last
    answers = await draft_answers(runner, person)
    assert not {"postcode", "house_number", "gemeente"} & answers.keys()
    await person.tap("Annuleren", "Ja, stoppen")
    assert await answers_kept(runner) == [] and await rows(runner, Signal) == []
    counted = await rows(runner, NotOnBoard)
    assert [row.gemeente_code for row in counted] == ["GM0534"]  # once per conversation


async def test_second_signal_only_confirms_the_remembered_role(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 504)
    await file_signal(person, contact=False)
    await person.command("start")
    await person.tap("Nee")
    assert "Kapper / salon" in person.last and "Klopt dat nog" in person.last
    await person.tap("Ja, klopt")
    assert "postcode" in person.last
    [signaler] = await rows(runner, Signaler)
    assert signaler.role == "kapper"


async def test_two_signalers_at_once_keep_their_own_drafts(api: Any, runner: BotRunner) -> None:
    first, second = Person(runner, 505), Person(runner, 506)
    await asyncio.gather(file_signal(first), file_signal(second, postcode="6412AA",
                                                         contact=False, description="Twee"))
    signals = {signal.gemeente_code: signal for signal in await rows(runner, Signal)}
    assert set(signals) == {"GM0715", "GM0917"}
    assert signals["GM0917"].answers["description"] == "Twee"
    assert "contact_name" not in signals["GM0917"].answers
    await api.wait_for(lambda: len(api.messages(7101)) == 1)
    assert "Twee" in api.messages(7101)[0]["text"]


async def test_help_privacy_and_cancel(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 507)
    await person.command("start")
    await person.tap("Nee", "Buurtgenoot")
    await person.command("help")
    assert "/cancel" in person.texts()[-2] and "postcode" in person.last
    await person.command("privacy")
    assert "Privacy" in person.texts()[-2] and "/vergeetmij" in person.texts()[-2]
    await person.command("foo")
    assert "Die opdracht ken ik niet" in person.texts()[-2]
    assert "/vergeetmij" in person.texts()[-2] and "postcode" in person.last
    await person.say("4531")
    assert "huisnummer" in person.last  # nothing was lost
    await person.command("cancel")
    assert "Weet u zeker dat u wilt stoppen?" in person.last
    await person.tap("Nee, verder")
    assert "huisnummer" in person.last
    await person.command("cancel")
    await person.tap("Ja, stoppen")
    assert "geannuleerd" in person.last
    assert await answers_kept(runner) == []
    await person.command("cancel")
    assert "geen signaal in behandeling" in person.last


async def test_deep_link_start(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 508)
    await person.command("start", "postnl-terneuzen")
    assert "direct gevaar" in person.last


async def test_acute_danger_stops_with_the_numbers(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 509)
    await person.command("start")
    await person.tap("Ja, er is nu gevaar")
    for number in ("112", "113", "0800-0113", "0800-1205"):
        assert number in person.last
    await person.tap("Nee, stoppen")
    assert "niets doorgegeven" in person.last
    assert await answers_kept(runner) == []


async def test_draft_is_counted_once(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 510)
    await person.command("start")
    await person.command("start")
    async with runner.services.uow() as uow:
        count = await uow.session.scalar(select(func.count(DraftRow.id)))
    assert count == 1
    assert person.last.count("U was al bezig met een bericht") == 1


async def test_cancelling_asks_first_and_a_stale_confirmation_shows_the_question(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 511)
    await person.command("start")
    await person.tap("Nee", "Horeca")
    await person.say("4531")
    await person.tap("Annuleren")  # the question's message becomes the confirmation
    assert "Weet u zeker dat u wilt stoppen? Wat u invulde wordt gewist." in person.last
    message, stale = person.button("Ja, stoppen")
    await person.tap("Nee, verder")
    assert "huisnummer" in person.last  # in the same message: no confirmation left over
    assert not any("Weet u zeker" in text for text in person.texts())
    await runner.processed(api.press(person.id, message, stale, check=False))
    assert "eerdere vraag" in person.toast() and "huisnummer" in person.last
    assert (await draft_answers(runner, person))["postcode"] == "4531"
    await person.say("7")
    assert "Wat is u opgevallen" in person.last
