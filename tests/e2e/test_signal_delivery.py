"""What signal-cli answers to a send, and what the outbox makes of it.

Rate limits wait and try again; a proof-required challenge waits for the operator's
``signaalbot signal challenge``; a number that left Signal or a changed safety number gives
the message up, and an alert then reaches the gemeente's other chats. Copies in Signal chats
are deleted at the purge within Signal's 24 hours; older ones go by the chats' timer.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import utcnow
from bot.settings import Settings
from storage.models import Outbox
from tests.conftest import HEERLEN, HILLEGOM, TERNEUZEN, TEST_KEY, make_settings
from tests.helpers.cli import run_cli_async
from tests.helpers.signal import SignalPerson, SignalRunner, file_signal, with_signal
from tests.helpers.stored import rows
from tests.signalcli.phones import Phone

SECRETS = ["Fatima de Vries", "0612345678", "Hij zit", "4531 AB", "12a"]


@pytest.fixture
def sanne(signalcli: Any) -> Phone:
    """Terneuzen's regisseur, on Signal only."""
    return signalcli.person("Sanne")  # type: ignore[no-any-return]


@pytest.fixture
def settings(db_url: str, signalcli: Any, sanne: Phone) -> Settings:
    terneuzen = {**TERNEUZEN, "alert_chat_ids": [], "staff": [
        {"channel": "signal", "id": sanne.aci, "name": "Sanne", "role": "regisseur"}]}
    return with_signal(make_settings(db_url, gemeenten=[terneuzen, HEERLEN, HILLEGOM]),
                       signalcli)


async def alert_row(signal_runner: SignalRunner) -> Outbox:
    [row] = [r for r in await rows(signal_runner, Outbox) if r.kind == "alert"]
    return row


async def test_a_rate_limit_waits_and_the_alert_comes(signalcli: Any, sanne: Phone,
                                                      signal_runner: SignalRunner) -> None:
    signalcli.fail_sends(sanne, "RATE_LIMIT_FAILURE", retry_after=1)
    reference = await file_signal(SignalPerson(signal_runner, signalcli.person("Anna")))
    await signalcli.wait_for_message(sanne, containing=reference, timeout=10)
    row = await alert_row(signal_runner)
    assert row.attempts == 2 and row.sent_at is not None and row.failed_at is None  # 1 failed


async def test_proof_required_waits_for_the_operators_challenge(
        signalcli: Any, sanne: Phone, signal_runner: SignalRunner, tmp_path: Path,
        no_error_logs: Any) -> None:
    signalcli.fail_sends(sanne, "RATE_LIMIT_FAILURE", proof_token="tok-1", retry_after=2,
                         times=1000)
    reference = await file_signal(SignalPerson(signal_runner, signalcli.person("Anna")))
    assert not any(reference in m.text for m in signalcli.messages(sanne))
    told = [r.getMessage() for r in no_error_logs.records]
    assert len(told) == 1 and "signaalbot signal challenge tok-1 CAPTCHA" in told[0], told
    no_error_logs.records.clear()  # expected: the operator must act

    config = tmp_path / "config.toml"
    config.write_text(f'[signal]\naccount = "{signalcli.account}"\n'
                      f'rpc_url = "{signalcli.rpc_url}"\n')
    code, out, err = await run_cli_async("signal", "challenge", "tok-1", "signalcaptcha://x",
                                         "--config", str(config),
                                         env={"SIGNAALBOT_SECURITY__ENCRYPTION_KEY": TEST_KEY})
    assert code == 0, err
    assert "accepted" in out and signalcli.proof_required == []
    await signalcli.wait_for_message(sanne, containing=reference, timeout=10)
    no_error_logs.records.clear()  # sends failed until the challenge was answered


@pytest.mark.parametrize("failure", ["UNREGISTERED_FAILURE", "IDENTITY_FAILURE"])
async def test_a_staff_member_out_of_reach_gives_the_alert_up_and_the_backup_hears(
        signalcli: Any, sanne: Phone, signal_runner: SignalRunner, failure: str) -> None:
    signalcli.fail_sends(sanne, failure, times=1000)
    await file_signal(SignalPerson(signal_runner, signalcli.person("Anna")))
    await signal_runner.settled()
    row = await alert_row(signal_runner)
    assert row.failed_at is not None and failure in (row.last_error or "")
    assert row.attempts == 1  # given up at once, not retried (attempts count every try)
    assert not [m for m in signalcli.messages(sanne) if "Nieuw signaal" in m.text]
    notices = [r for r in await rows(signal_runner, Outbox) if r.kind == "notice"]
    assert [(r.channel, r.chat_id) for r in notices] == [("telegram", 7009)]  # the backup
    assert "Fatima" not in notices[0].text and "Hij zit" not in notices[0].text


async def test_the_purge_deletes_the_copies_in_signal_chats(
        signalcli: Any, sanne: Phone, signal_runner: SignalRunner) -> None:
    anna = SignalPerson(signal_runner, signalcli.person("Anna"))
    reference = await file_signal(anna)
    staff = SignalPerson(signal_runner, sanne)
    await staff.say(f"details {reference}", f"oppakken {reference}",
                    f"afronden {reference} geen_zorgen", f"afronden {reference} geen_zorgen ja")
    assert any(secret in text for text in staff.texts() for secret in SECRETS)

    await signal_runner.services.privacy.purge(utcnow() + timedelta(days=31))
    signal_runner.services.dispatcher.kick()
    await signal_runner.settled()
    staff_texts = [text for m in signalcli.messages(sanne) if not m.deleted
                   for text in [m.text, *(v.text for v in m.edits)]]
    assert [s for s in SECRETS if any(s in t for t in staff_texts)] == []
    assert signalcli.calls_of("remoteDelete")  # deleted, not edited: an edit keeps its history
    # Every chat the bot wrote to has the disappearing timer: what it cannot delete goes too.
    assert {chat.expires_in for chat in signalcli.all_chats()} == {7 * 24 * 3600}


async def test_a_copy_older_than_a_day_is_left_to_the_chats_timer(
        signalcli: Any, sanne: Phone, signal_runner: SignalRunner) -> None:
    signalcli.advance_clock(-25)  # what follows was sent 25 hours ago, for Signal and the bot
    reference = await file_signal(SignalPerson(signal_runner, signalcli.person("Anna")))
    await SignalPerson(signal_runner, sanne).say(f"oppakken {reference}",
                                       f"afronden {reference} geen_zorgen ja")
    signalcli.advance_clock(25)
    deletes = len(signalcli.calls_of("remoteDelete"))

    await signal_runner.services.privacy.purge(utcnow() + timedelta(days=31))
    signal_runner.services.dispatcher.kick()
    await signal_runner.settled()
    assert len(signalcli.calls_of("remoteDelete")) == deletes  # Signal would not delete them
    erasures = [r for r in await rows(signal_runner, Outbox) if r.kind == "erase"]
    assert erasures and all(r.failed_at is not None for r in erasures)
    assert any("Hij zit" in text for text in signalcli.visible_texts())
    signalcli.advance_clock(7 * 24 + 1)  # the chats' timer
    assert [t for t in signalcli.visible_texts() for s in SECRETS if s in t] == []


async def test_forget_me_on_signal_clears_the_staff_copies_of_the_contact(
        signalcli: Any, sanne: Phone, signal_runner: SignalRunner) -> None:
    anna = SignalPerson(signal_runner, signalcli.person("Anna"))
    await file_signal(anna)
    assert any("Fatima de Vries" in text for text in signalcli.visible_texts())
    await anna.say("/vergeetmij")
    assert "/vergeetmij ja" in anna.last  # asks first; nothing changed yet
    await anna.say("/vergeetmij ja")
    assert "gewist (1 signalen)" in anna.last
    staff_texts = [text for m in signalcli.messages(sanne) if not m.deleted
                   for text in [m.text, *(v.text for v in m.edits)]]
    assert [t for t in staff_texts if "Fatima" in t or "0612345678" in t] == []
    assert any("vergeten" in t for t in staff_texts)  # the alert says so, the signal stays
    async with signal_runner.services.uow() as uow:
        assert await uow.signalers.get(channel="signal", external_id=anna.phone.aci) is None
