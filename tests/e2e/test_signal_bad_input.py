"""Bad input through Signal: each gets a clear Dutch message, loses nothing entered, and the
conversation goes on; what is no message to the bot gets no answer and is not stored."""

from __future__ import annotations

import time
from typing import Any

from storage.models import Signal
from tests.helpers.signal import SignalPerson, SignalRunner, file_signal
from tests.helpers.stored import draft_answers, raw_dump, rows
from tests.signalcli import SignalCliStandIn

ANSWERS = ["nee", "kapper", "4531 ab", "12a"]  # up to the checklist "Wat is u opgevallen?"
TO_SUMMARY = ["1 2", "3", "2", "5", "Hij zit binnen", "3", "nee"]


async def at_signs(runner: SignalRunner, cli: SignalCliStandIn, name: str) -> SignalPerson:
    """A person who has answered steps 1-3 and is at the checklist."""
    person = SignalPerson(runner, cli.person(name))
    await person.say("/start", *ANSWERS)
    assert "opgevallen" in person.last
    return person


def last_typed(cli: SignalCliStandIn, person: SignalPerson, text: str) -> int:
    """The timestamp of the person's newest message with this text."""
    return max(event["envelope"]["timestamp"] for event in cli.events
               if event["envelope"].get("sourceUuid") == person.phone.aci
               and (event["envelope"].get("dataMessage") or {}).get("message") == text)


async def test_media_where_a_number_is_expected(signalcli: Any, signal_runner: SignalRunner
                                                ) -> None:
    anna = await at_signs(signal_runner, signalcli, "Anna")
    before = await draft_answers(signal_runner, anna.key)
    for push in (lambda: anna.phone.sends_attachment("image/jpeg", caption="de tuin"),
                 lambda: anna.phone.sends_attachment("audio/aac", filename=None),  # voice note
                 anna.phone.sends_sticker, anna.phone.shares_contact):
        async with signal_runner.reading():
            push()
        assert "alleen getypte tekst" in anna.last and "opgevallen" in anna.last
        assert "knoppen" not in anna.last  # Signal has none
        assert await draft_answers(signal_runner, anna.key) == before
    await anna.say("2")  # and the conversation goes on
    assert "Sinds wanneer" in anna.last
    assert (await draft_answers(signal_runner, anna.key))["signs"] == ["post"]


async def test_reactions_are_never_an_answer(signalcli: Any, signal_runner: SignalRunner
                                             ) -> None:
    anna = await at_signs(signal_runner, signalcli, "Anna")
    before = await draft_answers(signal_runner, anna.key)
    prompt = signalcli.messages(anna.phone)[-1]
    async with signal_runner.reading():
        anna.phone.reacts(prompt.timestamp, "👍")
    assert "emoji-reactie" in anna.last
    assert await draft_answers(signal_runner, anna.key) == before
    await anna.say("2")
    assert "Sinds wanneer" in anna.last

    await anna.say("annuleer", "1")  # stopped: no conversation any more
    assert "geannuleerd" in anna.last
    count = len(signalcli.messages(anna.phone))
    async with signal_runner.reading():
        anna.phone.reacts(prompt.timestamp, "❤️")
    assert len(signalcli.messages(anna.phone)) == count


async def test_edited_and_deleted_messages_are_not_taken(signalcli: Any,
                                                         signal_runner: SignalRunner) -> None:
    anna = await at_signs(signal_runner, signalcli, "Anna")
    before = await draft_answers(signal_runner, anna.key)
    typed = last_typed(signalcli, anna, "12a")
    async with signal_runner.reading():
        anna.phone.edits(typed, "13")
    assert "aangepast" in anna.last
    async with signal_runner.reading():
        anna.phone.deletes(typed)
    assert "verwijderd" in anna.last and "wijzigen" in anna.last
    assert await draft_answers(signal_runner, anna.key) == before
    await anna.say("1")
    assert "Sinds wanneer" in anna.last


async def test_group_messages_are_answered_privately_and_not_stored(
        signalcli: Any, signal_runner: SignalRunner) -> None:
    anna = await at_signs(signal_runner, signalcli, "Anna")
    bob = SignalPerson(signal_runner, signalcli.person("Bob"))
    before, dump = await draft_answers(signal_runner, anna.key), await raw_dump(signal_runner)
    group = anna.phone.in_group()
    async with signal_runner.reading(3):
        group.says("2")
        group.says("Kent iemand mevrouw Jansen op nummer 12?")
        bob.phone.in_group(group.group_id).says("/start")
    for person in (anna, bob):  # once per message, in their own chat
        assert person.texts()[-2 if person is anna else -1:] == [person.last] * (
            2 if person is anna else 1)
        assert "groepen" in person.last
    assert all(call["recipient"] in ([anna.phone.aci], [bob.phone.aci]) and "groupId" not in call
               for call in signalcli.calls_of("send")[-3:])
    assert await raw_dump(signal_runner) == dump
    assert await draft_answers(signal_runner, anna.key) == before
    await anna.say("2")
    assert "Sinds wanneer" in anna.last


async def test_no_answer_to_what_is_no_message_to_the_bot(signalcli: Any,
                                                          signal_runner: SignalRunner) -> None:
    anna = await at_signs(signal_runner, signalcli, "Anna")
    ghost = signalcli.person("Ghost", uuid_known=False)  # envelopes without a sourceUuid
    before, dump = await draft_answers(signal_runner, anna.key), await raw_dump(signal_runner)
    calls, seen = len(signalcli.calls), [m.timestamp for m in signalcli.messages(anna.phone)]
    now = int(time.time() * 1000)
    source = {"source": anna.phone.number, "sourceNumber": anna.phone.number,
              "sourceUuid": anna.phone.aci, "sourceName": "Anna", "sourceDevice": 1,
              "timestamp": now, "serverReceivedTimestamp": now, "serverDeliveredTimestamp": now}
    async with signal_runner.reading(10):
        ghost.says("/start")
        ghost.says("Hallo?")
        anna.phone.receipt(seen, "DELIVERY")
        anna.phone.receipt(seen[-1:], "READ")
        anna.phone.typing()
        anna.phone.typing(stop=True)
        anna.phone.sync_sent("Ik kijk er even naar")
        anna.phone.posts_story()
        signalcli.push_raw(source, exception={"message": "Invalid PreKey message",
                                              "type": "ProtocolInvalidMessageException"})
        signalcli.push_raw({**source, "timestamp": now + 1,  # a kind this bot does not know
                            "pollMessage": {"question": "Koffie?", "options": ["ja", "nee"]}})
    assert len(signalcli.calls) == calls  # not a single call: nothing sent to anyone
    assert signalcli.messages(ghost) == []
    assert await raw_dump(signal_runner) == dump  # and nothing stored
    assert await draft_answers(signal_runner, anna.key) == before
    await anna.say("2")
    assert "Sinds wanneer" in anna.last


async def test_text_where_a_number_is_expected(signalcli: Any, signal_runner: SignalRunner
                                               ) -> None:
    anna = await at_signs(signal_runner, signalcli, "Anna")
    before = await draft_answers(signal_runner, anna.key)
    await anna.say("12")
    assert "Nummer 12 staat er niet bij" in anna.last and "1 tot en met 9" in anna.last
    await anna.say("ik weet het niet precies")
    assert "Typ nummers van 1 tot en met 9" in anna.last and "opgevallen" in anna.last
    await anna.say("wijzig 3")  # not at the summary: no group to open
    assert "Typ nummers van 1 tot en met 9" in anna.last and "opgevallen" in anna.last
    assert await draft_answers(signal_runner, anna.key) == before
    await anna.say("2", "3")
    assert "Hoe vaak" in anna.last
    before = await draft_answers(signal_runner, anna.key)
    await anna.say("elke")  # "Elke week" or "Elke maand of minder"
    assert "meer dan één antwoord (2, 3)" in anna.last and "Hoe vaak" in anna.last
    assert await draft_answers(signal_runner, anna.key) == before
    await anna.say("elke week")
    assert (await draft_answers(signal_runner, anna.key))["frequency"] is not None


async def test_invalid_postcode(signalcli: Any, signal_runner: SignalRunner) -> None:
    anna = SignalPerson(signal_runner, signalcli.person("Anna"))
    await anna.say("/start", "nee", "horeca")
    for postcode in ("1234567", "ABCD", "0123 AB", "4531 SS", "45 31"):
        await anna.say(postcode)
        assert "geen geldige postcode" in anna.last and "Wat is de postcode" in anna.last
        assert await draft_answers(signal_runner, anna.key) == {"danger": "nee",
                                                                 "role": "horeca"}
    await anna.say("4531")
    assert "huisnummer" in anna.last


async def test_over_long_description(signalcli: Any, signal_runner: SignalRunner) -> None:
    anna = await at_signs(signal_runner, signalcli, "Anna")
    await anna.say("2", "1", "2", "5")
    await anna.say("x" * 1500)
    assert "1500 tekens" in anna.last and "1000" in anna.last
    answers = await draft_answers(signal_runner, anna.key)
    assert answers["signs"] == ["post"] and "description" not in answers
    await anna.say("Korter nu")
    assert "Weet de persoon" in anna.last


async def test_a_stale_edit_number_at_the_summary(signalcli: Any, signal_runner: SignalRunner
                                                  ) -> None:
    anna = await at_signs(signal_runner, signalcli, "Anna")
    await anna.say(*TO_SUMMARY)
    assert "wijzig 8" in anna.last
    before = await draft_answers(signal_runner, anna.key)
    await anna.say("wijzig 9")
    assert "Nummer 9 staat er niet bij" in anna.last and "1 tot en met 8" in anna.last
    assert "Uw signaal" in anna.last
    assert await draft_answers(signal_runner, anna.key) == before
    await anna.say("wijzig 3", "3")
    assert (await draft_answers(signal_runner, anna.key))["signs"] == ["onverzorgd"]
    assert "Uw signaal" in anna.last


async def test_second_start_mid_flow_offers_resume_or_restart(
        signalcli: Any, signal_runner: SignalRunner) -> None:
    anna = await at_signs(signal_runner, signalcli, "Anna")
    before = await draft_answers(signal_runner, anna.key)
    await anna.say("/start")
    assert "al bezig" in anna.last and "Verder waar ik was" in anna.last
    await anna.say("verder waar ik was")
    assert "opgevallen" in anna.last
    assert await draft_answers(signal_runner, anna.key) == before
    await anna.say("/start", "opnieuw beginnen")
    assert "direct gevaar" in anna.last
    assert await draft_answers(signal_runner, anna.key) == {}


async def test_unknown_command_and_text_without_conversation(
        signalcli: Any, signal_runner: SignalRunner) -> None:
    anna = SignalPerson(signal_runner, signalcli.person("Anna"))
    await anna.say("Hallo?")
    assert "Welkom" in anna.last and "direct gevaar" in anna.last  # a conversation starts
    await anna.say("/foo")
    assert "ken ik niet" in anna.last and "/start" in anna.last
    assert "waar u was" in anna.last and "direct gevaar" in anna.last
    await anna.say("2")
    assert "Wie bent u" in anna.last


async def test_nothing_after_sending_is_filed_twice(signalcli: Any,
                                                    signal_runner: SignalRunner) -> None:
    anna = SignalPerson(signal_runner, signalcli.person("Anna"))
    reference = await file_signal(anna)
    count = len(anna.texts())
    async with signal_runner.reading(len(signalcli.events)):  # Signal delivers it all again
        await signalcli.restart(down_for=0.05, redeliver=60)
    assert len(anna.texts()) == count  # not one answer doubled
    await anna.say("verstuur")  # typed again after sending
    [signal] = await rows(signal_runner, Signal)
    assert signal.reference == reference


async def test_the_same_message_delivered_twice_counts_once(
        signalcli: Any, signal_runner: SignalRunner) -> None:
    anna = await at_signs(signal_runner, signalcli, "Anna")
    typed = last_typed(signalcli, anna, "12a")
    async with signal_runner.reading(5):  # each of these kinds answered once...
        anna.phone.sends_attachment()
        anna.phone.edits(typed, "13")
        anna.phone.in_group().says("hallo")
        anna.phone.reacts(signalcli.messages(anna.phone)[-1].timestamp, "👍")
        anna.phone.says("2")
    before, texts = await draft_answers(signal_runner, anna.key), anna.texts()
    assert "Sinds wanneer" in anna.last
    async with signal_runner.reading(len(signalcli.events)):  # ...and not again
        await signalcli.restart(down_for=0.05, redeliver=60)
    assert anna.texts() == texts
    assert await draft_answers(signal_runner, anna.key) == before
    await anna.say("3")
    assert "Hoe vaak" in anna.last
