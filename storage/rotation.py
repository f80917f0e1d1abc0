"""Re-encrypting every personal field with the current key (after a key change)."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from storage.crypto import EncryptedJSON, EncryptedText
from storage.models import Base, Draft, Signaler
from storage.uow import UnitOfWork


async def rotate(uow: UnitOfWork) -> int:
    """Rewrite every encrypted value with the current key; returns how many rows changed.

    Signalers' lookup hashes are recomputed. Unfinished drafts are dropped: only their hash
    is stored, so they cannot be found again under a new key (they expire within a day anyway).
    """
    changed = 0
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, EncryptedText | EncryptedJSON)]
        if not columns or table.name == Draft.__tablename__:
            continue
        key = table.primary_key.columns.values()[0]
        for row in (await uow.session.execute(select(key, *columns))).all():
            values = {column.name: row[index + 1] for index, column in enumerate(columns)}
            await uow.session.execute(update(table).where(key == row[0]).values(**values))
            changed += 1
    for signaler in await uow.session.scalars(select(Signaler)):
        signaler.external_hash = uow.keyring.lookup_hash(signaler.external_id)
    await uow.session.execute(delete(Draft))
    await uow.session.flush()
    return changed
