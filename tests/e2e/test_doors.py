"""The three doors through Telegram: a signal, a self-report and a volunteer sign-up.

Each report of its own kind is routed to its gemeente, alerts its own staff with its own
title, goes through the staff workflow, and keeps the privacy rules of its kind: a
self-report and a sign-up are about the person who wrote them, so ``/vergeetmij`` and
retention erase them everywhere.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from bot.core.people import Person as People
from bot.core.workflow import StaffRole, State
from bot.settings import Settings
from storage.models import Signal, Signaler, utcnow
from tests.harness import BotRunner, Person
from tests.helpers.reports import (
    COORDINATOR,
    DOOR_HELP,
    DOOR_SELF,
    DOOR_SIGNAL,
    SELF_NAME,
    SELF_PHONE,
    VOLUNTEER_NAME,
    doors_settings,
    file_self_report,
    sign_up_volunteer,
)
from tests.helpers.staff import GROUP, REGISSEUR, TEAM
from tests.helpers.stored import decrypted_dump, outbox_settled, rows

SELF_SECRETS = [SELF_NAME, SELF_PHONE, "4531 AB"]


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Every door, and a volunteer coordinator in Terneuzen."""
    return doors_settings(db_url, organisations=[
        {"code": "postnl-tnz", "name": "PostNL depot Terneuzen", "role": "bezorger",
         "gemeente": "GM0715"}])


def texts(api: Any, chat: int) -> list[str]:
    """Every text the bot's messages in a chat show now."""
    return [str(message.get("text", "")) for message in api.messages(chat)]


async def test_start_offers_three_doors_and_the_first_walks_a_signal(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 601)
    await person.command("start")
    assert "Waarmee kunnen we u helpen" in person.last
    for label in (DOOR_SIGNAL, DOOR_SELF, DOOR_HELP):
        person.button(label)  # each door is a button
    await person.tap(DOOR_SIGNAL)
    assert "direct gevaar" in person.last
    await person.tap("Nee", "Kapper")
    await person.say("4531 ab")
    await person.say("12")
    await person.tap("Post stapelt", "Klaar", "Minder dan een maand", "Elke week", "Nog niets",
                     "Klaar", "Overslaan", "Nee", "anoniem", "Versturen")
    [signal] = await rows(runner, Signal)
    assert (signal.kind, signal.role, signal.questionnaire) == ("signaal", "kapper", "signaal-v1")
    await api.wait_for(lambda: any("Nieuw signaal" in t for t in texts(api, GROUP)))


async def test_an_organisation_link_goes_straight_into_the_signal(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 602)
    await person.command("start", "org_postnl-tnz")
    assert "direct gevaar" in person.last and DOOR_SELF not in str(person.last)


async def test_a_self_report_asks_about_safety_first_and_can_stop_there(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 603)
    await person.command("start")
    await person.tap(DOOR_SELF)
    assert "in gevaar" in person.last and "zelfdoding" in person.last
    await person.tap("Ja")
    for number in ("113", "0800-0113", "112"):
        assert number in person.last
    await person.tap("Nu niet")
    assert await rows(runner, Signal) == []


async def test_a_self_report_reaches_the_team_as_a_zelfmelding_and_is_followed_up(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 604)
    await file_self_report(person)
    [report] = await rows(runner, Signal)
    assert (report.kind, report.gemeente_code, report.pc4) == ("zelfmelding", "GM0715", 4531)
    assert report.role == "zelfmelding" and report.signs == []
    assert report.choices == {"zm_wens": ["praatje"]}
    assert report.answers["zm_naam"] == SELF_NAME and report.answers["zm_hoe"] == "telefoon"
    assert "zm_veilig" not in report.answers  # steering only
    thanks = person.thanks()  # the news offer ends it
    assert report.reference in thanks and "0800-0113" in thanks
    [writer] = await rows(runner, Signaler)
    assert writer.role is None  # no signaler role is remembered for a self-report

    await api.wait_for(lambda: bool(api.messages(GROUP)) and bool(api.messages(REGISSEUR)))
    await outbox_settled(runner)
    for chat in (GROUP, REGISSEUR):
        [alert] = texts(api, chat)
        assert "zelfmelding" in alert and report.reference in alert and "Terneuzen" in alert
        assert "Een praatje" in alert and SELF_NAME in alert and "'s Middags" in alert
    assert api.messages(COORDINATOR) == []  # the volunteer coordinator does not get it

    ahmed = Person(runner, TEAM, "Ahmed")
    await ahmed.tap("Oppakken", chat=GROUP)
    await api.wait_for(lambda: "heeft uw bericht" in person.last)  # told, in words for them
    await api.wait_for(lambda: "Afronden" in str(api.messages(GROUP)[0].get("reply_markup")))
    await ahmed.tap("Status", "Contact gelegd", chat=GROUP)
    await ahmed.tap("Afronden", "ondersteuning", "Ja, afronden", chat=GROUP)
    async with runner.services.uow() as uow:
        closed = await uow.signals.get(signal_id=report.id)
        assert closed is not None and closed.status is State.CLOSED
        assert closed.outcome == "ondersteuning"


async def test_forget_me_erases_a_self_report_everywhere(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 918273645)  # an id no timestamp in the dump contains by chance
    await file_self_report(person)
    await api.wait_for(lambda: bool(api.messages(GROUP)))
    await outbox_settled(runner)
    assert any(SELF_NAME in text for text in texts(api, GROUP))

    await person.command("vergeetmij")
    await person.tap("Ja, vergeet mij")
    await outbox_settled(runner)
    for chat in (GROUP, REGISSEUR):
        assert not any(secret in text for text in texts(api, chat) for secret in SELF_SECRETS)
    dump = await decrypted_dump(runner)
    for secret in [*SELF_SECRETS, "918273645"]:
        assert secret not in dump, secret
    [report] = await rows(runner, Signal)
    assert report.erased_at is not None and report.signaler_id is None
    assert report.kind == "zelfmelding" and report.choices == {"zm_wens": ["praatje"]}


async def test_retention_erases_a_closed_self_report(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 606)
    await file_self_report(person)
    carine = Person(runner, REGISSEUR, "Carine")
    await api.wait_for(lambda: bool(api.messages(REGISSEUR)))
    await carine.tap("Oppakken")
    await api.wait_for(lambda: "Afronden" in str(api.messages(REGISSEUR)[0].get("reply_markup")))
    await carine.tap("Afronden", "wil geen contact", "Ja, afronden")
    await outbox_settled(runner)

    report = await runner.services.privacy.purge(utcnow() + timedelta(days=31))
    assert len(report.signals) == 1
    await outbox_settled(runner)
    dump = await decrypted_dump(runner)
    for secret in SELF_SECRETS:
        assert secret not in dump, secret


async def test_a_volunteer_reaches_the_coordinator_who_links_them_to_an_activity(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 607)
    await sign_up_volunteer(person)
    [signup] = await rows(runner, Signal)
    assert (signup.kind, signup.gemeente_code, signup.role) == ("vrijwilliger", "GM0715",
                                                               "vrijwilliger")
    assert signup.choices == {"vw_wat": ["boodschappen", "muziek"], "vw_vaak": "wekelijks"}
    thanks = person.thanks()  # the news offer ends it
    assert signup.reference in thanks and "coördinator" in thanks

    await api.wait_for(lambda: bool(api.messages(COORDINATOR) and api.messages(REGISSEUR)))
    await outbox_settled(runner)
    for chat in (COORDINATOR, REGISSEUR):
        [alert] = texts(api, chat)
        assert "Nieuwe vrijwilliger" in alert and signup.reference in alert
        assert VOLUNTEER_NAME in alert and "Boodschappen doen" in alert
    assert api.messages(GROUP) == [] and api.messages(TEAM) == []  # not the team's

    ahmed = Person(runner, TEAM, "Ahmed")  # a team member neither sees nor opens it
    await ahmed.command("open")
    assert str(signup.reference) not in ahmed.last
    await ahmed.command("signaal", str(signup.reference))
    assert "niet gevonden" in ahmed.last and VOLUNTEER_NAME not in str(ahmed.texts())

    sanne = Person(runner, COORDINATOR, "Sanne")
    await sanne.tap("Oppakken")
    await api.wait_for(
        lambda: "Afronden" in str(api.messages(COORDINATOR)[0].get("reply_markup")))
    await sanne.tap("Afronden")
    assert "Gekoppeld aan een activiteit" in str(api.messages(COORDINATOR)[-1])
    await sanne.tap("Gekoppeld aan een activiteit", "Ja, afronden")
    async with runner.services.uow() as uow:
        closed = await uow.signals.get(signal_id=signup.id)
        assert closed is not None and closed.status is State.CLOSED
        assert closed.outcome == "gekoppeld"
    await outbox_settled(runner)
    assert "Uw aanmelding" in person.last and "afgerond" in person.last
    assert "Gekoppeld aan een activiteit" in texts(api, REGISSEUR)[0]  # the alert follows


async def test_forget_me_erases_a_volunteer_sign_up(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 608)
    await sign_up_volunteer(person)
    await api.wait_for(lambda: bool(api.messages(COORDINATOR)))
    await person.command("vergeetmij")
    await person.tap("Ja, vergeet mij")
    await outbox_settled(runner)
    assert not any(VOLUNTEER_NAME in text for text in texts(api, COORDINATOR))
    assert VOLUNTEER_NAME not in await decrypted_dump(runner)


async def test_a_regisseur_invites_a_volunteer_coordinator(api: Any, runner: BotRunner) -> None:
    carine = Person(runner, REGISSEUR, "Carine")
    await carine.command("admin")
    await carine.tap("Terneuzen", "Vrijwilligerscoördinator uitnodigen")
    link = re.search(r"start=(inv_[\w-]+)", carine.last)
    assert link, carine.last
    kees = Person(runner, 8806, "Kees")
    await kees.command("start", link.group(1))
    assert "vrijwilligerscoördinator" in kees.last
    async with runner.services.uow() as uow:
        member = await uow.staff.get_active(person=People.on_telegram(8806),
                                            gemeente_code="GM0715")
        assert member is not None and member.role is StaffRole.COORDINATOR
