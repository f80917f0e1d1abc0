"""The staff side through Telegram: claim, assign, status, close, questions, escalation."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import String, select
from sqlalchemy.exc import StatementError

from bot.core.workflow import (
    TRANSITIONS,
    Action,
    EventAction,
    StaffRole,
    State,
    TransitionNotAllowed,
    transition,
)
from storage.models import Outbox, Signal, SignalEvent, Staff, utcnow
from tests.conftest import HEERLEN, TERNEUZEN, make_settings
from tests.harness import BotRunner, Person, eventually, file_signal
from tests.helpers.staff import BACKUP, GROUP, OTHER_GEMEENTE, REGISSEUR, TEAM, TEAM2


@pytest.mark.parametrize(("action", "state"), list(itertools.product(Action, State)))
def test_every_transition_is_allowed_or_refused_by_the_table(action: Action, state: State) -> None:
    if (action, state) in TRANSITIONS:
        assert transition(state, action) is TRANSITIONS[(action, state)]
    else:
        with pytest.raises(TransitionNotAllowed):
            transition(state, action)


def test_the_table_has_no_way_out_of_closed_and_no_way_to_skip_claiming() -> None:
    assert not [key for key in TRANSITIONS if key[1] is State.CLOSED]
    assert (Action.CLOSE, State.NEW) not in TRANSITIONS
    assert (Action.STATUS, State.NEW) not in TRANSITIONS


async def signal_row(runner: BotRunner) -> Signal:
    async with runner.services.uow() as uow:
        [signal] = list(await uow.session.scalars(select(Signal)))
        return signal


async def events(runner: BotRunner) -> list[str]:
    async with runner.services.uow() as uow:
        rows = await uow.session.scalars(select(SignalEvent).order_by(SignalEvent.id))
        return [row.action for row in rows]


async def filed(api: Any, runner: BotRunner, *, contact: bool = False) -> Person:
    """A signaler who filed a Terneuzen signal; the alerts have arrived."""
    signaler = Person(runner, 801, "Melder")
    await file_signal(signaler, contact=contact)
    await api.wait_for(lambda: bool(api.messages(REGISSEUR)) and bool(api.messages(GROUP)))
    return signaler


def alert_text(api: Any, chat: int) -> str:
    return str(next(m for m in api.messages(chat) if "signaal SP-" in m.get("text", ""))["text"])


async def test_claim_assign_status_close_with_exactly_two_feedback_messages(
        api: Any, runner: BotRunner) -> None:
    signaler = await filed(api, runner)
    before = len(signaler.texts())
    carine, ahmed = Person(runner, REGISSEUR, "Carine"), Person(runner, TEAM, "Ahmed")

    await carine.tap("Oppakken", chat=GROUP)
    assert "opgepakt" in carine.toast()
    await api.wait_for(lambda: all("Carine" in alert_text(api, c) for c in (REGISSEUR, GROUP)))
    assert "Opgepakt" in alert_text(api, GROUP)

    await carine.tap("Toewijzen", chat=GROUP)
    await carine.tap("Ahmed", chat=GROUP)
    await api.wait_for(lambda: any("aan u toegewezen" in t for t in ahmed.texts()))
    assert "4531 AB" in ahmed.texts()[-1]  # the assignee gets the whole signal privately

    await ahmed.tap("Status")
    await ahmed.tap("Doorverwezen")
    await ahmed.tap("Huisarts")
    assert "Doorverwezen (Huisarts)" in ahmed.last
    await ahmed.tap("Notitie toevoegen")
    await ahmed.say("Huisarts belt hem <morgen> & komt langs")
    assert "Notitie" in ahmed.last

    await ahmed.tap("Afronden", chat=ahmed.id)
    await ahmed.tap("Contact gelegd en ondersteuning")
    assert "afronden met uitkomst" in ahmed.last
    await ahmed.tap("Ja, afronden")
    assert "afgerond" in ahmed.last

    signal = await signal_row(runner)
    assert signal.status is State.CLOSED and signal.outcome == "ondersteuning"
    assert signal.claimed_at and signal.closed_at and signal.owner_id is not None
    assert await events(runner) == ["filed", "claim", "assign", "status", "note", "close"]
    await api.wait_for(lambda: len(signaler.texts()) == before + 2)
    await runner.settled()
    feedback = signaler.texts()[before:]
    assert len(feedback) == 2
    assert "is opgepakt door het Signaalpunt Terneuzen" in feedback[0]
    assert "is afgerond" in feedback[1]
    for text in feedback:  # never a detail about the person or the outcome
        assert "4531" not in text and "Huisarts" not in text and "ondersteuning" not in text
    await carine.command("signaal", signal.reference)
    assert "Huisarts belt hem <morgen> & komt langs" in carine.last
    assert "Toegewezen aan Ahmed" in carine.last


async def test_simultaneous_double_claim_has_one_winner(api: Any, runner: BotRunner) -> None:
    await filed(api, runner)
    carine, ahmed = Person(runner, REGISSEUR), Person(runner, TEAM)
    message, data = carine.button("Oppakken", GROUP)
    first = api.press(carine.id, message, data)
    second = api.press(ahmed.id, message, data)
    await runner.processed(first, second)
    toasts = sorted([carine.toast(), ahmed.toast()])
    assert sum("al opgepakt door" in t for t in toasts) == 1
    assert sum(t.startswith("U heeft") for t in toasts) == 1
    assert (await events(runner)).count("claim") == 1
    signal = await signal_row(runner)
    async with runner.services.uow() as uow:
        owner = await uow.staff.get(staff_id=signal.owner_id)
    loser_toast = next(t for t in toasts if "al opgepakt" in t)
    assert owner is not None and owner.name in loser_toast


async def test_alerts_survive_429_500_and_403(api: Any, runner: BotRunner) -> None:
    api.fail_next("sendMessage", 429, retry_after=1, chat_id=REGISSEUR)
    api.fail_next("sendMessage", 500, chat_id=REGISSEUR)
    api.block_chat(GROUP)
    signaler = Person(runner, 802)
    await file_signal(signaler)
    await api.wait_for(lambda: bool(api.messages(REGISSEUR)), timeout=15)
    expected = {(REGISSEUR, True, False), (GROUP, False, True)}

    async def recorded() -> bool:
        async with runner.services.uow() as uow:
            rows = await uow.session.scalars(select(Outbox).where(Outbox.kind == "alert"))
            return {(r.chat_id, r.sent_at is not None, r.failed_at is not None)
                    for r in rows} == expected

    await eventually(recorded)
    assert len(api.messages(REGISSEUR)) == 1
    assert api.messages(BACKUP) == []  # the regisseur has it; the backup is no staff
    async with runner.services.uow() as uow:  # future alerts skip the blocked group
        assert await uow.gemeenten.list_alert_chats(code="GM0715") == [REGISSEUR]


async def test_when_no_staff_chat_can_be_reached_the_backup_hears_without_details(
        api: Any, runner: BotRunner) -> None:
    for chat in (REGISSEUR, GROUP):
        api.block_chat(chat)
    await file_signal(Person(runner, 806))
    notice = await api.wait_for_message(BACKUP, containing="kon de bot bij niemand")
    assert "SP-" in notice["text"] and "4531" not in notice["text"]
    assert "reply_markup" not in notice  # nothing to press: the backup is no staff
    await runner.api.wait_idle(quiet=0.3)
    assert len(api.messages(BACKUP)) == 1


async def test_restart_with_unsent_outbox_delivers_everything_once(
        api: Any, runner: BotRunner) -> None:
    for chat in (REGISSEUR, GROUP):
        api.fail_next("sendMessage", 500, count=3, chat_id=chat)
    signaler = Person(runner, 803)
    await file_signal(signaler)
    await runner.stop()  # the bot goes down with alerts still in the outbox
    async with runner.database() as uow:
        pending = list(await uow.session.scalars(select(Outbox).where(Outbox.sent_at.is_(None))))
    assert pending
    await runner.start()
    await api.wait_for(lambda: bool(api.messages(REGISSEUR)) and bool(api.messages(GROUP)),
                       timeout=15)
    await runner.settled()
    assert len(api.messages(REGISSEUR)) == 1 and len(api.messages(GROUP)) == 1


async def test_the_same_update_twice_changes_nothing(api: Any, runner: BotRunner) -> None:
    signaler = await filed(api, runner)
    carine = Person(runner, REGISSEUR)
    message, data = carine.button("Oppakken", GROUP)
    press = api.press(carine.id, message, data)
    await runner.processed(press)
    await api.wait_for(lambda: "opgepakt door" in signaler.last)
    feedback = len(signaler.texts())
    await runner.redelivered(press)  # Telegram redelivers after a crash
    await runner.settled()
    assert (await events(runner)).count("claim") == 1
    assert len(signaler.texts()) == feedback

    person = Person(runner, 804)
    await person.command("start")
    await person.tap("Nee", "Kapper")
    typed = api.send_text(person.id, "4531")
    await runner.processed(typed)
    await runner.redelivered(typed)
    async with runner.services.uow() as uow:
        draft = await uow.drafts.get(channel="telegram", external_id=str(person.id))
    assert draft is not None and "house_number" not in draft.state["answers"]


async def test_question_to_an_anonymous_signaler_is_relayed_and_answered(
        api: Any, runner: BotRunner) -> None:
    signaler = await filed(api, runner, contact=False)
    carine = Person(runner, REGISSEUR)
    await carine.tap("Vraag aan melder", chat=GROUP)
    assert "Typ uw vraag" in carine.last  # in Carine's private chat, as a reply prompt
    await carine.say("Weet u op welke etage hij woont?")
    await api.wait_for(lambda: "etage" in signaler.last)
    assert "Vraag van het Signaalpunt" in signaler.last
    await signaler.say("Op de <derde>, naast de lift")
    assert "doorgegeven" in signaler.last
    await api.wait_for(lambda: "Antwoord van de melder" in carine.last)
    assert "Op de <derde>, naast de lift" in carine.last
    assert "801" not in carine.last and "Melder" not in carine.last  # identity stays hidden
    await carine.command("signaal", (await signal_row(runner)).reference)
    assert "Vraag aan melder: Weet u op welke etage" in carine.last
    assert "Antwoord van melder: Op de <derde>" in carine.last


async def test_unanswered_question_expires_and_declining_stops_questions(
        api: Any, runner: BotRunner) -> None:
    signaler = await filed(api, runner)
    carine = Person(runner, REGISSEUR)
    await carine.tap("Vraag aan melder", chat=GROUP)
    await carine.say("Heeft hij familie in de buurt?")
    await api.wait_for(lambda: "familie" in signaler.last)
    report = await runner.services.followup.run_due(utcnow() + timedelta(days=6))
    assert report.questions_expired == 1
    assert "no_answer" in await events(runner)

    await carine.tap("Vraag aan melder", chat=GROUP)
    await carine.say("Nog een vraag?")
    await api.wait_for(lambda: "Nog een vraag" in signaler.last)
    await signaler.tap("geen vragen meer")
    assert "geen vragen meer" in signaler.toast()
    await carine.tap("Vraag aan melder", chat=GROUP)
    assert "wil geen vragen meer" in carine.toast()


async def test_escalation_after_the_configured_time_and_not_after_a_claim(
        api: Any, runner: BotRunner) -> None:
    await filed(api, runner)
    followup, now = runner.services.followup, utcnow()
    assert (await followup.run_due(now + timedelta(hours=23))).escalated == 0
    assert (await followup.run_due(now + timedelta(hours=25))).escalated == 1
    await api.wait_for(lambda: any("nog niet opgepakt" in m.get("text", "")
                                   for m in api.messages(REGISSEUR)))
    assert (await followup.run_due(now + timedelta(hours=26))).escalated == 0  # not again yet
    assert (await followup.run_due(now + timedelta(hours=50))).escalated == 1
    await api.wait_for(lambda: any("nog steeds niet opgepakt" in m.get("text", "")
                                   for m in api.messages(BACKUP)))

    second = Person(runner, 805)
    await file_signal(second)
    await api.wait_for(lambda: sum("SP-" in m.get("text", "") for m in api.messages(GROUP)) == 2)
    await Person(runner, TEAM).tap("Oppakken", chat=GROUP)  # the newest alert: the second
    report = await followup.run_due(now + timedelta(hours=30))
    assert report.escalated == 0  # the claimed one is not escalated
    report = await followup.run_due(now + timedelta(days=6))
    assert report.reminded == 1  # but its silent owner is reminded after silent_days
    await api.wait_for(lambda: any("geen status" in m.get("text", "")
                                   for m in api.messages(TEAM)))


@pytest.mark.parametrize("action", ["claim", "assign", "assignto", "status", "st", "ref",
                                    "close", "out", "closeok", "note", "ask", "hist"])
async def test_staff_of_another_gemeente_cannot_act(api: Any, runner: BotRunner,
                                                    action: str) -> None:
    await filed(api, runner)
    signal = await signal_row(runner)
    arg = {"assignto": "2", "st": "contact", "ref": "huisarts", "out": "anders",
           "closeok": "anders"}.get(action, "")
    for outsider in (OTHER_GEMEENTE, 7999):  # Heerlen's regisseur, and someone not staff at all
        person = Person(runner, outsider)
        message = api.messages(REGISSEUR)[0]
        await runner.processed(api.press(outsider, message, f"w|{action}|{signal.id}|{arg}",
                                         check=False))
        assert person.toast() == "Geen toegang."
    after = await signal_row(runner)
    assert (after.status, after.owner_id) == ("new", None)
    assert await events(runner) == ["filed"]


async def test_states_actions_and_roles_are_stored_as_values_and_read_as_enums(
        api: Any, runner: BotRunner) -> None:
    await filed(api, runner)
    async with runner.services.uow() as uow:
        [signal] = list(await uow.session.scalars(select(Signal)))
        actions = list(await uow.session.scalars(select(SignalEvent.action)))
        roles = set(await uow.session.scalars(select(Staff.role)))
        stored = await uow.session.scalar(select(Signal.status.cast(String)))
        assert signal.status is State.NEW and stored == "new"
        assert actions == [EventAction.FILED] and type(actions[0]) is EventAction
        assert roles == {StaffRole.REGISSEUR, StaffRole.TEAM}
        assert all(type(role) is StaffRole for role in roles)
        signal.status = "afgehandeld"  # type: ignore[assignment]
        with pytest.raises(StatementError, match="is not a valid State"):
            await uow.session.flush()


async def test_commands_show_only_the_own_gemeente(api: Any, runner: BotRunner) -> None:
    signaler = await filed(api, runner)
    reference = (await signal_row(runner)).reference
    bram, carine, ahmed = (Person(runner, OTHER_GEMEENTE), Person(runner, REGISSEUR),
                           Person(runner, TEAM))
    await bram.command("signaal", reference)
    assert "niet gevonden" in bram.last and "4531" not in bram.last
    await bram.command("open")
    assert "geen open signalen" in bram.last
    await carine.command("open")
    assert reference in carine.last and "Nieuw" in carine.last
    await ahmed.command("mijn")
    assert "geen open signalen" in ahmed.last
    await ahmed.tap("Oppakken", chat=GROUP)
    await ahmed.command("mijn")
    assert reference in ahmed.last
    await signaler.command("mijnsignalen")
    assert reference in signaler.last and "opgepakt" in signaler.last
    stranger = Person(runner, 7998)
    await stranger.command("open")
    assert stranger.last == "Geen toegang."
    await stranger.command("mijnsignalen")
    assert "nog geen signalen" in stranger.last


async def test_removed_staff_member_loses_access_at_once(api: Any, runner: BotRunner,
                                                         db_url: str) -> None:
    await filed(api, runner)
    without_ahmed = make_settings(db_url, gemeenten=[
        {**TERNEUZEN, "staff": [m for m in TERNEUZEN["staff"] if m["name"] != "Ahmed"]},
        HEERLEN])
    from bot.services import sync_gemeenten

    async with runner.services.uow() as uow:
        await sync_gemeenten(without_ahmed, uow)
    ahmed = Person(runner, TEAM)
    await ahmed.tap("Oppakken", chat=GROUP)
    assert ahmed.toast() == "Geen toegang."
    assert (await signal_row(runner)).status == "new"


async def test_team_member_cannot_assign_or_close_what_they_do_not_own(
        api: Any, runner: BotRunner) -> None:
    await filed(api, runner)
    ahmed, sanne = Person(runner, TEAM), Person(runner, TEAM2)
    await ahmed.tap("Toewijzen", chat=GROUP)
    assert ahmed.toast() == "Geen toegang."
    await ahmed.tap("Oppakken", chat=GROUP)
    await api.wait_for(lambda: "Ahmed" in alert_text(api, GROUP))
    await sanne.tap("Afronden", chat=GROUP)
    assert sanne.toast() == "Geen toegang."
    await ahmed.tap("Afronden", chat=GROUP)
    assert "Hoe rondt u" in api.messages(GROUP)[-1]["text"]
