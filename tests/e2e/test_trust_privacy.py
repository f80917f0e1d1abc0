"""Privacy under a privacy officer's eye: who gets personal data, and what is left after erasure.

Each test reads what the Bot API stand-in still holds in every chat, and what the database
holds (decrypted), after the action that must remove it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select, text

from bot.core.admin import CLI
from bot.core.buttons import StaffAction, StaffButton
from bot.core.people import Person as People
from bot.settings import Settings
from storage.crypto import CryptoError, generate_key
from storage.models import Base, Outbox, Signal, utcnow
from tests.conftest import TERNEUZEN, TEST_KEY, make_settings
from tests.harness import BotRunner, Person, claim_and_close, eventually, file_signal
from tests.helpers.cli import run_cli
from tests.helpers.personal_data import SIGNALER, file_distinctive_signal
from tests.helpers.stored import decrypted_dump, outbox_settled

REGISSEUR, TEAM, GROUP, BACKUP = 7001, 7003, -1007002, 7009
FAMILY = -4242  # a family group a staff member is in; the bot is a member too
PERSON = ["4532 XY", "4532XY", "77 B", "Zeldzaam-Woord-Qx7"]  # about the person signalled
CONTACT = ["Henkie Pietersma", "+31698765432", "+31 6 98765432"]  # about the signaler
TYPED = ["Notitie-Zq9", "Vraag-Wv3", "Antwoord-Yu5"]  # staff notes, questions and answers


def chats(api: Any) -> set[int]:
    """Every chat the stand-in holds messages in (the bot's or people's)."""
    return {chat for chat, held in {**api._bot_messages, **api._user_messages}.items() if held}


def held(api: Any, chat: int, *, typed_by_signaler: bool = False) -> list[str]:
    """The texts of every message the stand-in still holds in a chat.

    What the signaler typed in their own chat is theirs (Telegram keeps it; the bot cannot
    delete a person's messages after 48 hours); it counts only with ``typed_by_signaler``.
    """
    texts = [m.get("text", m.get("caption", "")) for m in api.messages(chat)]
    if chat != SIGNALER or typed_by_signaler:
        texts += [m.get("text", "") for m in api._user_messages.get(chat, {}).values()]
    return texts


def leaks(api: Any, secrets: list[str]) -> list[tuple[int, str]]:
    """Every (chat, secret) where a message still shows the secret."""
    return [(chat, secret) for chat in sorted(chats(api)) for text in held(api, chat)
            for secret in secrets if secret in text]


async def work_the_signal(api: Any, runner: BotRunner, signaler: Person) -> str:
    """Claim, assign to Ahmed, Details, /signaal, a question and answer, a note; the reference."""
    carine, ahmed = Person(runner, REGISSEUR, "Carine"), Person(runner, TEAM, "Ahmed")
    async with runner.services.uow() as uow:
        [signal] = list(await uow.session.scalars(select(Signal)))
    reference = str(signal.reference)
    await carine.tap("Oppakken", chat=GROUP)
    await carine.tap("Details", chat=GROUP)
    await carine.command("signaal", reference)
    await carine.tap("Vraag aan melder", chat=GROUP)
    await carine.say("Vraag-Wv3")
    await api.wait_for(lambda: any("Vraag-Wv3" in t for t in signaler.texts()))
    await signaler.say("Antwoord-Yu5")
    await api.wait_for(lambda: any("Antwoord-Yu5" in t for t in carine.texts()))
    await carine.tap("Toewijzen", chat=GROUP)
    await carine.tap("Ahmed", chat=GROUP)
    await api.wait_for(lambda: any("aan u toegewezen" in t for t in ahmed.texts()))
    await ahmed.tap("Status")
    await ahmed.tap("Contact gelegd")
    await ahmed.tap("Notitie toevoegen")
    await ahmed.say("Notitie-Zq9")
    return reference


async def test_after_the_purge_no_chat_and_no_table_holds_a_personal_field(
        api: Any, runner: BotRunner) -> None:
    signaler = await file_distinctive_signal(api, runner)
    await work_the_signal(api, runner, signaler)
    ahmed = Person(runner, TEAM, "Ahmed")
    await ahmed.tap("Afronden")
    await ahmed.tap("Geen zorgen")
    await ahmed.tap("Ja, afronden")
    await outbox_settled(runner)
    assert leaks(api, PERSON + CONTACT + TYPED)  # the copies are really there before

    report = await runner.services.privacy.purge(utcnow() + timedelta(days=31))
    assert len(report.signals) == 1
    await outbox_settled(runner)
    assert leaks(api, PERSON + CONTACT + TYPED) == []
    dump = await decrypted_dump(runner)
    for secret in PERSON + CONTACT + TYPED + [str(SIGNALER)]:
        assert secret not in dump, secret
    async with runner.services.uow() as uow:  # a signaler without signals left is forgotten
        assert await uow.signalers.get(channel="telegram", external_id=str(SIGNALER)) is None


async def test_forget_me_leaves_no_trace_of_the_signaler_in_chats_or_tables(
        api: Any, runner: BotRunner) -> None:
    signaler = await file_distinctive_signal(api, runner)
    await work_the_signal(api, runner, signaler)
    await outbox_settled(runner)
    assert leaks(api, CONTACT)
    async with runner.services.uow() as uow:
        lookup = uow.keyring.lookup_hash(str(SIGNALER))

    await signaler.command("vergeetmij")
    await signaler.tap("Ja, vergeet mij")
    await outbox_settled(runner)
    assert leaks(api, CONTACT) == []
    alert = held(api, GROUP)[0]  # the alert, refreshed: no contact any more, and it says so
    assert "Contact mag" not in alert and "vergeten" in alert, alert
    dump = await decrypted_dump(runner)
    for trace in [*CONTACT, str(SIGNALER), lookup]:
        assert trace not in dump, trace
    assert "Zeldzaam-Woord-Qx7" in dump  # the signal itself stays for the follow-up


async def test_a_signaler_who_blocked_the_bot_is_never_stored_in_clear(
        api: Any, runner: BotRunner) -> None:
    signaler = await file_distinctive_signal(api, runner)
    api.block_chat(SIGNALER)  # the feedback "opgepakt" will fail with 403
    await Person(runner, REGISSEUR).tap("Oppakken", chat=GROUP)

    async def feedback_failed() -> bool:
        async with runner.services.uow() as uow:
            return bool(await uow.session.scalar(select(Outbox.id).where(
                Outbox.kind == "feedback", Outbox.failed_at.is_not(None))))

    await eventually(feedback_failed)
    async with runner.services.db.connect() as connection:
        raw = [repr(tuple(row)) for table in Base.metadata.sorted_tables
               for row in await connection.exec_driver_sql(f"SELECT * FROM {table.name}")]
    assert not [row for row in raw if str(SIGNALER) in row]
    api.unblock_chat(SIGNALER)
    await signaler.command("vergeetmij")
    await signaler.tap("Ja, vergeet mij")
    assert str(SIGNALER) not in await decrypted_dump(runner)


async def test_a_removed_staff_member_gets_no_personal_data_any_more(
        api: Any, db_url: str) -> None:
    terneuzen = {**TERNEUZEN, "alert_chat_ids": [REGISSEUR, TEAM, GROUP]}
    runner = BotRunner(api, make_settings(db_url, gemeenten=[terneuzen], security={
        "encryption_key": TEST_KEY, "flood_updates": 1000}))
    await runner.start()
    try:
        signaler = await file_distinctive_signal(api, runner)
        carine, ahmed = Person(runner, REGISSEUR), Person(runner, TEAM)
        await api.wait_for(lambda: bool(api.messages(TEAM)))
        await carine.tap("Toewijzen", chat=GROUP)
        await carine.tap("Ahmed", chat=GROUP)
        await api.wait_for(lambda: any("aan u toegewezen" in t for t in ahmed.texts()))
        api.fail_next("sendMessage", 500, count=100, chat_id=TEAM)  # his next alert waits
        await signaler.command("start")
        await signaler.tap("Nee", "Nee, iets anders", "Horeca")
        await signaler.say("4533kl")
        await signaler.say("3")
        await signaler.tap("Post stapelt", "Klaar", "Minder dan een maand", "Elke week",
                           "Nog niets", "Klaar", "Overslaan", "Nee", "anoniem", "Versturen")
        await api.wait_for(lambda: any("4533" in t for t in held(api, GROUP)))
        assert [t for t in held(api, TEAM) if "4532" in t]  # his copies are there before

        await runner.services.admin.remove_staff(CLI, "GM0715", People.on_telegram(TEAM))
        async with runner.services.uow() as uow:  # nothing personal waits for his chat
            waiting = await uow.session.scalars(select(Outbox.kind).where(
                Outbox.chat_id == TEAM, Outbox.sent_at.is_(None), Outbox.failed_at.is_(None)))
            assert set(waiting) <= {"erase"}
            assert TEAM not in await uow.gemeenten.list_alert_chats(code="GM0715")
        api._faults.clear()  # Telegram answers again
        await outbox_settled(runner)
        assert [t for t in held(api, TEAM) if "4532" in t or "4533" in t] == []
    finally:
        await runner.stop()


def test_removing_staff_on_the_command_line_names_the_groups_they_may_still_be_in(
        tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"""
[database]
url = "sqlite+aiosqlite:///{tmp_path / 'remove.db'}"
[security]
encryption_key = "{TEST_KEY}"
[[gemeenten]]
code = "GM0715"
name = "Terneuzen"
pc4 = ["4531-4539"]
alert_chat_ids = [7001, -1007002]
staff = [{{ telegram_id = 7001, name = "Carine", role = "regisseur" }},
         {{ telegram_id = 7003, name = "Ahmed", role = "team" }}]
""", encoding="utf-8")
    assert run_cli("config", "apply", "--config", str(config)).returncode == 0
    removed = run_cli("staff", "remove", "-g", "GM0715", "7003", "--config", str(config))
    assert removed.returncode == 0, removed.stderr
    assert "-1007002" in removed.stdout  # the team group: Telegram membership is not ours
    assert "config" in removed.stdout  # declared there: the next start would give access back


async def test_personal_data_goes_only_to_a_private_chat_or_the_team_group(
        api: Any, runner: BotRunner) -> None:
    await file_distinctive_signal(api, runner)
    api.group(FAMILY, title="Familie")
    async with runner.services.uow() as uow:
        [signal] = list(await uow.session.scalars(select(Signal)))
    carine = Person(runner, REGISSEUR)
    for command, args in (("signaal", signal.reference), ("open", None), ("mijn", None)):
        await runner.processed(api.send_command(REGISSEUR, command, args, chat_id=FAMILY))
    alert = api.messages(GROUP)[0]
    elsewhere = {**alert, "chat": {"id": FAMILY, "type": "group", "title": "Familie"}}
    await runner.processed(api.press(REGISSEUR, elsewhere, f"w|hist|{signal.id}|", check=False))
    refusals = [m["text"] for m in api.messages(FAMILY)]  # what the bot wrote there
    assert [t for t in refusals if "SP-" in t or "4532" in t] == []
    assert len(refusals) == 3 and all("alleen" in t for t in refusals)
    assert "alleen" in carine.toast()
    await carine.command("signaal", signal.reference)  # her own chat: allowed
    assert "Zeldzaam-Woord-Qx7" in carine.last
    await runner.processed(api.send_command(REGISSEUR, "signaal", signal.reference,
                                            chat_id=GROUP))  # the team group: allowed
    assert "Zeldzaam-Woord-Qx7" in api.messages(GROUP)[-1]["text"]


async def test_an_erased_signal_takes_no_new_personal_text(api: Any, runner: BotRunner) -> None:
    await file_distinctive_signal(api, runner)
    carine = Person(runner, REGISSEUR)
    await claim_and_close(carine, GROUP)
    note_button = carine.button("Notitie toevoegen", GROUP)
    await carine.tap("Notitie toevoegen", chat=GROUP)  # asked, not yet typed
    await runner.services.privacy.purge(utcnow() + timedelta(days=31))
    await carine.say("Geheim-Na-Wissen-1")
    await runner.processed(api.press(REGISSEUR, *note_button))  # a stale button
    await carine.say("Geheim-Na-Wissen-2")
    async with runner.services.uow() as uow:
        [signal] = list(await uow.session.scalars(select(Signal)))
        signal_id = signal.id
    await runner.processed(api.press(REGISSEUR, api.messages(GROUP)[0], f"w|note|{signal_id}|",
                                     check=False))  # a forged one
    await carine.say("Geheim-Na-Wissen-3")
    dump = await decrypted_dump(runner)
    assert "Geheim-Na-Wissen" not in dump
    assert any("gewist" in t for t in carine.texts())


async def close_the_signal(api: Any, runner: BotRunner, number: int) -> Signal:
    """A closed signal of Terneuzen; its alerts are delivered and up to date."""
    await file_signal(Person(runner, 9500 + number), description="Zeldzaam-Woord-Qx7")
    async with runner.services.uow() as uow:
        signal = (await uow.session.scalars(select(Signal).order_by(Signal.id.desc()))).first()
    assert signal is not None
    carine = People.on_telegram(REGISSEUR)
    await runner.services.staff.press(carine, StaffButton(StaffAction.CLAIM, signal.id))
    await runner.services.staff.press(
        carine, StaffButton(StaffAction.CLOSE, signal.id, "geen_zorgen"))
    await outbox_settled(runner)
    return signal


def alert_message(api: Any, chat: int, reference: str) -> dict[str, Any]:
    return next(m for m in api.messages(chat) if reference in m.get("text", ""))


async def test_a_copy_telegram_will_not_edit_is_deleted_and_one_it_keeps_is_shown(
        api: Any, runner: BotRunner, settings: Settings) -> None:
    first = await close_the_signal(api, runner, 1)
    refused = alert_message(api, REGISSEUR, str(first.reference))
    api.refuse_edits(REGISSEUR, refused["message_id"])  # Telegram: "message can't be edited"
    await runner.services.privacy.purge(utcnow() + timedelta(days=31))
    await outbox_settled(runner)
    assert refused["message_id"] not in {m["message_id"] for m in api.messages(REGISSEUR)}

    second = await close_the_signal(api, runner, 2)
    kept = alert_message(api, GROUP, str(second.reference))
    api.refuse_edits(GROUP, kept["message_id"])
    api.advance_clock(49)  # and too old to delete: Telegram keeps it
    await runner.services.privacy.purge(utcnow() + timedelta(days=31))
    await outbox_settled(runner)
    assert "Zeldzaam" in alert_message(api, GROUP, str(second.reference))["text"]
    env = {"SIGNAALBOT_DATABASE__URL": settings.database.url,
           "SIGNAALBOT_SECURITY__ENCRYPTION_KEY": TEST_KEY}
    dry = run_cli("purge", "--dry-run", env=env)
    assert f"{second.reference} in chat {GROUP}" in dry.stdout, dry.stdout
    carine = Person(runner, REGISSEUR)
    await carine.command("admin")
    await carine.tap("Terneuzen")
    assert f"{second.reference} in chat {GROUP}" in carine.last


async def test_no_log_line_names_a_signaler(api: Any, runner: BotRunner,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    for ours in ("bot", "handlers", "storage"):
        caplog.set_level(logging.DEBUG, logger=ours)
    signaler = await file_distinctive_signal(api, runner)
    api.block_chat(SIGNALER)  # the feedback fails: its warning must not say to whom
    carine = Person(runner, REGISSEUR)
    await carine.tap("Oppakken", chat=GROUP)
    await carine.tap("Vraag aan melder", chat=GROUP)
    await carine.say("Vraag-Wv3")
    await outbox_settled(runner)
    api.unblock_chat(SIGNALER)
    await signaler.command("vergeetmij")
    await signaler.tap("Ja, vergeet mij")
    lines = [record.getMessage() for record in caplog.records]
    assert any("not delivered" in line for line in lines)  # the failures were logged
    assert [line for line in lines if str(SIGNALER) in line] == []


async def test_a_ciphertext_moved_to_another_row_does_not_decrypt(
        api: Any, runner: BotRunner) -> None:
    await file_signal(Person(runner, 9601), description="Eerste-Wb1")
    await file_signal(Person(runner, 9602), description="Tweede-Wb2")
    await outbox_settled(runner)
    async with runner.services.db.begin() as connection:  # someone with write access only
        first = (await connection.exec_driver_sql(
            "SELECT answers FROM signals ORDER BY id LIMIT 1")).scalar_one()
        await connection.execute(text(
            "UPDATE signals SET answers = :moved WHERE id = (SELECT max(id) FROM signals)"),
            {"moved": first})
    async with runner.services.uow() as uow:
        [one, two] = list(await uow.session.scalars(select(Signal.id).order_by(Signal.id)))
        assert (await uow.signals.get(signal_id=one)).answers["description"] == "Eerste-Wb1"
    with pytest.raises(CryptoError):  # the first signal's answers, in the second one's row
        async with runner.services.uow() as uow:
            await uow.signals.get(signal_id=two)
    async with runner.services.uow() as uow:  # a card waiting to go to a staff member...
        await uow.outbox.add(kind="assigned", text="Geheim-Wb3", chat_id=TEAM, signal_id=two,
                             due=utcnow() + timedelta(days=1))
        await uow.outbox.add(kind="reply", text="x", chat_id=FAMILY, signal_id=two,
                             due=utcnow() + timedelta(days=1))
        await uow.commit()
    async with runner.services.db.begin() as connection:  # ...its text moved to another chat
        await connection.execute(text(
            "UPDATE outbox SET text = (SELECT text FROM outbox WHERE kind = 'assigned' "
            "AND text LIKE 'v2.%') WHERE kind = 'reply' AND chat_id = :chat"), {"chat": FAMILY})
    with pytest.raises(CryptoError):
        async with runner.services.uow() as uow:
            list(await uow.session.scalars(select(Outbox).where(Outbox.chat_id == FAMILY)))


async def test_keys_rotate_rewrites_every_value_for_the_new_key(
        api: Any, runner: BotRunner, settings: Settings) -> None:
    await file_distinctive_signal(api, runner)
    await work_the_signal(api, runner, Person(runner, SIGNALER))
    await outbox_settled(runner)
    before = await decrypted_dump(runner)
    await runner.stop()
    new_key = generate_key()
    env = {"SIGNAALBOT_DATABASE__URL": settings.database.url,
           "SIGNAALBOT_SECURITY__ENCRYPTION_KEY": new_key,
           "SIGNAALBOT_SECURITY__OLD_KEYS": f'["{TEST_KEY}"]'}
    rotated = run_cli("keys", "rotate", env=env)
    assert rotated.returncode == 0, rotated.stderr
    runner.settings = runner.settings.model_copy(update={"security": runner.settings.security
                                                         .model_copy(update={
                                                             "encryption_key": SecretStr(new_key)
                                                         })})
    await runner.start()  # the new key alone reads everything
    after = await decrypted_dump(runner)
    for secret in ["Zeldzaam-Woord-Qx7", "Henkie Pietersma", "Notitie-Zq9", "Vraag-Wv3"]:
        assert (secret in before) == (secret in after), secret
    async with runner.services.uow() as uow:
        assert await uow.signalers.get(channel="telegram", external_id=str(SIGNALER))
