"""Signal and Telegram in one process: one gemeente's alerts, staff on either channel.

A signal filed over Signal and one filed over Telegram both reach Terneuzen's alert chats on
Telegram and its team member on Signal; she claims, gives a status and closes the Telegram one
with typed commands, and the Telegram signaler hears back on Telegram; the regisseur on
Telegram claims the Signal one, and its signaler hears back on Signal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.core.workflow import State
from bot.settings import Settings
from handlers.signal.app import SignalChannel
from tests.conftest import HEERLEN, HILLEGOM, TERNEUZEN, make_settings
from tests.harness import BotRunner
from tests.harness import Person as TelegramUser
from tests.harness import file_signal as file_on_telegram
from tests.helpers.signal import Hosted, SignalPerson, file_signal, reference, with_signal
from tests.helpers.staff import GROUP, REGISSEUR
from tests.signalcli.phones import Phone

TELEGRAM_SIGNALER = 802


@pytest.fixture
def sanne(signalcli: Any) -> Phone:
    """Terneuzen's team member on Signal."""
    return signalcli.person("Sanne")  # type: ignore[no-any-return]


@pytest.fixture
def settings(db_url: str, signalcli: Any, sanne: Phone) -> Settings:
    terneuzen = {**TERNEUZEN, "staff": [
        *TERNEUZEN["staff"], {"channel": "signal", "id": sanne.aci, "name": "Sanne"}]}
    return with_signal(make_settings(db_url, gemeenten=[terneuzen, HEERLEN, HILLEGOM]),
                       signalcli)


@pytest.fixture
async def hosted(api: Any, signalcli: Any, settings: Settings) -> AsyncIterator[Hosted]:
    runner = BotRunner(api, settings, channels=lambda s: [SignalChannel(s)])
    await runner.start()
    await signalcli.wait_connected()
    yield Hosted(runner, signalcli)
    if runner.app is not None:
        await runner.stop()


async def test_staff_on_signal_handle_a_telegram_signal_and_back(
        api: Any, signalcli: Any, sanne: Phone, hosted: Hosted) -> None:
    runner = hosted.runner
    telegram_signaler = TelegramUser(runner, TELEGRAM_SIGNALER, "Bas")
    await file_on_telegram(telegram_signaler)
    await hosted.settled()
    on_telegram = reference(telegram_signaler.thanks())
    anna = SignalPerson(hosted, signalcli.person("Anna"))
    on_signal = await file_signal(anna)

    # Both land in the same gemeente's alerts: Telegram chats and Sanne's Signal chat.
    for chat in (REGISSEUR, GROUP):
        texts = " ".join(str(m.get("text")) for m in api.messages(chat))
        assert on_telegram in texts and on_signal in texts
    staff = SignalPerson(hosted, sanne)
    alerts = [text for text in staff.texts() if "Nieuw signaal" in text]
    assert len(alerts) == 2 and on_telegram in alerts[0] and on_signal in alerts[1]
    assert f"oppakken {on_telegram}" in alerts[0]  # the commands to type, with the reference

    # The regisseur on Telegram claims the Signal one: its signaler hears back on Signal.
    carine = TelegramUser(runner, REGISSEUR, "Carine")
    await carine.tap("Oppakken")  # the newest alert with that button: the Signal signal's
    await hosted.settled()
    assert any("is opgepakt" in text and on_signal in text for text in anna.texts())

    # Sanne, on Signal, claims, gives a status and closes the Telegram one.
    await staff.say(f"oppakken {on_telegram}")
    assert any("is opgepakt" in text and on_telegram in text
               for text in telegram_signaler.texts())
    await staff.say(f"status {on_telegram} contact")
    await staff.say(f"afronden {on_telegram} geen_zorgen")
    assert f"afronden {on_telegram} geen_zorgen ja" in staff.last  # asks first
    await staff.say(f"afronden {on_telegram} geen_zorgen ja")
    async with runner.services.uow() as uow:
        signal = await uow.signals.get_by_reference(reference=on_telegram)
        assert signal is not None and signal.status == State.CLOSED
    assert any("is afgerond" in text and on_telegram in text
               for text in telegram_signaler.texts())
    # Her alert of it was replaced at each change (a Signal edit keeps the old text readable):
    # one copy shows, up to date; the earlier ones are deleted for everyone.
    alerts = [m for m in signalcli.messages(sanne) if f"Nieuw signaal {on_telegram}" in m.text]
    assert [m.deleted for m in alerts] == [True, True, True, False]
    assert "Afgerond" in alerts[-1].text and not any(m.edits for m in alerts)
    group_card = next(str(m.get("text")) for m in api.messages(GROUP)
                      if on_telegram in str(m.get("text")))
    assert "Afgerond" in group_card


async def test_a_question_from_telegram_staff_is_answered_on_signal(
        api: Any, signalcli: Any, hosted: Hosted) -> None:
    anna = SignalPerson(hosted, signalcli.person("Anna"))
    on_signal = await file_signal(anna)
    carine = TelegramUser(hosted.runner, REGISSEUR, "Carine")
    await carine.tap("Vraag aan melder")
    await carine.say("Woont hij alleen?")
    await hosted.settled()
    [question] = [m for m in signalcli.messages(anna.phone) if "Woont hij alleen?" in m.text]
    assert on_signal in question.text and "/geenvragen" in question.text
    anna.phone.says("Ja, sinds vorig jaar", quote=question.timestamp)
    await hosted.settled()
    assert "Dank" in anna.last
    assert any("Ja, sinds vorig jaar" in text for text in carine.texts())

    await anna.say("/geenvragen")
    assert "geen vragen meer" in anna.last
    await carine.tap("Vraag aan melder")  # no more questions for her: refused at once
    assert "geen vragen" in carine.toast()
