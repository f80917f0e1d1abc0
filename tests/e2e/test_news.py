"""News from the Signaalpunt end to end: the offer after filing, a regisseur's preview and
send, delivery only to that gemeente's subscribers, "Afmelden", staff alerts before news,
and opting in by words on Signal. Telegram stand-in and signal-cli stand-in, SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

from bot.core.outbox import OutboxKind, Priority
from storage.models import NewsSubscription, Outbox
from tests.harness import BotRunner, Person, file_signal
from tests.helpers.signal import SignalPerson, SignalRunner
from tests.helpers.signal import file_signal as file_signal_on_signal
from tests.helpers.stored import outbox_settled, rows

NEWS = "Week van de <Ontmoeting> & een training voor signaleerders"
HEADER = "📰 Nieuws van het Signaalpunt Terneuzen"


async def test_news_goes_only_to_who_opted_in_until_they_unsubscribe(
        api: Any, runner: BotRunner) -> None:
    fatima, piet = Person(runner, 801, "Fatima"), Person(runner, 802, "Piet")
    joep, carine = Person(runner, 803, "Joep"), Person(runner, 7001, "Carine")
    await file_signal(fatima)  # the offer ends the thanks, with its buttons
    assert fatima.last == fatima.thanks()
    assert fatima.last.endswith("\n\nWilt u af en toe kort nieuws van het Signaalpunt Terneuzen?")
    await fatima.tap("Ja, graag")
    assert fatima.toast().startswith("U krijgt voortaan af en toe nieuws van het Signaalpunt")
    await file_signal(piet, contact=False)
    await piet.tap("Nee, dank u")  # the thanks stays, the answer below the question
    assert piet.last == piet.thanks()
    assert piet.last.endswith("Terneuzen?\n\nGoed, u krijgt geen nieuws.")
    assert not (api.last_message(802) or {}).get("reply_markup")
    await file_signal(joep, postcode="6412 ab")  # Heerlen
    assert "Signaalpunt Heerlen" in joep.last
    await joep.tap("Ja, graag")
    await outbox_settled(runner)  # the alerts are in Carine's chat before her preview

    await carine.say(f"/nieuwsbericht {NEWS}")
    assert carine.texts()[-2] == "Zo krijgen de abonnees het (1):"
    assert carine.last == f"{HEADER}\n\n{NEWS}"  # escaped: shown as typed
    labels = [b["text"] for row in api.last_message(7001)["reply_markup"]["inline_keyboard"]
              for b in row]
    assert labels == ["Afmelden", "Versturen aan 1 abonnees", "Annuleren"]
    bram = Person(runner, 7101, "Bram")  # Heerlen's regisseur may not send Terneuzen's
    message, data = carine.button("Versturen aan")
    await runner.processed(api.press(7101, message, data, check=False))
    assert bram.toast() == "Geen toegang."
    await carine.tap("Versturen aan 1 abonnees")
    assert carine.last == "Verstuurd aan 1 abonnees."
    await outbox_settled(runner)

    assert fatima.last == f"{HEADER}\n\n{NEWS}"
    assert "Afmelden" in str(api.last_message(801)["reply_markup"])
    assert not any("Nieuws van" in text for text in piet.texts() + joep.texts())
    [sent] = [row for row in await rows(runner, Outbox) if row.kind == OutboxKind.NEWS]
    assert sent.message_id is not None and sent.text == "" and sent.priority == Priority.LOW

    await fatima.tap("Afmelden")
    assert fatima.toast() == "U bent afgemeld: u krijgt geen nieuws meer."
    assert "reply_markup" not in api.last_message(801) or not api.last_message(801)[
        "reply_markup"].get("inline_keyboard")
    await carine.say("/nieuwsbericht Nog een bericht")
    assert "Versturen aan 0 abonnees" in str(api.last_message(7001)["reply_markup"])
    await carine.tap("Versturen aan 0 abonnees")
    await outbox_settled(runner)
    assert fatima.last == f"{HEADER}\n\n{NEWS}"  # nothing after the first news
    ended = [row for row in await rows(runner, NewsSubscription) if row.ended_at is not None]
    assert [(row.external_hash, row.external_id) for row in ended] == [(None, None)]

    await joep.command("nieuws", "uit")
    assert joep.last == "U bent afgemeld: u krijgt geen nieuws meer."
    ahmed = Person(runner, 7003, "Ahmed")  # in the team, no regisseur
    await ahmed.say("/nieuwsbericht Hallo")
    assert ahmed.last == "Geen toegang."


async def test_nieuws_without_a_report_lists_the_signaalpunten(
        api: Any, runner: BotRunner) -> None:
    anna = Person(runner, 804, "Anna")
    await anna.command("nieuws")
    assert anna.last.startswith("Van welk Signaalpunt wilt u af en toe kort nieuws?")
    assert "Nieuws van Terneuzen" in str(api.last_message(804)["reply_markup"])
    await anna.command("nieuws", "2181")  # Hillegom: not on board
    assert anna.last == "Voor die postcode is er (nog) geen Signaalpunt dat nieuws stuurt."
    await anna.command("nieuws", "6412 AB")
    assert anna.last == "Wilt u af en toe kort nieuws van het Signaalpunt Heerlen?"
    await anna.tap("Ja, graag")
    await anna.command("nieuws")
    assert anna.last == "U krijgt nieuws van het Signaalpunt Heerlen."
    await anna.command("vergeetmij")
    await anna.tap("Ja, vergeet mij")
    assert [row.external_id for row in await rows(runner, NewsSubscription)] == [None]


async def test_a_staff_alert_goes_before_the_rest_of_a_large_news_fan_out(
        api: Any, runner: BotRunner) -> None:
    readers = range(900_001, 900_061)
    async with runner.services.uow() as uow:
        for reader in readers:
            api.user(reader)
            await uow.news.subscribe(channel="telegram", external_id=str(reader),
                                     gemeente_code="GM0715", organisation_id=None)
        await uow.commit()
    assert await runner.services.news.send("GM0715", "Dank: 12 signalen leidden tot contact") == 60
    async with runner.services.uow() as uow:  # an alert, queued once the news is on its way
        await uow.outbox.add(kind=OutboxKind.NOTICE, chat_id=7009, text="Alert")
        await uow.commit()
    runner.services.dispatcher.kick()
    await outbox_settled(runner)
    sent = [call.params["chat_id"] for call in api.calls_of("sendMessage")
            if call.params["chat_id"] in (7009, *readers)]
    assert len(sent) == 61
    assert sent.index(7009) <= 25 < 60  # one low-priority batch at most went before it


async def test_news_on_signal_by_words(signalcli: Any, signal_runner: SignalRunner) -> None:
    anna, ben = (SignalPerson(signal_runner, signalcli.person(name)) for name in ("Anna", "Ben"))
    await file_signal_on_signal(anna)
    assert anna.texts()[-2].endswith(  # the thanks, then the suggestions
        "Wilt u af en toe kort nieuws van het Signaalpunt Terneuzen? "
        "Typ nieuws aan als u dat wilt.")
    await anna.say("nieuws aan")
    assert anna.last == ("U krijgt voortaan af en toe nieuws van het Signaalpunt Terneuzen. "
                         "Typ stop nieuws om geen nieuws meer te krijgen.")
    await ben.say("nieuws")  # no report: the Signaalpunten to pick from
    assert "Van welk Signaalpunt" in ben.last and "nieuws aan" in ben.last
    await ben.say("nieuws aan 6412")
    assert "Signaalpunt Heerlen" in ben.last and "stop nieuws" in ben.last
    services = signal_runner.services
    assert await services.news.send("GM0715", "Koffie <ochtend>") == 1
    await signal_runner.settled()
    assert anna.last == ("📰 Nieuws van het Signaalpunt Terneuzen\n\nKoffie <ochtend>\n\n"
                         "Typ stop nieuws om geen nieuws meer te krijgen.")
    assert not any("Koffie" in text for text in ben.texts())
    await anna.say("stop nieuws")
    assert anna.last == "U bent afgemeld: u krijgt geen nieuws meer."
    assert await services.news.send("GM0715", "Nog iets") == 0
