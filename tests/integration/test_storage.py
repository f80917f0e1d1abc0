"""Storage and services on SQLite and PostgreSQL: migrations, drafts, routing, outbox."""

from __future__ import annotations

import asyncio
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text, update

from bot.core.inputs import Choose, Input, Text, Toggle
from bot.core.intake import ConversationKey
from bot.core.outbox import DeliveryError
from bot.core.people import Person
from bot.core.prompts import Status
from bot.services import Services, open_services, sync_gemeenten
from storage.crypto import Keyring, generate_key
from storage.db import create_engine, current_revision, session_factory
from storage.models import DraftRow, NotOnBoard, Outbox, Pc4Route, ProcessedUpdate, utcnow
from storage.repositories import ConcurrentUpdate
from storage.uow import UnitOfWork
from tests.conftest import HEERLEN, TERNEUZEN, TEST_KEY, make_settings
from tests.helpers.intake import file_signal, signal_steps
from tests.helpers.senders import RecordingSender


async def test_migrations_reach_head(services: Services) -> None:
    assert await current_revision(services.db) == "0013"


async def test_sqlite_runs_on_the_loop_and_long_reads_in_a_thread(tmp_path: Path) -> None:
    """Statements run on the event loop's thread; those of the bot's reader (``/stats``) not."""
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'threads.db'}")
    opened = await open_services(settings, {"telegram": RecordingSender()})
    try:
        threads = {}
        for name, engine in (("db", opened.db), ("reader", opened.reader)):
            event.listen(engine.sync_engine, "connect", lambda dbapi_connection, _record:
                         dbapi_connection.create_function("thread", 0, threading.get_ident))
            await engine.dispose()  # new connections, with the function
            async with engine.connect() as connection:
                threads[name] = await connection.scalar(text("SELECT thread()"))
    finally:
        await opened.close()
    assert threads["db"] == threading.get_ident()
    assert threads["reader"] != threading.get_ident()


async def test_draft_writes_are_guarded_against_concurrent_writers(services: Services) -> None:
    key = {"channel": "telegram", "external_id": "42"}
    async with services.uow() as uow:
        await uow.drafts.save(**key, state={"a": 1}, ttl=timedelta(hours=1), expected=None)
        await uow.commit()
    async with services.uow() as uow:
        with pytest.raises(ConcurrentUpdate):
            await uow.drafts.save(**key, state={"a": 2}, ttl=timedelta(hours=1), expected=None)
    # A second worker process: its own engine (on SQLite one process has one connection).
    second_worker = create_engine(services.settings.database.url, keyring=services.keyring)
    try:
        async with services.uow() as first_uow:
            first = await first_uow.drafts.get(**key)
            async with UnitOfWork(session_factory(second_worker), services.keyring) as second_uow:
                second = await second_uow.drafts.get(**key)
                await second_uow.commit()  # ends its read (SQLite: lets the first one write)
                await first_uow.drafts.save(**key, state={"a": 3}, ttl=timedelta(hours=1),
                                            expected=first)
                await first_uow.commit()
                with pytest.raises(ConcurrentUpdate):
                    await second_uow.drafts.save(**key, state={"a": 4}, ttl=timedelta(hours=1),
                                                 expected=second)
    finally:
        await second_worker.dispose()
    async with services.uow() as uow:
        row = await uow.drafts.get(**key)
        assert row is not None and row.state == {"a": 3} and row.version == 2


async def test_a_draft_rewrite_rolls_back_with_the_transaction_it_is_part_of(
        services: Services) -> None:
    """On PostgreSQL the rewrite goes straight to asyncpg; it still joins a begun transaction."""
    key = {"channel": "telegram", "external_id": "43"}
    async with services.uow() as uow:
        await uow.drafts.save(**key, state={"a": 1}, ttl=timedelta(hours=1), expected=None)
        await uow.commit()
    async with services.uow() as uow:
        await uow.signals.add_not_on_board(gemeente_code="GM0935")  # begins the transaction
        row = await uow.drafts.get(**key)
        await uow.drafts.save(**key, state={"a": 2}, ttl=timedelta(hours=1), expected=row)
        assert (await uow.drafts.get(**key)).state == {"a": 2}  # type: ignore[union-attr]
    # Left without a commit: both writes are gone.
    async with services.uow() as uow:
        row = await uow.drafts.get(**key)
        assert row is not None and row.state == {"a": 1} and row.version == 1
        assert await uow.session.scalar(select(func.count()).select_from(NotOnBoard)) == 0


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_connection_postgresql_dropped_fails_one_step_not_the_next(
        services: Services, db_url: str) -> None:
    """The draft statements bypass SQLAlchemy, but a dead connection still leaves the pool."""
    import asyncpg

    key = {"channel": "telegram", "external_id": "44"}
    async with services.uow() as uow:
        await uow.drafts.save(**key, state={"a": 1}, ttl=timedelta(hours=1), expected=None)
        await uow.commit()
    admin = await asyncpg.connect(db_url.replace("+asyncpg", ""))
    try:  # the server drops the bot's (pooled, idle) connections
        await admin.execute("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                            " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    finally:
        await admin.close()
    await asyncio.sleep(0.2)  # asyncpg reads the server's goodbye
    async with services.uow() as uow:
        with pytest.raises(asyncpg.InterfaceError, match="connection is closed"):
            await uow.drafts.get(**key)
    async with services.uow() as uow:
        row = await uow.drafts.get(**key)
        assert row is not None and row.state == {"a": 1}


async def test_a_draft_is_sealed_by_its_column_like_every_encrypted_value(
        services: Services) -> None:
    """Both writes of a draft (on PostgreSQL the rewrite goes to asyncpg) encrypt as the ORM does.

    The stored token opens with the row's context when the ORM loads the row, and only then.
    """
    key = {"channel": "telegram", "external_id": "45"}
    async with services.uow() as uow:
        await uow.drafts.save(**key, state={"a": "één"}, ttl=timedelta(hours=1), expected=None)
        await uow.commit()
    for state in ({"a": "twee"}, {"a": "drie", "b": [1, 2]}):
        async with services.uow() as uow:
            row = await uow.drafts.get(**key)
            await uow.drafts.save(**key, state=state, ttl=timedelta(hours=1), expected=row,
                                  update_id=7)
            await uow.commit()
        async with services.uow() as uow:
            stored = await uow.session.scalar(select(DraftRow))
            token = await uow.session.scalar(text("SELECT state FROM drafts"))
            assert stored is not None and stored.state == state
            assert stored.recent_updates[-1] == 7
            assert token.startswith("v2") and "drie" not in token and "twee" not in token


async def test_a_steps_statements_go_straight_to_the_driver(services: Services) -> None:
    """A step's draft read and rewrite, the staff check of typed text and a person's language
    and role pass SQLAlchemy by (its way to the driver was most of a step's database work)
    and read what the ORM reads; the threaded reader's connections (SQLite's ``/stats``) go
    through SQLAlchemy.
    """
    key = {"channel": "telegram", "external_id": "46"}
    async with services.uow() as uow:
        await uow.drafts.save(**key, state={"a": 1}, ttl=timedelta(hours=1), expected=None,
                              update_id=8)
        await uow.signalers.get_or_add(**key, role="kapper", language="en")
        await uow.commit()
    through_sqlalchemy: list[str] = []

    def seen(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        through_sqlalchemy.append(statement)

    event.listen(services.db.sync_engine, "before_cursor_execute", seen)
    try:
        async with services.uow() as uow:
            row = await uow.drafts.get(**key)
            assert not await uow.staff.has_pending(person=Person("telegram", "46"))
            assert await uow.signalers.language(**key) == "en"
            assert await uow.signalers.role(**key) == "kapper"
            await uow.drafts.save(**key, state={"a": 2}, ttl=timedelta(hours=1), expected=row,
                                  update_id=9)
            await uow.commit()
    finally:
        event.remove(services.db.sync_engine, "before_cursor_execute", seen)
    assert through_sqlalchemy == []
    for unit in (services.uow(), services.reading_uow()):
        async with unit as uow:
            read = await uow.drafts.get(**key)
            stored = await uow.session.scalar(select(DraftRow))
        assert read is not None and stored is not None
        assert (read.state, read.version, read.recent_updates) == ({"a": 2}, 2, (8, 9))
        assert read.expires_at == stored.expires_at and read.expires_at.tzinfo is not None


async def test_a_draft_is_found_during_a_key_rotation(services: Services) -> None:
    """With a new key and the old one still known, a conversation in progress is found."""
    started = await services.intake.start(ConversationKey("telegram", "47"))
    rotating = Keyring(generate_key(), [TEST_KEY])
    await services.languages.choose(channel="telegram", external_id="47", code="en")
    async with UnitOfWork(services.sessions, rotating) as uow:
        row = await uow.drafts.get(channel="telegram", external_id="47")
        language = await uow.signalers.language(channel="telegram", external_id="47")
    assert row is not None and row.state["token"] == started.draft.token
    assert language == "en"


async def test_concurrent_taps_of_one_person_are_both_applied(services: Services) -> None:
    key = ConversationKey("telegram", "43")
    intake = services.intake
    start = await intake.start(key)
    token = start.draft.token
    for given in (Choose("danger", "nee"), Choose("role", "kapper")):
        await intake.handle(key, given, token=token)
    await intake.handle(key, Text("4531"))
    await intake.handle(key, Text("1"))
    results = await asyncio.gather(*(intake.handle(key, Toggle("signs", value, True), token=token)
                                     for value in ("post", "bezoek", "eenzaam", "gordijnen")))
    assert all(result.status.value == "updated" for result in results)
    draft = await intake.current_draft(key)
    assert draft is not None
    assert draft.selections["signs"] == ("gordijnen", "post", "eenzaam", "bezoek")


async def expire_draft(services: Services, external_id: str) -> None:
    async with services.uow() as uow:
        row = await uow.drafts.get(channel="telegram", external_id=external_id)
        assert row is not None
        await uow.session.execute(update(DraftRow).where(DraftRow.id == row.id).values(
            expires_at=utcnow() - timedelta(seconds=1)))
        await uow.commit()


async def test_expired_drafts_are_purged_and_not_resumed(services: Services) -> None:
    key = ConversationKey("telegram", "44")
    await services.intake.start(key)
    await expire_draft(services, "44")
    assert await services.intake.current_draft(key) is None
    result = await services.intake.handle(key, Text("hallo"))
    assert "verlopen" in (result.notice or "")  # a fresh start, and the person is told
    await expire_draft(services, "44")
    assert (await services.followup.run_due()).drafts_purged == 1
    assert (await services.followup.run_due()).drafts_purged == 0


async def test_config_sync_is_idempotent_and_moves_areas(db_url: str,
                                                         sender: RecordingSender) -> None:
    services = await open_services(make_settings(db_url), {"telegram": sender})
    try:
        moved = make_settings(db_url, gemeenten=[
            {**TERNEUZEN, "pc4": ["4531-4538"]}, {**HEERLEN, "pc4": ["6411-6419", "4539"]}])
        for _ in range(2):
            async with services.uow() as uow:
                await sync_gemeenten(moved, uow)
        async with services.uow() as uow:
            routes = {r.pc4: r.gemeente_code for r in await uow.session.scalars(select(Pc4Route))}
            assert routes[4539] == "GM0917" and routes[4538] == "GM0715"
            assert len(routes) == 8 + 10 + 2  # Hillegom's two areas stay from the first sync
            assert await uow.gemeenten.list_alert_chats(code="GM0715") == [7001, -1007002]
    finally:
        await services.close()


async def test_workers_starting_at_once_each_apply_the_config_in_turn(
        db_url: str, sender: RecordingSender) -> None:
    """Migrated and configured one after the other: none fails on another's routes."""
    moved = make_settings(db_url, gemeenten=[
        {**TERNEUZEN, "pc4": ["4531-4538"]}, {**HEERLEN, "pc4": ["6411-6419", "4539"]}])
    for settings in (make_settings(db_url), moved):  # a fresh database, then a changed config
        started = await asyncio.gather(*(open_services(settings, {"telegram": sender})
                                         for _ in range(4)), return_exceptions=True)
        for services in started:
            if isinstance(services, Services):
                await services.close()
        assert [type(s) for s in started] == [Services] * 4, started


async def test_a_redelivered_update_takes_effect_once(services: Services) -> None:
    intake, key = services.intake, ConversationKey("telegram", "46")

    async def step(given: Input, update_id: int, token: str | None) -> Status:
        token = None if isinstance(given, Text) else token
        return (await intake.handle(key, given, token=token, update_id=update_id)).status

    start = await intake.start(key, update_id=100)
    assert (await intake.start(key, update_id=100)).status is Status.DUPLICATE
    token, update_id = start.draft.token, 100
    for given in signal_steps()[:-1]:
        update_id += 1
        assert await step(given, update_id, token) is not Status.DUPLICATE
        assert await step(given, update_id, token) is Status.DUPLICATE
    async with services.uow() as uow:  # the draft remembers its updates: no record needed
        draft = await uow.drafts.get(channel="telegram", external_id="46")
        assert draft is not None and draft.recent_updates == tuple(range(100, update_id + 1))
        assert await uow.session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 1
    # One that comes late, out of order, takes effect once (then it is on record).
    assert await step(Text("hallo"), 99, token) is Status.INVALID
    assert await step(Text("hallo"), 99, token) is Status.DUPLICATE
    assert await step(signal_steps()[-1], update_id + 1, token) is Status.SUBMIT
    # The draft is gone; its last update is on record, also once a new conversation began.
    assert await step(signal_steps()[-1], update_id + 1, token) is Status.DUPLICATE
    assert (await intake.start(key, update_id=update_id + 2)).status is Status.NEXT
    assert await step(signal_steps()[-1], update_id + 1, token) is Status.DUPLICATE
    async with services.uow() as uow:
        assert await uow.signals.count() == 1


async def test_references_are_unique_and_alerts_queued_with_the_signal(
        services: Services, sender: RecordingSender) -> None:
    notices = [await file_signal(services, f"u{n}") for n in range(3)]
    references = [re.search(r"SP-\d{4}-\d{6}", notice).group(0) for notice in notices]
    assert len(set(references)) == 3
    assert await services.dispatcher.drain() == 3
    assert [chat for chat, _ in sender.delivered] == [7101, 7101, 7101]
    assert [ref for ref in references if any(ref in text for _, text in sender.delivered)] == (
        references)


async def make_all_due(services: Services) -> None:
    async with services.uow() as uow:  # time passes
        for row in await uow.session.scalars(select(Outbox)):
            row.next_attempt_at = utcnow()
        await uow.commit()


async def test_outbox_retries_in_order_and_delivers_once(
        services: Services, sender: RecordingSender) -> None:
    sender.failures = [DeliveryError("network")]
    first = await file_signal(services, "r1")
    second = await file_signal(services, "r2")
    assert await services.dispatcher.drain() == 0  # the first failed; the second waits behind it
    async with services.uow() as uow:
        pending = list(await uow.session.scalars(select(Outbox).order_by(Outbox.id)))
    assert [(row.attempts, row.sent_at) for row in pending] == [(1, None), (0, None)]
    assert pending[0].next_attempt_at > utcnow()
    await make_all_due(services)
    assert await services.dispatcher.drain() == 2
    assert await services.dispatcher.drain() == 0  # delivered exactly once, in order
    references = [re.search(r"SP-\d{4}-\d{6}", notice).group(0) for notice in (first, second)]
    delivered = [text for _, text in sender.delivered]
    assert [ref in text for text, ref in zip(delivered, references, strict=True)] == [True, True]


async def test_outbox_waits_as_long_as_telegram_asks(
        services: Services, sender: RecordingSender) -> None:
    sender.failures = [DeliveryError("flood", retry_after=30)]
    await file_signal(services, "r3")
    assert await services.dispatcher.drain() == 0
    async with services.uow() as uow:
        [row] = list(await uow.session.scalars(select(Outbox)))
    assert timedelta(seconds=25) < row.next_attempt_at - utcnow() <= timedelta(seconds=30)
    await make_all_due(services)
    assert await services.dispatcher.drain() == 1


def legacy_token(key: str, plaintext: str) -> str:
    """A value as revision 0002 stored it: bound to its key id only."""
    import base64
    import os

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from storage.crypto import parse_key

    key_id = Keyring(key).current.id
    nonce = os.urandom(12)
    sealed = AESGCM(parse_key(key)).encrypt(nonce, plaintext.encode(), key_id.encode())
    return f"v1.{key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


async def test_the_migration_binds_old_values_to_their_rows(db_url: str) -> None:
    from storage.db import upgrade

    keys = Keyring(TEST_KEY)
    plain = create_engine(db_url)
    await upgrade(plain, "0002")
    now = utcnow()
    async with plain.begin() as connection:
        run = connection.execute
        await run(text("INSERT INTO gemeenten (code, name, active, escalation_hours, "
                       "retention_days, silent_days, backup_chat_ids, updated_at) VALUES "
                       "('GM0715', 'Terneuzen', true, 24, 30, 5, '[]', :now)"), {"now": now})
        await run(text("INSERT INTO signalers (id, channel, external_hash, external_enc, "
                       "declines_questions, created_at) VALUES (1, 'telegram', 'h', :enc, "
                       "false, :now)"), {"enc": legacy_token(TEST_KEY, "4242"), "now": now})
        await run(text("INSERT INTO staff (id, gemeente_code, telegram_id, name, role, active, "
                       "source) VALUES (1, 'GM0715', 7001, 'Carine', 'regisseur', true, "
                       "'config')"))
        await run(text("INSERT INTO signals (id, reference, gemeente_code, signaler_id, status, "
                       "questionnaire, role, signs, pc4, answers, created_at, last_activity_at, "
                       "escalation_level, owner_id) VALUES (1, 'SP-2026-000001', 'GM0715', 1, "
                       "'claimed', 'q', 'kapper', '[]', 4531, :answers, :now, :now, 0, 1)"),
                  {"answers": legacy_token(TEST_KEY, '{"description": "Oud"}'), "now": now})
        for chat, kind in ((4242, "feedback"), (7001, "alert")):
            await run(text("INSERT INTO outbox (channel, chat_id, kind, text, signal_id, "
                           "created_at, next_attempt_at, attempts) VALUES ('telegram', :chat, "
                           ":kind, :text, 1, :now, :now, 0)"),
                      {"chat": chat, "kind": kind, "text": legacy_token(TEST_KEY, kind),
                       "now": now})
    with pytest.raises(RuntimeError, match="encryption key"):
        await upgrade(plain, "head")  # a signaler's chat cannot be sealed without the key
    await plain.dispose()
    keyed = create_engine(db_url, keyring=keys)
    try:
        await upgrade(keyed, "head")
        async with UnitOfWork(session_factory(keyed), keys) as uow:
            signal = await uow.signals.get(signal_id=1)
            assert signal is not None and signal.answers == {"description": "Oud"}
            assert signal.owner_id == 1  # rebuilding the staff table nulled nothing
            carine = await uow.staff.get(staff_id=1)  # 0005: a Telegram id became a person
            assert carine is not None and carine.person == Person.on_telegram(7001)
            assert await uow.staff.get_active(person=carine.person, gemeente_code="GM0715")
            signaler = await uow.signalers.get_by_id(signaler_id=1)
            assert signaler is not None and signaler.external_id == "4242"
            rows = {row.kind: row for row in await uow.session.scalars(select(Outbox))}
        assert (rows["feedback"].chat_id, rows["feedback"].recipient) == (None, "4242")
        assert (rows["alert"].chat_id, rows["alert"].text) == (7001, "alert")
        async with keyed.connect() as connection:
            raw = [repr(tuple(row)) for row in await connection.execute(text(
                "SELECT * FROM outbox"))]
        assert not [row for row in raw if "4242" in row or "v1." in row]
    finally:
        await keyed.dispose()
