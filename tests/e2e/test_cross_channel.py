"""A staff member on one channel handles a signal filed on another (console and Telegram).

The signaler files on Telegram through the real PTB application against the stand-in; a
Terneuzen staff member of the console channel gets the alert in the terminal, claims it, sets
a status and closes it there; the signaler's feedback and the Telegram team's cards follow.
And the reverse: a signal filed on the console, handled by Telegram staff. One outbox
dispatcher serves both channels: each row goes to its channel's sender.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.core import messages
from bot.core.buttons import StaffAction, StaffButton
from bot.core.outbox import OutboxKind
from bot.core.people import CONSOLE, Person
from bot.core.workflow import State
from bot.settings import Settings
from handlers.console.staff import ConsoleStaffSender, StaffConsole
from storage.models import Outbox, Signal
from tests.conftest import HEERLEN, HILLEGOM, TERNEUZEN, make_settings
from tests.harness import BotRunner, claim_and_close, eventually, file_signal
from tests.harness import Person as TelegramUser
from tests.helpers.intake import file_signal as file_on_console
from tests.helpers.senders import RecordingSender

REGISSEUR, GROUP, SIGNALER = 7001, -1007002, 801
FATIMA = Person(CONSOLE, "fatima")  # Terneuzen, on the console
JOOST = Person(CONSOLE, "joost")  # Heerlen, on the console


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Terneuzen and Heerlen each have a staff member on the console channel."""
    terneuzen = {**TERNEUZEN, "staff": [
        *TERNEUZEN["staff"], {"channel": "console", "id": "fatima", "name": "Fatima"}]}
    heerlen = {**HEERLEN, "staff": [
        *HEERLEN["staff"], {"channel": "console", "id": "joost", "name": "Joost",
                            "role": "regisseur"}]}
    return make_settings(db_url, gemeenten=[terneuzen, heerlen, HILLEGOM])


@pytest.fixture
async def fatima(api: Any, settings: Settings) -> AsyncIterator[tuple[StaffConsole, io.StringIO,
                                                                      BotRunner]]:
    """Fatima's terminal, served by the bot process beside Telegram."""
    out = io.StringIO()
    console = StaffConsole(FATIMA, out)
    runner = BotRunner(api, settings, senders={CONSOLE: ConsoleStaffSender(console)})
    await runner.start()
    console.services = runner.services
    yield console, out, runner
    if runner.app is not None:
        await runner.stop()


async def shown(out: io.StringIO, label: str) -> None:
    """Wait until the terminal shows ``label``."""
    async def there() -> bool:
        return label in out.getvalue()
    await eventually(there)


def action(out: io.StringIO, label: str) -> str:
    """The number of the newest action shown with ``label``."""
    numbers = re.findall(rf"^  (\d+)\) [^\n]*{re.escape(label)}", out.getvalue(), re.M)
    assert numbers, f"no action {label!r} shown:\n{out.getvalue()}"
    return numbers[-1]


def alert_text(api: Any, chat: int) -> str:
    return str(next(m for m in api.messages(chat) if "signaal SP-" in m.get("text", ""))["text"])


async def test_a_console_staff_member_handles_a_signal_filed_on_telegram(
        api: Any, fatima: tuple[StaffConsole, io.StringIO, BotRunner]) -> None:
    console, out, runner = fatima
    signaler = TelegramUser(runner, SIGNALER, "Melder")
    await file_signal(signaler)
    await shown(out, "Oppakken")
    assert "4531 AB" in out.getvalue() and "<b>" not in out.getvalue()  # rendered plain
    await api.wait_for(lambda: bool(api.messages(GROUP)))
    before = len(signaler.texts())

    await console.on_line(action(out, "Oppakken"))
    assert "opgepakt" in out.getvalue()
    await api.wait_for(lambda: "Fatima" in alert_text(api, GROUP))  # the Telegram card follows
    await runner.settled()
    await shown(out, "Status")

    for label in ("Status", "Contact gelegd", "Afronden", "Geen zorgen", "Ja, afronden"):
        await console.on_line(action(out, label))
        await runner.settled()  # the cards brought up to date have arrived
    assert "afgerond" in out.getvalue()

    async with runner.services.uow() as uow:
        [signal] = list(await uow.session.scalars(select(Signal)))
        owner = await uow.staff.get(staff_id=signal.owner_id or 0)
    assert signal.status is State.CLOSED and signal.outcome == "geen_zorgen"
    assert owner is not None and owner.person == FATIMA
    await api.wait_for(lambda: len(signaler.texts()) == before + 2)
    await api.wait_for(lambda: "Afgerond" in alert_text(api, GROUP)
                       and "Afgerond" in alert_text(api, REGISSEUR))
    await runner.settled()
    feedback = signaler.texts()[before:]
    assert "is opgepakt door het Signaalpunt Terneuzen" in feedback[0]
    assert "is afgerond" in feedback[1]
    assert "Afgerond" in out.getvalue().rsplit("bijgewerkt", 1)[-1]  # Fatima's card too


async def test_a_console_staff_member_of_another_gemeente_gets_nothing_and_may_do_nothing(
        api: Any, fatima: tuple[StaffConsole, io.StringIO, BotRunner]) -> None:
    _, out, runner = fatima
    await file_signal(TelegramUser(runner, SIGNALER, "Melder"))
    await shown(out, "Oppakken")
    await runner.settled()
    async with runner.services.uow() as uow:
        [signal] = list(await uow.session.scalars(select(Signal)))
        to_joost = await uow.session.scalars(select(Outbox).where(Outbox.address == "joost"))
        assert not list(to_joost)  # no alert to Heerlen's console

    for button in (StaffButton(StaffAction.CLAIM, signal.id),
                   StaffButton(StaffAction.DETAILS, signal.id),
                   StaffButton(StaffAction.CLOSE, signal.id, "geen_zorgen")):
        reply = await runner.services.staff.press(JOOST, button)
        assert reply.toast == messages.NO_ACCESS and not reply.text and reply.outbox_id is None
    shown_to_joost = await runner.services.staff.show(JOOST, signal.reference or "")
    assert shown_to_joost is not None and shown_to_joost.text == messages.NOT_FOUND

    # A copy queued to Joost (as if he had been staff when it was queued) is refused at send.
    async with runner.services.uow() as uow:
        row = await uow.outbox.add(channel=CONSOLE, address="joost", kind=OutboxKind.REPLY,
                                   text="persoonsgegevens", signal_id=signal.id)
        await uow.commit()
    runner.services.dispatcher.kick()
    await runner.settled()
    async with runner.services.uow() as uow:
        refused = await uow.outbox.get(outbox_id=row.id)
        assert refused is not None and refused.sent_at is None and refused.failed_at is not None
    async with runner.services.uow() as uow:
        fresh = await uow.signals.get(signal_id=signal.id)
        assert fresh is not None and fresh.status is State.NEW


async def test_telegram_staff_handle_a_signal_filed_on_the_console(
        api: Any, settings: Settings) -> None:
    console = RecordingSender()  # the console channel's messages: to Fatima, and to the signaler
    runner = BotRunner(api, settings, senders={CONSOLE: console})
    await runner.start()
    try:
        assert "SP-" in await file_on_console(runner.services, "henk", postcode="4531")
        await api.wait_for(lambda: bool(api.messages(GROUP)))
        carine = TelegramUser(runner, REGISSEUR, "Carine")
        await claim_and_close(carine, GROUP)
        await api.wait_for(lambda: "Afgerond" in alert_text(api, GROUP))
        await runner.settled()
        to_henk = [text for chat, text in console.delivered if chat == "henk"]
        assert len(to_henk) == 2
        assert "is opgepakt door het Signaalpunt Terneuzen" in to_henk[0]
        assert "is afgerond" in to_henk[1]
        to_fatima = [text for chat, text in console.delivered if chat == "fatima"]
        assert "signaal SP-" in to_fatima[0] and "Carine" in to_fatima[-1]  # card follows
        async with runner.services.uow() as uow:
            [signal] = list(await uow.session.scalars(select(Signal)))
            signaler = await uow.signalers.get_by_id(signaler_id=signal.signaler_id or 0)
        assert signal.status is State.CLOSED
        assert signaler is not None and (signaler.channel, signaler.external_id) == (
            CONSOLE, "henk")
    finally:
        await runner.stop()
