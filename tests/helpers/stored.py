"""What the bot stored: rows, a draft's answers, the tables (raw or decrypted), the outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from storage.models import SEALED, Base, utcnow
from tests.harness import BotRunner, Person, eventually


async def rows(runner: Any, model: Any) -> list[Any]:
    """Every row of `model` (``runner``: a BotRunner or a SignalRunner)."""
    async with runner.services.uow() as uow:
        return list(await uow.session.scalars(select(model).order_by(model.id)))


async def draft_answers(runner: Any, who: Person | tuple[str, str]) -> dict[str, Any]:
    """The answers in a person's draft: a Telegram ``Person``, or (channel, external id)."""
    channel, external_id = ("telegram", str(who.id)) if isinstance(who, Person) else who
    async with runner.services.uow() as uow:
        row = await uow.drafts.get(channel=channel, external_id=external_id)
        assert row is not None, "the draft is gone"
        return dict(row.state["answers"])


async def raw_dump(runner: Any) -> str:
    """Every row of every table as the database stores it (no decryption)."""
    parts = []
    async with runner.services.db.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result = await connection.exec_driver_sql(f"SELECT * FROM {table.name}")
            parts += [repr(tuple(row)) for row in result]
    return "\n".join(parts)


async def outbox_settled(runner: BotRunner) -> None:
    """Wait until no outbox row is due any more (everything sent, failed or waiting long)."""

    async def settled() -> bool:
        async with runner.services.uow() as uow:
            return await uow.outbox.list_due(now=utcnow() + timedelta(seconds=5)) == []

    await eventually(settled, timeout=15)
    await runner.api.wait_idle(quiet=0.3, timeout=10)


async def decrypted_dump(runner: BotRunner) -> str:
    """Every row of every table, and every encrypted value decrypted."""
    parts = [await raw_dump(runner)]
    async with runner.services.uow() as uow:
        for model, fields in SEALED.items():
            for row in await uow.session.scalars(select(model)):
                parts += [repr(getattr(row, attribute)) for attribute in fields]
    return "\n".join(parts)
