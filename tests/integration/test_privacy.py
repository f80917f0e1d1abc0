"""Privacy: nothing personal in plaintext at rest, retention, /vergeetmij, audit, webhook, flood."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bot.core.people import Person as People
from bot.settings import Settings
from storage.models import Outbox, Signal, SignalEvent, utcnow
from tests.conftest import TEST_KEY, make_settings
from tests.harness import BotRunner, Person, claim_and_close, eventually
from tests.helpers.cli import run_cli
from tests.helpers.personal_data import SIGNALER, file_distinctive_signal
from tests.helpers.staff import GROUP, REGISSEUR
from tests.helpers.stored import raw_dump

SECRETS = ["4532 XY", "77 B", "Zeldzaam-Woord-Qx7", "Henkie Pietersma", "+31698765432",
           "Notitie-Zq9", "Vraag-Wv3", "Antwoord-Yu5", "4533 KL", str(SIGNALER)]


async def test_no_personal_field_is_stored_in_plaintext(api: Any, runner: BotRunner,
                                                        settings: Settings) -> None:
    signaler = await file_distinctive_signal(api, runner)
    carine = Person(runner, REGISSEUR)
    await carine.tap("Oppakken", chat=GROUP)
    await carine.tap("Vraag aan melder", chat=GROUP)
    await carine.say("Vraag-Wv3")
    await api.wait_for(lambda: "Vraag-Wv3" in signaler.last)
    await signaler.say("Antwoord-Yu5")
    await api.wait_for(lambda: "Status" in str(api.messages(GROUP)[0].get("reply_markup")))
    await carine.tap("Status", chat=GROUP)
    await carine.tap("Contact gelegd", chat=GROUP)
    await carine.tap("Notitie toevoegen", chat=GROUP)
    await carine.say("Notitie-Zq9")
    drafter = Person(runner, 555)  # someone halfway through a new signal
    await drafter.command("start")
    await drafter.tap("Nee", "Horeca")
    await drafter.say("4533kl")
    await api.wait_for(lambda: "Antwoord-Yu5" in carine.texts()[-1] or any(
        "Antwoord-Yu5" in t for t in carine.texts()))

    async def all_delivered() -> bool:
        async with runner.services.uow() as uow:
            return await uow.outbox.list_due(now=utcnow() + timedelta(hours=1)) == []

    await eventually(all_delivered)
    dump = await raw_dump(runner)
    assert "SP-" in dump and "4532" in dump  # the dump is real; PC4 may stay in clear
    for secret in SECRETS:
        assert secret not in dump, secret
    if settings.database.url.startswith("sqlite"):
        async with runner.services.db.connect() as connection:
            await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        raw = Path(settings.database.url.split("///", 1)[1]).read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in raw, secret
    async with runner.services.uow() as uow:  # and yet the bot can read it all
        [signal] = list(await uow.session.scalars(select(Signal)))
        assert signal.answers["description"] == "Zeldzaam-Woord-Qx7"


async def test_retention_erases_personal_fields_and_keeps_the_anonymous_record(
        api: Any, runner: BotRunner, settings: Settings) -> None:
    await file_distinctive_signal(api, runner)
    carine = Person(runner, REGISSEUR)
    await claim_and_close(carine, GROUP)
    await carine.tap("Notitie toevoegen", chat=GROUP)
    await carine.say("Notitie-Zq9")

    async def all_sent() -> bool:
        async with runner.services.uow() as uow:
            return not await uow.session.scalar(select(Outbox.id).where(Outbox.sent_at.is_(None)))

    await eventually(all_sent)
    await runner.settled()  # the dispatcher sleeps: only a kick wakes it now
    privacy, now = runner.services.privacy, utcnow()
    assert (await privacy.purge(now + timedelta(days=29))).signals == []
    env = {"SIGNAALBOT_DATABASE__URL": settings.database.url,
           "SIGNAALBOT_SECURITY__ENCRYPTION_KEY": TEST_KEY}
    dry = run_cli("purge", "--dry-run", env=env)
    assert dry.returncode == 0 and "would erase the personal fields of 0" in dry.stdout
    report = await privacy.purge(now + timedelta(days=31), dry_run=True)
    assert len(report.signals) == 1
    async with runner.services.uow() as uow:
        [signal] = list(await uow.session.scalars(select(Signal)))
        assert signal.erased_at is None  # a dry run changes nothing
    assert len((await privacy.purge(now + timedelta(days=31))).signals) == 1
    async with runner.services.uow() as uow:
        [signal] = list(await uow.session.scalars(select(Signal)))
        events = list(await uow.session.scalars(select(SignalEvent)))
    assert signal.erased_at is not None and signal.signaler_id is None
    assert not {"postcode", "house_number", "description", "contact_name",
                "contact_phone"} & signal.answers.keys()
    assert (signal.role, signal.signs, signal.pc4, signal.outcome) == (
        "kapper", ["post"], 4532, "geen_zorgen")
    assert signal.claimed_at and signal.closed_at
    assert all("Notitie-Zq9" not in json.dumps(e.detail) for e in events)
    await api.wait_for(lambda: "gewist" in api.messages(GROUP)[0]["text"])
    assert "Zeldzaam" not in api.messages(GROUP)[0]["text"]  # the staff copy is blanked too
    dump = await raw_dump(runner)
    assert "Zeldzaam" not in dump
    assert (await privacy.purge(now + timedelta(days=60))).signals == []  # once only


async def test_forget_me_drops_contact_and_link_but_keeps_the_signal(
        api: Any, runner: BotRunner) -> None:
    signaler = await file_distinctive_signal(api, runner)
    await signaler.command("vergeetmij")
    assert "wissen" in signaler.last
    await signaler.tap("Ja, vergeet mij")
    assert "gewist (1 signalen)" in signaler.last
    async with runner.services.uow() as uow:
        [signal] = list(await uow.session.scalars(select(Signal)))
        assert await uow.signalers.get(channel="telegram", external_id=str(SIGNALER)) is None
    assert signal.signaler_id is None and signal.status == "new"
    assert "contact_name" not in signal.answers and "contact_phone" not in signal.answers
    assert signal.answers["description"] == "Zeldzaam-Woord-Qx7"  # the follow-up goes on
    carine = Person(runner, REGISSEUR)
    await carine.tap("Vraag aan melder", chat=GROUP)
    assert "niet via de bot te bereiken" in carine.toast()
    await signaler.command("mijnsignalen")
    assert "nog geen signalen" in signaler.last


async def test_every_view_and_action_is_audited_and_exportable(
        api: Any, runner: BotRunner, settings: Settings) -> None:
    await file_distinctive_signal(api, runner)
    carine = Person(runner, REGISSEUR)
    await carine.tap("Details", chat=GROUP)
    await carine.tap("Oppakken", chat=GROUP)
    reference = (await runner.services.staff.list_signals(
        People.on_telegram(REGISSEUR), mine=True)).text.split()[0]
    await carine.command("signaal", reference)
    env = {"SIGNAALBOT_DATABASE__URL": settings.database.url,
           "SIGNAALBOT_SECURITY__ENCRYPTION_KEY": TEST_KEY}
    result = run_cli("audit", reference, env=env)
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("filed", None), ("view", "Carine"), ("claim", "Carine"), ("view", "Carine")]
    assert "Geschiedenis" in carine.last and "view" not in carine.last  # views stay out of sight


async def test_a_flood_gets_a_calm_answer_and_is_not_processed(api: Any, db_url: str) -> None:
    tight = make_settings(db_url, security={"encryption_key": TEST_KEY, "flood_updates": 8,
                                            "flood_seconds": 60})
    runner = BotRunner(api, tight)
    await runner.start()
    try:
        api.user(606)
        for n in range(15):
            api.send_text(606, f"bericht {n}")
        await api.wait_for(lambda: any("Even geduld" in m.get("text", "")
                                       for m in api.messages(606)))
        await runner.settled()
    finally:
        await runner.stop()
    texts = [m.get("text", "") for m in api.messages(606)]
    assert sum("Even geduld" in t for t in texts) == 1
    assert len(texts) == 8 + 1  # eight answered, one calm warning, the rest dropped
