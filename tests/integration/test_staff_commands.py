"""Staff on a channel without buttons act by typed commands (``StaffService.command``).

Terneuzen has a regisseur and a team member on Signal, Heerlen a regisseur there; the
signaler files on Signal too. Each command does what its button does, with the same checks;
a question goes to the signaler on Signal and their quote-reply comes back to the asker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.core import messages
from bot.core.outbox import OutboxKind
from bot.core.people import SIGNAL, Person
from bot.core.staff_commands import lines, parse
from bot.core.staff_lists import Reply
from bot.core.workflow import EventAction, State
from bot.services import Services, open_services
from bot.settings import Settings
from storage.models import Outbox, RelayedQuestion, Signal, SignalEvent, Staff
from tests.conftest import HEERLEN, HILLEGOM, TERNEUZEN, make_settings
from tests.helpers.intake import file_signal
from tests.helpers.senders import RecordingSender, TimestampSender

SOFIE = Person(SIGNAL, "5a4f3c1e-0b2d-4e6f-8a9b-0c1d2e3f4a5b")  # Terneuzen, regisseur
TIM = Person(SIGNAL, "6b5e4d2f-1c3e-4f70-9bac-1d2e3f4a5b6c")  # Terneuzen, team
JOOST = Person(SIGNAL, "7c6f5e3a-2d4f-4081-8cbd-2e3f4a5b6c7d")  # Heerlen, regisseur
MELDER = Person(SIGNAL, "8d7a6f4b-3e5a-4192-9dce-3f4a5b6c7d8e")  # the signaler
STRANGER = Person(SIGNAL, "9e8b7a5c-4f6b-42a3-8edf-4a5b6c7d8e9f")  # nobody's staff


@pytest.fixture
def settings(db_url: str) -> Settings:
    terneuzen = {**TERNEUZEN, "staff": [
        *TERNEUZEN["staff"],
        {"channel": SIGNAL, "id": SOFIE.external_id, "name": "Sofie", "role": "regisseur"},
        {"channel": SIGNAL, "id": TIM.external_id, "name": "Tim van Dam"}]}
    heerlen = {**HEERLEN, "staff": [
        *HEERLEN["staff"],
        {"channel": SIGNAL, "id": JOOST.external_id, "name": "Joost", "role": "regisseur"}]}
    return make_settings(db_url, gemeenten=[terneuzen, heerlen, HILLEGOM])


@pytest.fixture
async def signal_sender() -> TimestampSender:
    return TimestampSender()


@pytest.fixture
async def services(settings: Settings, signal_sender: TimestampSender
                   ) -> AsyncIterator[Services]:
    opened = await open_services(settings, {"telegram": RecordingSender(),
                                            SIGNAL: signal_sender})
    yield opened
    await opened.close()


@pytest.fixture
async def reference(services: Services) -> str:
    """A Terneuzen signal, filed on Signal."""
    await file_signal(services, MELDER.external_id, "4531", channel=SIGNAL)
    async with services.uow() as uow:
        [signal] = list(await uow.session.scalars(select(Signal)))
    assert signal.reference is not None
    return signal.reference


async def typed(services: Services, person: Person, text: str, **kwargs: Any) -> Reply | None:
    command = parse(text)
    assert command is not None, text
    return await services.staff.command(person, command, **kwargs)


async def stored(services: Services, model: Any) -> list[Any]:
    async with services.uow() as uow:
        return list(await uow.session.scalars(select(model).order_by(model.id)))


async def the_signal(services: Services) -> Signal:
    [signal] = await stored(services, Signal)
    return signal


async def events(services: Services) -> list[str]:
    return [event.action for event in await stored(services, SignalEvent)]


async def test_claim_status_and_close_with_its_confirmation(
        services: Services, reference: str) -> None:
    reply = await typed(services, SOFIE, f"oppakken {reference.lower()}")
    assert reply == Reply(toast=messages.CLAIMED.format(reference=reference))
    signal = await the_signal(services)
    [sofie] = [s for s in await stored(services, Staff) if s.person == SOFIE]
    assert signal.status is State.CLAIMED and signal.owner_id == sofie.id

    reply = await typed(services, SOFIE, f"status {reference}")
    assert reply is not None and reply.text == messages.PICK_STATUS.format(reference=reference)
    assert f"status {reference} contact — Contact gelegd" in lines(reply.buttons, reference)
    reply = await typed(services, SOFIE, f"status {reference} contact")
    assert reply is not None and "Contact gelegd" in reply.text
    signal = await the_signal(services)
    assert signal.status is State.IN_PROGRESS and signal.first_contact_at is not None

    reply = await typed(services, SOFIE, f"afronden {reference}")
    assert reply is not None and reply.text == messages.PICK_OUTCOME.format(reference=reference)
    reply = await typed(services, SOFIE, f"afronden {reference} geen_zorgen")
    assert reply is not None and "Geen zorgen" in reply.text
    assert lines(reply.buttons, reference) == [
        f"afronden {reference} geen_zorgen ja — Ja, afronden", f"afronden {reference} — Terug"]
    assert (await the_signal(services)).status is State.IN_PROGRESS  # asked, not done
    reply = await typed(services, SOFIE, f"afronden {reference} geen_zorgen ja")
    assert reply is not None and reply.text == messages.CLOSED.format(
        reference=reference, outcome="Geen zorgen, geen actie nodig")
    signal = await the_signal(services)
    assert signal.status is State.CLOSED and signal.outcome == "geen_zorgen"

    reply = await typed(services, SOFIE, f"status {reference} huisbezoek")  # too late now
    assert reply == Reply(toast=messages.NOT_NOW.format(reference=reference, state="afgerond"))
    feedback = [row for row in await stored(services, Outbox)
                if row.kind == OutboxKind.FEEDBACK]
    assert [(row.channel, row.recipient) for row in feedback] == [
        (SIGNAL, MELDER.external_id)] * 2  # claimed, closed: to the signaler on Signal


async def test_assign_by_name_or_id_and_roles_count(services: Services, reference: str) -> None:
    reply = await typed(services, TIM, f"toewijzen {reference} sofie")
    assert reply == Reply(toast=messages.NO_ACCESS)  # a team member assigns nothing
    reply = await typed(services, SOFIE, f"toewijzen {reference} Tim")  # the start of a name
    assert reply is not None and reply.text == messages.ASSIGNED.format(
        reference=reference, name="Tim van Dam")
    [tim] = [s for s in await stored(services, Staff) if s.person == TIM]
    assert (await the_signal(services)).owner_id == tim.id
    assigned = [row for row in await stored(services, Outbox) if row.kind == OutboxKind.ASSIGNED]
    assert [(row.channel, row.address) for row in assigned] == [(SIGNAL, TIM.external_id)]

    reply = await typed(services, SOFIE, f"toewijzen {reference} Niemand")  # the choices
    assert reply is not None and reply.text == messages.PICK_ASSIGNEE.format(reference=reference)
    assert f"toewijzen {reference} {tim.id} — Tim van Dam" in lines(reply.buttons, reference)
    reply = await typed(services, SOFIE, f"toewijzen {reference} {tim.id}")
    assert reply is not None and reply.text.startswith(reference)


async def test_a_note_in_one_go_or_when_asked(services: Services, reference: str) -> None:
    reply = await typed(services, TIM, f"notitie {reference} Buurvrouw <b>belt</b> morgen.")
    assert reply is not None and reply.outbox_id is not None and reply.forget_typed
    row = next(r for r in await stored(services, Outbox) if r.id == reply.outbox_id)
    assert (row.channel, row.address, row.kind) == (SIGNAL, TIM.external_id, OutboxKind.REPLY)
    assert "Buurvrouw &lt;b&gt;belt&lt;/b&gt; morgen." in row.text

    reply = await typed(services, TIM, f"notitie {reference}")
    assert reply is not None and reply.ask_reply and reference in reply.text
    reply = await services.staff.typed(TIM, "Tweede notitie")
    assert reply is not None and reply.forget_typed
    notes = [e.detail["text"] for e in await stored(services, SignalEvent)
             if e.action == EventAction.NOTE]
    assert notes == ["Buurvrouw <b>belt</b> morgen.", "Tweede notitie"]
    reply = await typed(services, TIM, f"notitie {reference} " + "x" * 1001)
    assert reply is not None and "1001" in reply.text
    assert len([e for e in await events(services) if e == EventAction.NOTE]) == 2


async def test_a_question_goes_to_the_signaler_on_signal_and_their_quote_reply_comes_back(
        services: Services, reference: str, signal_sender: TimestampSender) -> None:
    reply = await typed(services, SOFIE, f"vraag {reference} Woont zij alleen?")
    assert reply is not None and reply.outbox_id is not None and reply.forget_typed
    [question] = [r for r in await stored(services, Outbox) if r.kind == OutboxKind.QUESTION]
    assert (question.channel, question.recipient, question.address, question.chat_id) == (
        SIGNAL, MELDER.external_id, None, None)
    await services.dispatcher.drain()
    [(chat, text, message_id)] = [d for d in signal_sender.delivered if "Woont zij" in d[1]]
    assert chat == MELDER.external_id and reference in text

    thanks = await services.staff.answer(MELDER, "Ja, sinds kort.",
                                         reply_to_message_id=message_id)
    assert thanks == messages.ANSWER_THANKS
    [answer] = [r for r in await stored(services, Outbox) if r.kind == OutboxKind.ANSWER]
    assert (answer.channel, answer.address) == (SIGNAL, SOFIE.external_id)
    assert "Ja, sinds kort." in answer.text
    [relayed] = await stored(services, RelayedQuestion)
    assert relayed.closed_at is not None


async def test_details_show_the_signal_with_its_history(
        services: Services, reference: str) -> None:
    await typed(services, SOFIE, f"oppakken {reference}")
    reply = await typed(services, TIM, f"details {reference}")
    assert reply is not None and reply.outbox_id is not None
    row = next(r for r in await stored(services, Outbox) if r.id == reply.outbox_id)
    assert (row.channel, row.address) == (SIGNAL, TIM.external_id)
    assert reference in row.text and messages.HISTORY_TITLE in row.text
    assert (await events(services))[-1] == EventAction.VIEW


async def test_another_gemeente_s_signal_is_as_unknown_as_one_that_does_not_exist(
        services: Services, reference: str) -> None:
    unknown = reference[:-6] + "999999"
    for text in (f"oppakken {reference}", f"details {reference}",
                 f"notitie {reference} Gezien.", f"vraag {reference} Hoe gaat het?"):
        assert await typed(services, JOOST, text) == Reply(toast=messages.NOT_FOUND), text
        assert await typed(services, JOOST, text.replace(reference, unknown)) == Reply(
            toast=messages.NOT_FOUND)
    assert await events(services) == [EventAction.FILED]
    assert (await the_signal(services)).status is State.NEW


async def test_someone_who_is_no_staff_gets_nothing(services: Services, reference: str) -> None:
    for text in (f"oppakken {reference}", f"details {reference}", "open", "mijn", "hulp"):
        assert await typed(services, STRANGER, text) is None, text
        assert await typed(services, MELDER, text) is None, text
    assert await events(services) == [EventAction.FILED]
    reply = await typed(services, TIM, "hulp")
    assert reply == Reply(text=messages.COMMAND_HELP)
    reply = await typed(services, TIM, "open")
    assert reply is not None and reference in reply.text


async def test_a_redelivered_update_changes_nothing(services: Services, reference: str) -> None:
    first = await typed(services, SOFIE, f"oppakken {reference}", update_id=41)
    assert first == Reply(toast=messages.CLAIMED.format(reference=reference))
    again = await typed(services, SOFIE, f"oppakken {reference}", update_id=41)
    assert again == Reply(duplicate=True)
    note = await typed(services, SOFIE, f"notitie {reference} Eén keer.", update_id=42)
    assert note is not None and note.outbox_id is not None
    assert await typed(services, SOFIE, f"notitie {reference} Eén keer.",
                       update_id=42) == Reply(duplicate=True)
    assert await events(services) == [EventAction.FILED, EventAction.CLAIM, EventAction.NOTE]
