"""The sociale kaart put to use, through Telegram (SQLite and PostgreSQL).

After filing, a signaler gets a vraagje and general activities near the signal, and a
self-reporter activities that fit what would help, each as a message of its own after the
thanks. Staff send a self-reporter a suggestion, and the volunteer coordinator links a
volunteer to an activity: picked from the kaart's matches, sent through the outbox,
recorded in the history and shown on the card; access is checked at every press.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.outbox import OutboxKind
from bot.core.sociale_kaart import Activity
from bot.core.workflow import EventAction, State
from bot.settings import Settings
from storage.models import Outbox, Signal
from tests.harness import REFERENCE, BotRunner, Person
from tests.helpers.reports import (
    COORDINATOR,
    DOOR_SIGNAL,
    doors_settings,
    file_self_report,
    sign_up_volunteer,
)
from tests.helpers.staff import GROUP, REGISSEUR, TEAM
from tests.helpers.stored import outbox_settled, rows

KAART = [
    Activity("Koffie-ochtend De Hoek", "Koffie en een praatje", 4531, "Buurthuis De Hoek",
             "dinsdag 10 uur", "0115-123456", frozenset({"koffie", "praatje"})),
    Activity("Zangkoor <Terneuzen>", "Samen zingen", None, "", "woensdag 19 uur",
             "koor@example.nl", frozenset({"muziek", "samen"})),
    Activity("Boodschappenhulp", "Samen boodschappen doen", 4533,
             tags=frozenset({"boodschappen", "praktisch"})),
    Activity("Wandelclub", "Samen wandelen", 4540, tags=frozenset({"bewegen"})),
]
VRAAGJE = "Een vraag om een gesprek mee te beginnen"


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Every door; Sanne (7004) is Terneuzen's volunteer coordinator."""
    return doors_settings(db_url)


async def file_a_signal(person: Person) -> None:
    await person.command("start")
    await person.tap(DOOR_SIGNAL, "Nee", "Kapper")
    await person.say("4531 ab")
    await person.say("12")
    await person.tap("Post stapelt", "Klaar", "Minder dan een maand", "Elke week", "Nog niets",
                     "Klaar", "Overslaan", "Nee", "anoniem", "Versturen")


def after_thanks(person: Person, start: str) -> str:
    """What follows the thanks in its message, from ``start``; the news offer ends it."""
    closing = person.thanks()
    assert start in closing and REFERENCE.search(closing[:closing.index(start)])
    after = closing[closing.index(start):]
    assert after.endswith("Wilt u af en toe kort nieuws van het Signaalpunt Terneuzen?")
    return after


async def test_a_signaler_gets_a_vraagje_and_activities_after_the_thanks(
        api: Any, runner: BotRunner) -> None:
    await runner.services.kaart.save("GM0715", KAART)
    person = Person(runner, 611)
    await file_a_signal(person)
    [signal] = await rows(runner, Signal)
    after = after_thanks(person, VRAAGJE)
    assert str(signal.reference) in person.thanks()
    assert "/vraagje" in after and "Iets om te noemen" in after
    assert "Koffie-ochtend De Hoek" in after and "Zangkoor <Terneuzen>" in after  # general
    assert "Boodschappenhulp" not in after and "Wandelclub" not in after
    assert after.index("Koffie-ochtend") < after.index("Zangkoor")  # the same PC4 first


async def test_without_a_kaart_a_signaler_gets_only_the_vraagje_until_one_is_saved(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 612)
    await file_a_signal(person)
    assert "Iets om te noemen" not in after_thanks(person, VRAAGJE)
    await runner.services.kaart.save("GM0715", KAART)  # the process read the empty kaart
    later = Person(runner, 614)
    await file_a_signal(later)
    assert "Koffie-ochtend De Hoek" in after_thanks(later, "Iets om te noemen")


async def test_a_self_reporter_gets_what_fits_near_them(api: Any, runner: BotRunner) -> None:
    await runner.services.kaart.save("GM0715", KAART)
    person = Person(runner, 613)
    await file_self_report(person)  # "Een praatje", 4531
    [report] = await rows(runner, Signal)
    after = after_thanks(person, "Misschien iets voor u")
    assert str(report.reference) in person.thanks()
    assert "u hoeft niets te doen" in after
    assert "Koffie-ochtend De Hoek" in after and "Past bij: Een praatje maken" in after
    assert "Zangkoor" not in after and VRAAGJE not in after


async def test_staff_send_a_self_reporter_a_suggestion_from_the_kaart(
        api: Any, runner: BotRunner) -> None:
    await runner.services.kaart.save("GM0715", KAART)
    person = Person(runner, 614)
    await file_self_report(person)
    [report] = await rows(runner, Signal)
    await api.wait_for(lambda: bool(api.messages(GROUP)))
    await outbox_settled(runner)
    ahmed = Person(runner, TEAM, "Ahmed")
    await ahmed.tap("Stuur een suggestie", chat=GROUP)
    menu = api.last_message(GROUP)
    assert menu is not None and str(report.reference) in str(menu["text"])
    labels = [button["text"] for row in menu["reply_markup"]["inline_keyboard"] for button in row]
    assert labels[0] == "1. Koffie-ochtend De Hoek" and len(labels) == len(KAART)

    sanne = Person(runner, COORDINATOR, "Sanne")  # not one who handles self-reports
    message, data = ahmed.button("Koffie-ochtend", chat=GROUP)
    await runner.processed(api.press(COORDINATOR, message, data, check=False))
    assert sanne.toast() == "Geen toegang."
    await runner.processed(api.press(TEAM, message, data[:-3] + "abc", check=False))
    assert ahmed.toast() == "Die activiteit staat niet meer op de kaart."
    assert not [row for row in await rows(runner, Outbox) if row.kind == OutboxKind.SUGGESTION]

    await ahmed.tap("Koffie-ochtend", chat=GROUP)
    assert "Suggestie bij" in str(api.last_message(GROUP)["text"])  # type: ignore[index]
    await api.wait_for(lambda: "Een idee van het Signaalpunt" in person.last)
    assert "Koffie-ochtend De Hoek" in person.last and "0115-123456" in person.last
    async with runner.services.uow() as uow:
        events = [event for event, _ in await uow.events.list_for(signal_id=report.id)]
    assert [e.detail for e in events if e.action is EventAction.SUGGEST] == [
        {"name": "Koffie-ochtend De Hoek"}]
    await outbox_settled(runner)
    for chat in (GROUP, REGISSEUR):  # every alert card shows it
        assert "Suggestie gestuurd: Koffie-ochtend De Hoek" in str(api.messages(chat)[0]["text"])

    await person.command("vergeetmij")  # the person's messages go with them
    await person.tap("Ja, vergeet mij")
    assert not [row for row in await rows(runner, Outbox) if row.kind == OutboxKind.SUGGESTION]
    message, data = ahmed.button("Koffie-ochtend", chat=GROUP)
    await runner.processed(api.press(TEAM, message, data, check=False))
    assert ahmed.toast() == "Geen toegang."  # erased: nothing more to send


async def test_the_coordinator_links_a_volunteer_to_an_activity(
        api: Any, runner: BotRunner) -> None:
    await runner.services.kaart.save("GM0715", KAART)
    person = Person(runner, 615)
    await sign_up_volunteer(person)  # boodschappen and muziek, 4531
    assert not any("Misschien iets voor u" in text for text in person.texts())  # volunteers
    [signup] = await rows(runner, Signal)
    await api.wait_for(lambda: bool(api.messages(COORDINATOR)))
    sanne = Person(runner, COORDINATOR, "Sanne")
    await sanne.tap("Oppakken")
    await api.wait_for(lambda: "Afronden" in str(api.messages(COORDINATOR)[0].get("reply_markup")))
    await sanne.tap("Koppel aan activiteit")
    assert "Aan welke activiteit koppelt u" in sanne.last
    labels = [button["text"] for row in api.messages(COORDINATOR)[-1]["reply_markup"][
        "inline_keyboard"] for button in row]
    assert labels[:2] == ["1. Zangkoor <Terneuzen>", "2. Boodschappenhulp"]  # what fits

    ahmed = Person(runner, TEAM, "Ahmed")  # the team does not handle volunteers
    message, data = sanne.button("Zangkoor")
    await runner.processed(api.press(TEAM, message, data, check=False))
    assert ahmed.toast() == "Geen toegang."

    await sanne.tap("Zangkoor")
    assert "gekoppeld aan Zangkoor <Terneuzen>" in sanne.last
    await api.wait_for(lambda: "koppelt u aan deze activiteit" in person.last)
    assert "Zangkoor <Terneuzen>" in person.last and "koor@example.nl" in person.last
    await outbox_settled(runner)
    assert "Gekoppeld aan: Zangkoor <Terneuzen>" in str(api.messages(COORDINATOR)[0]["text"])

    await sanne.tap("Afronden: gekoppeld", "Ja, afronden")
    async with runner.services.uow() as uow:
        closed = await uow.signals.get(signal_id=signup.id)
        assert closed is not None and closed.status is State.CLOSED
        assert closed.outcome == "gekoppeld"
