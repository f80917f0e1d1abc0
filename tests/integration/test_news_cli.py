"""``signaalbot news send`` on SQLite and PostgreSQL: the preview, a dry run, queued rows."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.core.outbox import OutboxKind, Priority
from bot.settings import keyring, load_settings
from storage.db import create_engine, session_factory
from storage.models import Outbox
from storage.uow import UnitOfWork
from tests.helpers.cli import invoke_in_thread as cli
from tests.helpers.config import write_config


async def test_news_send_previews_then_queues_for_subscribers_only(
        db_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, db_url)
    send = ("news", "send", "-g", "GM0715", "--text", "Week van de <Ontmoeting>")
    code, out, err = await cli(config, *send, "--dry-run")  # also prepares the database
    assert (code, err) == (0, "")
    assert out.splitlines() == ["📰 Nieuws van het Signaalpunt Terneuzen", "",
                                "Week van de <Ontmoeting>", "[Afmelden]",
                                "dry run: would go to 0 subscriber(s)"]
    settings = load_settings(config)
    keys = keyring(settings)
    engine = create_engine(settings.database.url, keyring=keys)
    try:
        async with UnitOfWork(session_factory(engine), keys) as uow:
            for reader in ("801", "802"):
                await uow.news.subscribe(channel="telegram", external_id=reader,
                                         gemeente_code="GM0715", organisation_id=None)
            await uow.news.end(channel="telegram", external_id="802")
            await uow.commit()
        code, out, err = await cli(config, *send)
        assert (code, err, out.splitlines()[-1]) == (0, "", "queued for 1 subscriber(s)")
        async with UnitOfWork(session_factory(engine), keys) as uow:
            [row] = await uow.session.scalars(select(Outbox))
            assert (row.kind, row.priority, row.recipient) == (
                OutboxKind.NEWS, Priority.LOW, "801")
            assert "Week van de &lt;Ontmoeting&gt;" in row.text and row.buttons
        code, out, err = await cli(config, "news", "send", "-g", "GM0715", "--text", "x" * 1001)
        assert (code, err) == (1, "signaalbot: Het bericht is te lang: 1001 tekens, hooguit "
                                  "1000.\n")
    finally:
        await engine.dispose()
